const KEY = "controlroom.token";

/**
 * Takes a token handed over in the address fragment (`/#token=…`, the link
 * `controlroom serve` prints) and removes it from the address at once, so it is not
 * left in the history, a bookmark or a screenshot of the address bar. The fragment is
 * never sent to the server, so no request log has it either.
 *
 * @example
 * ```ts
 * const token = takeTokenFromFragment(window.location, window.history);
 * ```
 */
export function takeTokenFromFragment(
  location: Pick<Location, "hash" | "pathname" | "search">,
  history: Pick<History, "replaceState">,
): string | undefined {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = params.get("token");
  if (token === null) return undefined;
  history.replaceState(null, "", `${location.pathname}${location.search}`);
  return token.trim() === "" ? undefined : token.trim();
}

/**
 * The token of this tab's session. Kept in `sessionStorage`: it survives reloads but
 * not the tab, and is never written to disk for other tabs or later visitors.
 */
export function loadToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `token` for this tab, or forgets it (sign out) when `undefined`. */
export function storeToken(token: string | undefined): void {
  try {
    if (token === undefined) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {
    // Storage can be disabled; the session then lasts until the page is reloaded.
  }
}

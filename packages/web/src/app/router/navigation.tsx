import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

const CHANGE = "controlroom:navigate";

/**
 * Goes to `path` inside the app without reloading it (history API), so live tails and
 * caches survive; the server answers any such path with the app (SPA fallback), so a
 * reload or a shared link lands on the same screen.
 */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.dispatchEvent(new Event(CHANGE));
  window.scrollTo(0, 0);
}

/** The current path and query, re-rendering on navigation and on back/forward. */
export function useLocation(): { pathname: string; search: string } {
  const read = () => ({ pathname: location.pathname, search: location.search });
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = () => setCurrent(read());
    window.addEventListener("popstate", update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return current;
}

/**
 * A link inside the app: a real `<a href>` (so it can be opened in a new tab, copied,
 * and followed with the keyboard) that navigates in place on a plain click.
 */
export function Link(props: {
  href: string;
  children: ComponentChildren;
  class?: string | undefined;
  title?: string | undefined;
  "aria-label"?: string | undefined;
  "aria-current"?: "page" | undefined;
}) {
  const { href, children } = props;
  return (
    <a
      href={href}
      class={props.class}
      title={props.title}
      aria-label={props["aria-label"]}
      aria-current={props["aria-current"]}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
          return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

import { ControlRoomClient } from "@controlroom/sdk";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { UiApiClient } from "../api/ui-api-client.js";
import type { TokenClaims } from "./token-claims.js";

/** The signed-in session every screen reads: who, and the clients that call as them. */
export interface Session {
  token: string;
  claims: TokenClaims;
  /** The SDK, talking to the contract's API on this origin. */
  client: ControlRoomClient;
  /** The server's `/ui/api` read endpoints (artifact bytes, tables). */
  ui: UiApiClient;
  signOut(): void;
}

/**
 * The clients for a token, on the page's own origin (the server that served the app).
 * Retries are fewer and shorter than the SDK's defaults: a person is waiting, and the
 * screen shows the error and polls again anyway.
 */
export function createSession(token: string, claims: TokenClaims, signOut: () => void): Session {
  const client = new ControlRoomClient({
    baseUrl: location.origin,
    token,
    // The SDK calls its `fetch` option detached from `window`, which browsers reject
    // ("Illegal invocation"); a wrapper keeps the call bound.
    fetch: (input, init) => fetch(input, init),
    retry: { maxAttempts: 3, initialDelayMs: 250, maxDelayMs: 2_000, maxElapsedMs: 10_000 },
  });
  return { token, claims, client, ui: new UiApiClient(location.origin, token), signOut };
}

export const SessionContext = createContext<Session | undefined>(undefined);

/** The session; only screens shown after sign-in call it. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("useSession outside a signed-in screen");
  return session;
}

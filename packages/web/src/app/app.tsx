import { useMemo, useState } from "preact/hooks";
import { NavBar } from "./components/nav-bar.js";
import { HealthPage } from "./pages/health-page.js";
import { RunPage } from "./pages/run-page.js";
import { RunsPage } from "./pages/runs-page.js";
import { SignInPage } from "./pages/sign-in-page.js";
import { TablePage } from "./pages/table-page.js";
import { TablesPage } from "./pages/tables-page.js";
import { Link, useLocation } from "./router/navigation.js";
import { parseRoute } from "./router/routes.js";
import { createSession, SessionContext } from "./session/session-context.js";
import { decodeTokenClaims } from "./session/token-claims.js";
import { loadToken, storeToken, takeTokenFromFragment } from "./session/token-storage.js";

function initialToken(): string | undefined {
  const handed = takeTokenFromFragment(window.location, window.history);
  if (handed !== undefined) storeToken(handed);
  return handed ?? loadToken();
}

/** The app: sign-in until there is a token, then the screen the address names. */
export function App() {
  const [token, setToken] = useState<string | undefined>(initialToken);
  const location = useLocation();
  const claims = token === undefined ? undefined : decodeTokenClaims(token);
  const session = useMemo(
    () =>
      token !== undefined && claims !== undefined
        ? createSession(token, claims, () => {
            storeToken(undefined);
            setToken(undefined);
          })
        : undefined,
    [token],
  );
  if (session === undefined) {
    return (
      <SignInPage
        reason={token !== undefined ? "The token given is not a Control Room token." : undefined}
        onToken={(value) => {
          storeToken(value);
          setToken(value);
        }}
      />
    );
  }
  const route = parseRoute(location.pathname, location.search);
  return (
    <SessionContext.Provider value={session}>
      <NavBar page={route.page} />
      <main class="page">
        {route.page === "runs" ? <RunsPage search={location.search} /> : null}
        {route.page === "run" ? <RunPage runId={route.runId} /> : null}
        {route.page === "tables" ? <TablesPage /> : null}
        {route.page === "table" ? (
          <TablePage runId={route.runId} name={route.name} version={route.version} />
        ) : null}
        {route.page === "health" ? <HealthPage /> : null}
        {route.page === "not-found" ? (
          <div class="notice" role="alert">
            There is no page at {route.path}. <Link href="/runs">See the runs</Link>.
          </div>
        ) : null}
      </main>
    </SessionContext.Provider>
  );
}

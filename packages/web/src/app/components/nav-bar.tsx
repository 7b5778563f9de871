import { Link } from "../router/navigation.js";
import { useSession } from "../session/session-context.js";

/** The top bar: the screens, and who is signed in (role and tenant) with sign-out. */
export function NavBar(props: { page: string }) {
  const { claims, signOut } = useSession();
  const item = (href: string, label: string, pages: string[]) => (
    <Link
      href={href}
      class="nav-link"
      aria-current={pages.includes(props.page) ? "page" : undefined}
    >
      {label}
    </Link>
  );
  return (
    <header class="nav-bar">
      <Link href="/" class="brand">
        Control Room
      </Link>
      <nav aria-label="main">
        {item("/runs", "Runs", ["runs", "run"])}
        {item("/tables", "Tables", ["tables", "table"])}
        {item("/health", "Health", ["health"])}
      </nav>
      <span class="identity" data-testid="identity">
        {claims.sub} · <strong>{claims.role}</strong> · tenant {claims.tenant_id}
      </span>
      <button type="button" class="small" onClick={signOut}>
        Sign out
      </button>
    </header>
  );
}

/** Credentials sent to Trino. Use HTTPS: Trino refuses them over plain HTTP. */
export type TrinoAuth =
  /** HTTP basic auth: Trino's password authenticators (file, LDAP). */
  | { type: "basic"; user: string; password: string }
  /** `Authorization: Bearer <token>`: Trino's JWT and OAuth 2.0 authenticators. */
  | { type: "bearer"; token: string };

/** TLS settings for an `https://` server, as Node's `tls.connect` takes them. */
export interface TrinoTlsOptions {
  /**
   * Certificates to trust instead of Node's bundled CAs (PEM), e.g. a private CA.
   * @default undefined (Node's CAs)
   */
  ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined;
  /**
   * A client certificate (PEM), for servers that authenticate clients by certificate.
   * @default undefined
   */
  cert?: string | Uint8Array | undefined;
  /**
   * The client certificate's private key (PEM).
   * @default undefined
   */
  key?: string | Uint8Array | undefined;
  /**
   * Whether to refuse a server whose certificate does not verify. Turning it off makes
   * the connection open to interception: only for throwaway test servers.
   * @default true
   */
  rejectUnauthorized?: boolean | undefined;
  /**
   * The host name to verify the certificate against, when it differs from the URL's.
   * @default the server URL's host
   */
  servername?: string | undefined;
}

/** Options of {@link createTrinoEngine}. */
export interface TrinoEngineOptions {
  /** The coordinator's URL, e.g. `"https://trino.example.com:8443"`. */
  server: string;
  /**
   * The Trino user (`X-Trino-User`). With basic auth it is `auth.user`; with a bearer
   * token Trino takes the user from the token, and a different `user` here asks to
   * impersonate it.
   * @default "controlroom" without auth, else the authenticated user
   */
  user?: string | undefined;
  /**
   * Credentials: basic (user and password) or bearer (a JWT or OAuth token).
   * @default undefined (no credentials: plain HTTP servers without authentication)
   */
  auth?: TrinoAuth | undefined;
  /**
   * TLS settings for `https://` servers (a private CA, client certificates).
   * @default undefined (Node's defaults)
   */
  tls?: TrinoTlsOptions | undefined;
  /**
   * The default catalog for unqualified table names.
   * @default undefined
   */
  catalog?: string | undefined;
  /**
   * The default schema for unqualified table names (needs `catalog`).
   * @default undefined
   */
  schema?: string | undefined;
  /**
   * Session properties for every query, system (`query_max_run_time`) or catalog
   * (`delta.vacuum_min_retention`).
   * @default {}
   */
  session?: Readonly<Record<string, string | number | boolean>> | undefined;
  /**
   * The session time zone: how `TIMESTAMP WITH TIME ZONE` values without a zone are
   * read and what `current_timestamp` returns.
   * @default "UTC"
   */
  timeZone?: string | undefined;
  /**
   * The client's name in Trino's UI and `system.runtime.queries` (`X-Trino-Source`).
   * @default "controlroom"
   */
  source?: string | undefined;
  /**
   * Tags for resource groups (`X-Trino-Client-Tags`).
   * @default []
   */
  clientTags?: readonly string[] | undefined;
  /**
   * More HTTP headers for every request (a proxy's, or `X-Trino-*` ones not covered here).
   * @default {}
   */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * How long one HTTP request may take. Queries run longer: each request fetches the
   * next page, and Trino answers within a second or two while it works.
   * @default 120_000
   */
  requestTimeoutMs?: number | undefined;
}

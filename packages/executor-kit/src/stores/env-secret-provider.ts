import type { SecretProvider } from "../ports/secret-provider.js";

/** Options of {@link envSecretProvider}. */
export interface EnvSecretProviderOptions {
  /**
   * Where to read variables from.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Prepended to every name: `prefix: "APP_"` makes `get("DB_PASSWORD")` read `APP_DB_PASSWORD`.
   * @default ""
   */
  prefix?: string;
}

/**
 * A {@link SecretProvider} that reads environment variables; the worker's default.
 *
 * @example
 * ```ts
 * const secrets = envSecretProvider({ env: { ODOO_PASSWORD: "s3cret" } });
 * await secrets.get("ODOO_PASSWORD"); // "s3cret"
 * ```
 */
export function envSecretProvider(options: EnvSecretProviderOptions = {}): SecretProvider {
  const prefix = options.prefix ?? "";
  return {
    async get(name) {
      // Read at call time, not construction time, so rotated variables are seen.
      const env = options.env ?? process.env;
      return env[`${prefix}${name}`];
    },
  };
}

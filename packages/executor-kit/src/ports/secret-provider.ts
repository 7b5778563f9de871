/**
 * The port a secret store implements (environment variables, Vault, AWS Secrets
 * Manager). Phases read secrets through `ctx.secrets.get(name)`, which also registers
 * the value for redaction from every event, log line and error the worker sends.
 *
 * @example
 * ```ts
 * const vault: SecretProvider = {
 *   async get(name) {
 *     const response = await fetch(`https://vault.internal/v1/secret/${name}`);
 *     return response.ok ? ((await response.json()) as { value: string }).value : undefined;
 *   },
 * };
 * ```
 */
export interface SecretProvider {
  /** The secret's value, or `undefined` when the provider has none by that name. */
  get(name: string, options?: { signal?: AbortSignal | undefined }): Promise<string | undefined>;
}

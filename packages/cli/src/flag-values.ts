import { UsageError } from "./usage-error.js";

/**
 * Checks a flag whose value is one of a fixed set; `fallback` when it was not given.
 *
 * @example
 * ```ts
 * const format = choiceFlag("--format", values.format, ["table", "json"] as const, "table");
 * ```
 */
export function choiceFlag<const T extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T;
export function choiceFlag<const T extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined;
export function choiceFlag<const T extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly T[],
  fallback?: T,
): T | undefined {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${choices.join(", ")}, not "${value}"`);
  }
  return value as T;
}

/**
 * Checks a flag whose value is a whole number from 1 to `max`; `fallback` when it was
 * not given.
 *
 * @example
 * ```ts
 * const limit = countFlag("--limit", values.limit, 1_000, 20);
 * ```
 */
export function countFlag(
  flag: string,
  value: string | undefined,
  max: number,
  fallback: number,
): number;
export function countFlag(flag: string, value: string | undefined, max: number): number | undefined;
export function countFlag(
  flag: string,
  value: string | undefined,
  max: number,
  fallback?: number,
): number | undefined {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not "${value}"`);
  }
  return count;
}

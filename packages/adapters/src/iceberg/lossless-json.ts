import { IcebergError } from "./iceberg-error.js";

/** A JSON value whose integers beyond 2^53 are kept exactly, as bigints. */
export type LosslessJson =
  | null
  | boolean
  | number
  | bigint
  | string
  | LosslessJson[]
  | { [key: string]: LosslessJson };

/**
 * Parses JSON like `JSON.parse`, except that integers outside the safe range come
 * back as bigints. Iceberg snapshot ids are random 63-bit numbers: `JSON.parse` would
 * round them and the table would point at snapshots that do not exist. (Node 20 has no
 * `JSON.parse` reviver with the source text.)
 *
 * @example
 * ```ts
 * parseLosslessJson('{"snapshot-id": 3051729675574597004}'); // { "snapshot-id": 3051729675574597004n }
 * ```
 */
export function parseLosslessJson(text: string, what = "JSON"): LosslessJson {
  let at = 0;
  const fail = (reason: string): never => {
    throw new IcebergError("ICEBERG_INVALID_METADATA", `${what}: ${reason} at offset ${at}`);
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at] as string)) at++;
  };
  const value = (): LosslessJson => {
    space();
    const char = text[at];
    if (char === "{") {
      at++;
      const object: { [key: string]: LosslessJson } = {};
      space();
      if (text[at] === "}") {
        at++;
        return object;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail("expected a key");
        const key = string();
        space();
        if (text[at++] !== ":") fail("expected ':'");
        // defineProperty: a key named __proto__ must stay data, not a prototype.
        Object.defineProperty(object, key, {
          value: value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        space();
        const next = text[at++];
        if (next === "}") return object;
        if (next !== ",") fail("expected ',' or '}'");
      }
    }
    if (char === "[") {
      at++;
      const array: LosslessJson[] = [];
      space();
      if (text[at] === "]") {
        at++;
        return array;
      }
      for (;;) {
        array.push(value());
        space();
        const next = text[at++];
        if (next === "]") return array;
        if (next !== ",") fail("expected ',' or ']'");
      }
    }
    if (char === '"') return string();
    if (text.startsWith("true", at)) {
      at += 4;
      return true;
    }
    if (text.startsWith("false", at)) {
      at += 5;
      return false;
    }
    if (text.startsWith("null", at)) {
      at += 4;
      return null;
    }
    const number = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (number === null) return fail("unexpected character");
    at += number[0].length;
    const parsed = Number(number[0]);
    if (number[1] === undefined && number[2] === undefined && !Number.isSafeInteger(parsed)) {
      return BigInt(number[0]);
    }
    return parsed;
  };
  const string = (): string => {
    const start = at;
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    if (at >= text.length) fail("unterminated string");
    at++;
    // JSON.parse knows every escape; only the token is handed to it.
    return JSON.parse(text.slice(start, at)) as string;
  };
  const result = value();
  space();
  if (at !== text.length) fail("trailing characters");
  return result;
}

/**
 * Serialises like `JSON.stringify(value, null, indent)`, writing bigints as plain
 * integers (`JSON.stringify` throws on them). `undefined` properties are left out.
 *
 * @example
 * ```ts
 * stringifyLosslessJson({ "snapshot-id": 3051729675574597004n }); // '{"snapshot-id":3051729675574597004}'
 * ```
 */
export function stringifyLosslessJson(value: unknown, indent = 0): string {
  const pad = (depth: number) => (indent > 0 ? `\n${" ".repeat(indent * depth)}` : "");
  const colon = indent > 0 ? ": " : ":";
  const write = (item: unknown, depth: number): string | undefined => {
    if (typeof item === "bigint") return item.toString();
    if (item === undefined || typeof item === "function") return undefined;
    if (item === null || typeof item !== "object") return JSON.stringify(item);
    if (Array.isArray(item)) {
      if (item.length === 0) return "[]";
      const parts = item.map((element) => write(element, depth + 1) ?? "null");
      return `[${parts.map((part) => `${pad(depth + 1)}${part}`).join(",")}${pad(depth)}]`;
    }
    const parts: string[] = [];
    for (const [key, element] of Object.entries(item)) {
      const text = write(element, depth + 1);
      if (text !== undefined) parts.push(`${pad(depth + 1)}${JSON.stringify(key)}${colon}${text}`);
    }
    return parts.length === 0 ? "{}" : `{${parts.join(",")}${pad(depth)}}`;
  };
  return write(value, 0) ?? "null";
}

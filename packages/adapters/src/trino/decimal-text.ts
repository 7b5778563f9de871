/**
 * A DECIMAL as Trino sends it (`"12.50"`) as a number when the number is exactly that
 * decimal, else the text: money must not be rounded silently.
 *
 * @example
 * ```ts
 * decimalFromText("12.50"); // 12.5
 * decimalFromText("12345678901234567.89"); // "12345678901234567.89"
 * ```
 */
export function decimalFromText(text: string): number | string {
  const number = Number(text);
  if (!Number.isFinite(number)) return text;
  const exact = normalized(text);
  const printed = normalized(String(number));
  return exact !== undefined &&
    printed !== undefined &&
    exact.digits === printed.digits &&
    exact.exponent === printed.exponent
    ? number
    : text;
}

// value = digits × 10^exponent, with no trailing zeros in digits (0 has exponent 0).
function normalized(text: string): { digits: bigint; exponent: number } | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (match === null) return undefined;
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  if (whole === "" && fraction === "") return undefined;
  let digits = BigInt(`${sign === "-" ? "-" : ""}${whole}${fraction}` || "0");
  let shift = Number(exponent) - fraction.length;
  if (digits === 0n) return { digits, exponent: 0 };
  while (digits % 10n === 0n) {
    digits /= 10n;
    shift++;
  }
  return { digits, exponent: shift };
}

// `2024-01-02 03:04:05[.fraction][ zone]`, as Trino prints DATE, TIMESTAMP and
// TIMESTAMP WITH TIME ZONE values. Years may have more than four digits or a sign.
const TIMESTAMP =
  /^([+-]?\d{4,})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?(?: (.+))?$/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * Reads a Trino DATE, TIMESTAMP or TIMESTAMP WITH TIME ZONE value as a `Date`. Values
 * without a zone are UTC (the engine's session time zone); zones may be offsets
 * (`+02:00`) or region names (`Europe/Berlin`). Digits past milliseconds are dropped,
 * as a `Date` holds no more. Returns `undefined` for text it cannot read.
 *
 * @example
 * ```ts
 * parseTrinoTimestamp("2024-01-01 12:00:00.000 Europe/Berlin"); // 2024-01-01T11:00:00.000Z
 * ```
 */
export function parseTrinoTimestamp(text: string): Date | undefined {
  const match = TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "", zone] = match;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(
    Number(hour),
    Number(minute),
    Number(second),
    Number(fraction.padEnd(3, "0").slice(0, 3)),
  );
  const local = date.getTime();
  if (zone === undefined || zone === "UTC" || zone === "Z") return date;
  const offset = OFFSET.exec(zone);
  if (offset !== null) {
    const [, sign, hours, minutes] = offset;
    const ms = (Number(hours) * 60 + Number(minutes)) * 60_000;
    return new Date(sign === "-" ? local + ms : local - ms);
  }
  const offsetAt = zoneOffset(zone);
  if (offsetAt === undefined) return undefined;
  // The offset depends on the instant, which depends on the offset: start from the
  // offset at the wall-clock time read as UTC, then correct once (right around DST
  // changes too, except for wall-clock times that do not exist).
  const guess = local - offsetAt(local);
  return new Date(local - offsetAt(guess));
}

// The zone's offset from UTC in ms at an instant, or undefined for an unknown zone.
function zoneOffset(zone: string): ((instant: number) => number) | undefined {
  let format = zoneFormats.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
    } catch {
      return undefined;
    }
    zoneFormats.set(zone, format);
  }
  const formatter = format;
  return (instant) => {
    const parts: Record<string, string> = {};
    for (const part of formatter.formatToParts(new Date(instant))) parts[part.type] = part.value;
    const year = parts.era === "BC" ? 1 - Number(parts.year) : Number(parts.year);
    const wall = new Date(0);
    wall.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
    wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
    // Whole seconds on both sides: offsets are whole seconds.
    return wall.getTime() - Math.floor(instant / 1000) * 1000;
  };
}

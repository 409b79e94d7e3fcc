/**
 * Time-zone arithmetic on epoch milliseconds with the platform's Intl database. Offsets are cached per
 * UTC hour, since ingest asks for millions of conversions that fall in a few thousand distinct hours.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

export function assertTimeZone(tz: string): void {
  // Throws RangeError on an unknown zone.
  new Intl.DateTimeFormat('en-US', { timeZone: tz });
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Offset of `tz` from UTC at instant `utcMs`, in milliseconds (UTC+8 -> +28,800,000). */
export function zoneOffsetMs(utcMs: number, tz: string): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  let cache = offsetCache.get(tz);
  if (!cache) {
    cache = new Map();
    offsetCache.set(tz, cache);
  }
  const hour = Math.floor(utcMs / HOUR);
  const hit = cache.get(hour);
  if (hit !== undefined) return hit;
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(hour * HOUR))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  const offset = asUtc - hour * HOUR;
  cache.set(hour, offset);
  return offset;
}

/** Converts a wall-clock time in `tz` (given as if it were UTC millis) to the UTC instant. */
export function wallTimeToUtc(wallMs: number, tz: string): number {
  // Two passes settle the offset for any time except inside a DST gap, where it picks the later offset.
  let utc = wallMs - zoneOffsetMs(wallMs, tz);
  utc = wallMs - zoneOffsetMs(utc, tz);
  return utc;
}

/** `YYYY-MM-DD` of instant `utcMs` in time zone `tz`. */
export function localDate(utcMs: number, tz: string): string {
  return isoDate(utcMs + zoneOffsetMs(utcMs, tz));
}

// Day strings by day number: a run converts millions of dates drawn from a few thousand days, and
// Date#toISOString was a tenth of the product stage's time at 1M order lines.
const isoDays = new Map<number, string>();

/** `YYYY-MM-DD` of a UTC-millis value taken as a calendar day. */
export function isoDate(ms: number): string {
  const day = Math.floor(ms / DAY);
  let text = isoDays.get(day);
  if (text === undefined) {
    text = new Date(day * DAY).toISOString().slice(0, 10); // throws on NaN and out-of-range values
    if (isoDays.size >= 100_000) isoDays.clear();
    isoDays.set(day, text);
  }
  return text;
}

export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` of a date as it comes back from Parquet (Arrow: epoch ms) or SQL (a string). */
export const dateValue = (v: unknown): string =>
  typeof v === 'number' ? isoDate(v) : String(v ?? '').slice(0, 10);

/** Parses a strict `YYYY-MM-DD` into UTC millis at midnight, or undefined. */
export function parseIsoDate(s: string): number | undefined {
  if (!DATE_RE.test(s)) return undefined;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  return validDate(y, m, d) ? Date.UTC(y, m - 1, d) : undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= DAYS_IN_MONTH[m - 1]! + (leap ? 1 : 0);
}

/** Whole days from date a to date b (`YYYY-MM-DD`), b - a. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY);
}

export function addDays(date: string, days: number): string {
  return isoDate(Date.parse(`${date}T00:00:00Z`) + days * DAY);
}

/** Today's date in time zone `tz`. */
export const today = (tz: string, now: number = Date.now()): string => localDate(now, tz);

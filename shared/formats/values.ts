/**
 * Field parsers shared by every format. Each returns the parsed value or a `Bad` carrying the reason,
 * so a mapper can name the column and the reason in the quarantine record.
 */
import { validDate, wallTimeToUtc } from '../time.ts';

export class Bad {
  constructor(readonly reason: string) {}
}
export const bad = (reason: string): Bad => new Bad(reason);
export const isBad = (v: unknown): v is Bad => v instanceof Bad;

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};
const two = (s: string, i: number): number => {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
};

/**
 * ISO-8601 date or date-time: `YYYY-MM-DD`, then optionally `T` or a space and `HH:MM[:SS[.fff]]`,
 * then optionally `Z` or an offset `±HH[:MM]` (a space before it is allowed, as Shopify writes).
 * With an offset or Z it is an instant; without one it is wall-clock time in `tz`; a bare date is
 * midnight in `tz`. Returns epoch milliseconds (UTC). Scanned by hand: ingest calls it per row.
 */
const notIso = (s: string): Bad => bad(`not an ISO-8601 date or date-time: "${clip(s)}"`);

export function parseTimestamp(s: string, tz: string): number | Bad {
  const n = s.length;
  if (n < 10 || s[4] !== '-' || s[7] !== '-') return notIso(s);
  const y = two(s, 0) * 100 + two(s, 2);
  const mo = two(s, 5);
  const d = two(s, 8);
  if (y < 0 || two(s, 0) < 0 || two(s, 2) < 0 || mo < 0 || d < 0) return notIso(s);
  let i = 10;
  let h = 0;
  let mi = 0;
  let sec = 0;
  let ms = 0;
  let offsetMin: number | undefined;
  if (i < n) {
    const sep = s[i];
    if (sep !== 'T' && sep !== 't' && sep !== ' ') return notIso(s);
    h = two(s, i + 1);
    mi = two(s, i + 4);
    if (h < 0 || s[i + 3] !== ':' || mi < 0) return notIso(s);
    i += 6;
    if (s[i] === ':') {
      sec = two(s, i + 1);
      if (sec < 0) return notIso(s);
      i += 3;
      if (s[i] === '.' || s[i] === ',') {
        let j = i + 1;
        let scale = 100;
        while (j < n && digit(s, j) >= 0) {
          ms += digit(s, j) * scale;
          scale /= 10;
          j++;
        }
        if (j === i + 1 || j - i - 1 > 9) return notIso(s);
        ms = Math.floor(ms);
        i = j;
      }
    }
    while (s[i] === ' ') i++;
    if (i < n) {
      const z = s[i];
      if (z === 'Z' || z === 'z') {
        offsetMin = 0;
        i++;
      } else if (z === '+' || z === '-') {
        const oh = two(s, i + 1);
        if (oh < 0) return notIso(s);
        i += 3;
        if (s[i] === ':') i++;
        let om = 0;
        if (i < n) {
          om = two(s, i);
          if (om < 0) return notIso(s);
          i += 2;
        }
        if (oh > 14 || om > 59) return bad(`no such UTC offset: "${clip(s)}"`);
        offsetMin = (z === '-' ? -1 : 1) * (oh * 60 + om);
      }
    }
    if (i !== n) return notIso(s);
  }
  if (!validDate(y, mo, d)) return bad(`no such date: "${clip(s)}"`);
  if (h > 23 || mi > 59 || sec > 59) return bad(`no such time: "${clip(s)}"`);
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  return offsetMin === undefined ? wallTimeToUtc(wall, tz) : wall - offsetMin * 60_000;
}

const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const INTEGER_RE = /^[+-]?\d+$/;

/**
 * The largest amount, price or rate a cell may hold (10^13 in the file's currency). A double holds
 * every cent up to about 9 * 10^13; past that a value is a typo or damage (a 400-digit price reads as
 * Infinity), and it must be a bad value with a reason before it reaches a buffer, never a number
 * that makes every sum it enters meaningless.
 */
export const AMOUNT_LIMIT = 1e13;

/**
 * The first day the lake's date partitions cover: Athena's partition projection enumerates `dt`
 * from here (infra/constructs/glue-columns.ts), so a row dated earlier would land where Athena never
 * looks. Ingest refuses such rows instead, with this reason.
 */
export const LAKE_FIRST_DAY = '1995-01-01'; // no online shop took an order before 1995
// In every time zone (UTC-12 to UTC+14) an instant from 14:00 UTC on the first day falls on it or later.
const LAKE_FIRST_MS = Date.parse(`${LAKE_FIRST_DAY}T14:00:00Z`);
/** Clock skew allowed for times "from the future" (an export written on a machine a little ahead). */
const FUTURE_SLACK_MS = 3_600_000;

/**
 * Why a row's time cannot be stored where readers will find it, or undefined: before the lake's
 * first day, or in the future (Athena projects partitions up to tomorrow in UTC, so a typo year
 * would be invisible there for years while local queries see it).
 */
export function lakeTimeProblem(ms: number, now = Date.now()): string | undefined {
  if (ms < LAKE_FIRST_MS) return `before ${LAKE_FIRST_DAY}, the first day the lake covers`;
  if (ms > now + FUTURE_SLACK_MS) return 'in the future';
  return undefined;
}

/** lakeTimeProblem as a row's reason, naming the time; undefined for a time the lake covers. */
export function lakeTimeReason(ms: number): string | undefined {
  const problem = lakeTimeProblem(ms);
  return problem === undefined ? undefined : `${new Date(ms).toISOString()} is ${problem}`;
}
/** The largest count (units, sessions): what a signed 32-bit integer holds. */
export const COUNT_LIMIT = 2_147_483_647;

/** A number read from digits, checked for size: finite and within the limit. */
function sized(v: number, raw: string, what: string): number | Bad {
  return Number.isFinite(v) && Math.abs(v) <= AMOUNT_LIMIT
    ? v
    : bad(`${what} is too large (over ${AMOUNT_LIMIT.toExponential()}): "${clip(raw)}"`);
}

/** A plain decimal number (no exponent, no thousands separators, no currency). */
export function parseDecimal(s: string, what = 'number'): number | Bad {
  if (!DECIMAL_RE.test(s)) return bad(`not a ${what}: "${clip(s)}"`);
  return sized(Number(s), s, what);
}

export function parseNonNegative(s: string, what = 'amount'): number | Bad {
  const v = parseDecimal(s, what);
  if (isBad(v)) return v;
  return v < 0 ? bad(`${what} is negative: "${clip(s)}"`) : v;
}

export function parseCount(s: string, what = 'whole number'): number | Bad {
  if (!INTEGER_RE.test(s)) return bad(`not a ${what}: "${clip(s)}"`);
  const v = Number(s);
  if (v < 0) return bad(`${what} is negative: "${clip(s)}"`);
  if (v > COUNT_LIMIT) return bad(`${what} is too large: "${clip(s)}"`);
  return v;
}

const CURRENCY_RE = /^[A-Za-z]{3}$/;
export function parseCurrency(s: string): string | Bad {
  return CURRENCY_RE.test(s) ? s.toUpperCase() : bad(`not an ISO 4217 currency code: "${clip(s)}"`);
}

/** Shortens a value quoted in an error message, so a 5,000-character field does not flood the log. */
export function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s;
}

/** Rounds money to 1/10,000 of a unit, so allocation leaves no binary-fraction noise. */
export const roundMoney = (v: number): number => Math.round(v * 10_000) / 10_000;

/**
 * A cell as spreadsheets and marketplaces guard it, unwrapped: surrounding spaces and TABs (Douyin
 * and TikTok pad ids with a TAB so Excel keeps them as text), an Excel formula text guard `="…"`
 * (Taobao order numbers) and a leading apostrophe (Taobao phones, Shopify zips).
 */
export function cleanCell(raw: string): string {
  let s = raw.trim();
  if (s.length >= 3 && s.charCodeAt(0) === 61 /* = */ && s[1] === '"' && s.endsWith('"')) {
    s = s.slice(2, -1).trim();
  }
  if (s.charCodeAt(0) === 39 /* ' */) s = s.slice(1).trim();
  return s;
}

const CURRENCY_MARKS = /^(?:US\$|C\$|A\$|HK\$|NT\$|S\$|R\$|RM|Rp|[$€£¥￥₩₹฿₫₱])/;
const THOUSANDS_RE = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;

/**
 * A money amount as exports format it: `1,234.50`, `$12.90`, `￥88`, `267.80元`, `-$3.00`, `12.90 USD`.
 * Only marks that cannot change the value are removed; anything else (`1.234,50`, `12e3`) is Bad.
 */
export function parseMoney(raw: string, what = 'amount'): number | Bad {
  let s = raw.trim();
  let sign = '';
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s[0] === '-' ? '-' : '';
    s = s.slice(1).trimStart();
  }
  s = s
    .replace(CURRENCY_MARKS, '')
    .replace(/\s*(?:元|[A-Z]{3})$/, '')
    .trim();
  if (s.startsWith('-') && !sign) {
    sign = '-';
    s = s.slice(1);
  }
  if (THOUSANDS_RE.test(s)) s = s.replace(/,/g, '');
  if (!DECIMAL_RE.test(s)) return bad(`not a ${what}: "${clip(raw)}"`);
  return sized(Number(sign + s), raw, what);
}

export function parseMoneyNonNegative(raw: string, what = 'amount'): number | Bad {
  const v = parseMoney(raw, what);
  if (isBad(v)) return v;
  return v < 0 ? bad(`${what} is negative: "${clip(raw)}"`) : v;
}

/** A whole number that may carry thousands separators (`"12,131"`). */
export function parseCountLoose(raw: string, what = 'whole number'): number | Bad {
  const s = raw.trim();
  return parseCount(THOUSANDS_RE.test(s) ? s.replace(/,/g, '') : s, what);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** `03/01/2026 10:00:00 AM`, `2017/07/08 00:42`, `Jul-21-25` and the like, split into their parts. */
const SLASH_RE =
  /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?(?:\s*(?:UTC|GMT)?\s*([+-]\d{2}:?\d{2}|Z))?$/;
const MONTH_NAME_RE =
  /^([A-Za-z]{3})[- ](\d{1,2})[-, ]+(\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])[Mm])?)?(?:\s*([A-Z]{3,4}))?$/;

/** Which of day and month comes first when a date starts with neither a year nor a month name. */
export type DayOrder = 'dmy' | 'mdy';

/**
 * Any date-time an export writes: ISO-8601 first (the fast path), then year-first with `/` or `.`,
 * day-first or month-first numeric dates (the format says which), 12-hour clocks, and eBay's
 * `Jul-21-25`. Without an offset the time is wall-clock time in `tz`. A trailing zone abbreviation
 * (eBay's `PDT`) is ignored, the shop time zone being the better guess for a seller's own report.
 */
export function parseDateTime(raw: string, tz: string, order: DayOrder = 'mdy'): number | Bad {
  const s = raw.trim();
  const iso = parseTimestamp(s, tz);
  if (!isBad(iso)) return iso;
  let y: number;
  let mo: number;
  let d: number;
  let parts: RegExpExecArray | null = SLASH_RE.exec(s);
  if (parts) {
    const [a, b, c] = [parts[1]!, parts[2]!, parts[3]!];
    if (a.length === 4) [y, mo, d] = [Number(a), Number(b), Number(c)];
    else if (c.length === 4 || c.length === 2) {
      y = c.length === 2 ? 2000 + Number(c) : Number(c);
      [mo, d] = order === 'dmy' ? [Number(b), Number(a)] : [Number(a), Number(b)];
    } else return bad(`not a date-time: "${clip(raw)}"`);
  } else {
    parts = MONTH_NAME_RE.exec(s);
    const month = parts ? MONTHS.indexOf(parts[1]!.toLowerCase()) : -1;
    if (!parts || month < 0) return bad(`not a date-time: "${clip(raw)}"`);
    const year = parts[3]!;
    [y, mo, d] = [year.length === 2 ? 2000 + Number(year) : Number(year), month + 1, Number(parts[2])];
    parts[8] = undefined as unknown as string; // a zone name, not an offset
  }
  let h = parts[4] ? Number(parts[4]) : 0;
  const mi = parts[5] ? Number(parts[5]) : 0;
  const sec = parts[6] ? Number(parts[6]) : 0;
  const ampm = parts[7]?.toLowerCase();
  if (ampm) {
    if (h < 1 || h > 12) return bad(`no such time: "${clip(raw)}"`);
    h = (h % 12) + (ampm === 'p' ? 12 : 0);
  }
  if (!validDate(y, mo, d)) return bad(`no such date: "${clip(raw)}"`);
  if (h > 23 || mi > 59 || sec > 59) return bad(`no such time: "${clip(raw)}"`);
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec);
  const off = parts[8];
  if (!off) return wallTimeToUtc(wall, tz);
  if (off === 'Z') return wall;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(off)!;
  return wall - (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

/**
 * A cell that cannot be read, thrown by `must` so a platform mapper reads as a list of columns; the
 * grouped-order mapper turns it into the row's quarantine reason. Rows are only thrown from when bad.
 */
export class CellError extends Error {
  constructor(
    readonly column: string,
    readonly reason: string,
    /** The order the row belongs to, when known: its other rows are rejected with it. */
    readonly orderId = '',
  ) {
    super(`${column}: ${reason}`);
    this.name = 'CellError';
  }
}

/** The parsed value, or a CellError naming the column. */
export function must<T>(value: T | Bad, column: string, orderId = ''): T {
  if (value instanceof Bad) throw new CellError(column, value.reason, orderId);
  return value;
}

/** Parses a cell only when it is not empty. */
export const optional = <T>(raw: string, parse: (s: string) => T | Bad): T | null | Bad =>
  raw === '' ? null : parse(raw);

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

/** A plain decimal number (no exponent, no thousands separators, no currency). */
export function parseDecimal(s: string, what = 'number'): number | Bad {
  if (!DECIMAL_RE.test(s)) return bad(`not a ${what}: "${clip(s)}"`);
  return Number(s);
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
  if (v > 2_147_483_647) return bad(`${what} is too large: "${clip(s)}"`);
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

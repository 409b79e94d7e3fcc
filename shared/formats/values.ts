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

const TS_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * ISO-8601 date or date-time. With an offset or Z it is an instant; without one it is wall-clock time
 * in `tz`. A bare date is midnight in `tz`. Returns epoch milliseconds (UTC).
 */
export function parseTimestamp(s: string, tz: string): number | Bad {
  const m = TS_RE.exec(s);
  if (!m) return bad(`not an ISO-8601 date or date-time: "${clip(s)}"`);
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  if (!validDate(y, mo, d)) return bad(`no such date: "${clip(s)}"`);
  const h = hs ? Number(hs) : 0;
  const mi = mis ? Number(mis) : 0;
  const sec = ss ? Number(ss) : 0;
  if (h > 23 || mi > 59 || sec > 59) return bad(`no such time: "${clip(s)}"`);
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  if (!zone) return wallTimeToUtc(wall, tz);
  if (zone === 'Z' || zone === 'z') return wall;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const oh = Number(digits.slice(0, 2));
  const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (oh > 14 || om > 59) return bad(`no such UTC offset: "${clip(s)}"`);
  return wall - sign * (oh * 60 + om) * 60_000;
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

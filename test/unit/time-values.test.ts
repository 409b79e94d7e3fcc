import { describe, expect, it } from 'vitest';
import { isBad, parseCount, parseDecimal, parseTimestamp } from '../../shared/formats/values.ts';
import { addDays, daysBetween, isoDate, localDate, wallTimeToUtc } from '../../shared/time.ts';

const iso = (v: number | { reason: string }) =>
  typeof v === 'number' ? new Date(v).toISOString() : v.reason;

describe('timestamps', () => {
  it('reads offsets, Z, and Shopify-style " -0500"', () => {
    expect(iso(parseTimestamp('2026-03-02T10:15:00Z', 'Asia/Shanghai'))).toBe('2026-03-02T10:15:00.000Z');
    expect(iso(parseTimestamp('2026-03-02T10:15:00+08:00', 'UTC'))).toBe('2026-03-02T02:15:00.000Z');
    expect(iso(parseTimestamp('2026-03-02 10:15:00 -0500', 'UTC'))).toBe('2026-03-02T15:15:00.000Z');
    expect(iso(parseTimestamp('2026-03-02T10:15:00.123456Z', 'UTC'))).toBe('2026-03-02T10:15:00.123Z');
  });

  it('reads bare dates and times in the shop time zone, across daylight saving', () => {
    expect(iso(parseTimestamp('2026-03-02', 'Asia/Shanghai'))).toBe('2026-03-01T16:00:00.000Z');
    // New York: EST (-5) before 8 March 2026, EDT (-4) after.
    expect(iso(parseTimestamp('2026-03-07 12:00', 'America/New_York'))).toBe('2026-03-07T17:00:00.000Z');
    expect(iso(parseTimestamp('2026-03-09 12:00', 'America/New_York'))).toBe('2026-03-09T16:00:00.000Z');
    // 02:30 on 8 March does not exist in New York; it is read with the later offset.
    expect(iso(wallTimeToUtc(Date.UTC(2026, 2, 8, 2, 30), 'America/New_York'))).toMatch(
      /^2026-03-08T0[67]:30/,
    );
  });

  it('rejects impossible dates, times and offsets with the reason', () => {
    expect(iso(parseTimestamp('2026-02-29', 'UTC'))).toBe('no such date: "2026-02-29"');
    expect(iso(parseTimestamp('2028-02-29', 'UTC'))).toBe('2028-02-29T00:00:00.000Z');
    expect(iso(parseTimestamp('2026-01-01T24:00:00', 'UTC'))).toBe('no such time: "2026-01-01T24:00:00"');
    expect(iso(parseTimestamp('2026-01-01T10:00:00+15:00', 'UTC'))).toMatch(/no such UTC offset/);
    expect(iso(parseTimestamp('01/02/2026', 'UTC'))).toMatch(/not an ISO-8601/);
  });

  it('gives the local calendar date of an instant', () => {
    const t = Date.UTC(2026, 0, 31, 20, 0);
    expect(localDate(t, 'UTC')).toBe('2026-01-31');
    expect(localDate(t, 'Asia/Shanghai')).toBe('2026-02-01');
    expect(localDate(t, 'America/Los_Angeles')).toBe('2026-01-31');
  });

  it('counts and adds days', () => {
    expect(daysBetween('2026-02-27', '2026-03-01')).toBe(2);
    expect(addDays('2026-03-01', -30)).toBe('2026-01-30');
  });
});

describe('numbers', () => {
  it('accepts plain decimals and rejects anything else', () => {
    expect(parseDecimal('12.50')).toBe(12.5);
    expect(parseDecimal('-.5')).toBe(-0.5);
    for (const s of ['12,50', '1e3', '0x10', '', ' ', '$5', 'NaN', 'Infinity'])
      expect(isBad(parseDecimal(s))).toBe(true);
  });

  it('accepts whole, non-negative counts only', () => {
    expect(parseCount('3')).toBe(3);
    for (const s of ['1.5', '-1', 'two', '99999999999']) expect(isBad(parseCount(s))).toBe(true);
  });
});

describe('isoDate (cached by day number)', () => {
  it('gives Date#toISOString’s day for any instant, midnight or not, before 1970 or far ahead', () => {
    const day = 86_400_000;
    const instants = [0, -1, day - 1, day, -day - 1, 1.7e12 + 123, 8.64e15, -8.64e15, 951_782_400_000];
    for (let i = 0; i < 2_000; i++) instants.push(Math.round((Math.random() - 0.5) * 2e13));
    for (const ms of [...instants, ...instants])
      expect(isoDate(ms), String(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
  });

  it('refuses what is not a date, every time', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => isoDate(Number.NaN)).toThrow(RangeError);
      expect(() => isoDate(8.64e15 + 86_400_000)).toThrow(RangeError);
    }
  });
});

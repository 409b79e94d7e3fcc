/**
 * Exchange rates for the reporting-currency amount of each order line. Rates come from the
 * `fx_rates` table (a rates CSV ingested like any export). A line takes the rate of its order date,
 * or the latest one up to 7 days earlier (no rates are published on weekends and holidays); with
 * none, its reporting amount stays null and ingest names the currency and dates. Never a silent 1.0.
 */

import { addDays } from '../time.ts';

/** [currency, date, rate] rows: plain data, so a worker thread can take them. */
export type RateRows = [currency: string, date: string, rate: number][];

/** Lines without a rate in one currency, and the order dates they span. */
export interface RateGap {
  lines: number;
  from: string;
  to: string;
}

const LOOKBACK_DAYS = 7;

/** Looks up the rate of a currency on a day, memoised per (currency, day): ingest asks per line. */
export class RateBook {
  private readonly byCurrency = new Map<string, Map<string, number>>();
  private readonly memo = new Map<string, Map<string, number | null>>();
  private lastCurrency = '';
  private lastDate = '';
  private lastRate: number | null = null;

  constructor(
    rows: RateRows,
    private readonly reportingCurrency: string,
  ) {
    for (const [c, d, r] of rows) {
      let days = this.byCurrency.get(c);
      if (!days) {
        days = new Map();
        this.byCurrency.set(c, days);
      }
      days.set(d, r);
    }
  }

  /** Reporting-currency units per unit of `currency` on `date` (YYYY-MM-DD), or null. */
  rate(currency: string, date: string): number | null {
    if (currency === this.reportingCurrency) return 1;
    // The lines of one order, and of a date-sorted export, ask the same question in a row.
    if (currency === this.lastCurrency && date === this.lastDate) return this.lastRate;
    let memo = this.memo.get(currency);
    if (!memo) {
      memo = new Map();
      this.memo.set(currency, memo);
    }
    let found = memo.get(date);
    if (found === undefined) {
      const days = this.byCurrency.get(currency);
      found = null;
      for (let back = 0; days && back <= LOOKBACK_DAYS && found === null; back++) {
        found = days.get(back ? addDays(date, -back) : date) ?? null;
      }
      memo.set(date, found);
    }
    this.lastCurrency = currency;
    this.lastDate = date;
    this.lastRate = found;
    return found;
  }
}

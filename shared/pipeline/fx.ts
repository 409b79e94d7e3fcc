/**
 * Exchange rates for the reporting-currency amount of each order line. Rates come from the
 * `fx_rates` table (a rates CSV ingested like any export). A line takes the rate of its order date,
 * or the latest one up to 7 days earlier (no rates are published on weekends and holidays); with
 * none, its reporting amount stays null and ingest names the currency and dates. Never a silent 1.0.
 */

import { tablePrefix } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { readParquetRows } from '../lake/parquet.ts';
import { fxRates } from '../schemas/tables.ts';
import { addDays, dateValue } from '../time.ts';

/** [currency, date, rate] rows: plain data, so a worker thread can take them. */
export type RateRows = [currency: string, date: string, rate: number][];

/** Lines without a rate in one currency, and the order dates they span. */
export interface RateGap {
  lines: number;
  from: string;
  to: string;
}

const LOOKBACK_DAYS = 7;

/** Every rate into the reporting currency; where files disagree on a day, the latest export wins. */
export async function loadRates(lake: Lake, reportingCurrency: string): Promise<RateRows> {
  const rows = await readParquetRows(lake, tablePrefix(fxRates));
  const best = new Map<string, { rate: number; at: number }>();
  for (const r of rows) {
    if (r.reporting_currency !== reportingCurrency) continue;
    const key = `${r.currency}|${dateValue(r.date)}`;
    const at = Number(r.exported_at);
    const seen = best.get(key);
    if (!seen || at >= seen.at) best.set(key, { rate: Number(r.rate), at });
  }
  return [...best].map(([k, v]) => {
    const [currency, date] = k.split('|') as [string, string];
    return [currency, date, v.rate];
  });
}

/** Looks up the rate of a currency on a day, memoised per (currency, day): ingest asks per line. */
export class RateBook {
  private readonly byCurrency = new Map<string, Map<string, number>>();
  private readonly memo = new Map<string, Map<string, number | null>>();

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
    let memo = this.memo.get(currency);
    if (!memo) {
      memo = new Map();
      this.memo.set(currency, memo);
    }
    const known = memo.get(date);
    if (known !== undefined) return known;
    const days = this.byCurrency.get(currency);
    let found: number | null = null;
    for (let back = 0; days && back <= LOOKBACK_DAYS && found === null; back++) {
      found = days.get(back ? addDays(date, -back) : date) ?? null;
    }
    memo.set(date, found);
    return found;
  }
}

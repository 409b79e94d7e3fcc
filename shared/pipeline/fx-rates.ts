/**
 * The rates ingest converts with, read from the `fx_rates` table once per file and handed to the
 * RateBook of each part (see fx.ts). Apart from fx.ts because reading Parquet loads a decoder that
 * the ingest worker thread does not need.
 */

import { readCommittedRows } from '../lake/compaction.ts';
import type { Lake } from '../lake/lake.ts';
import { fxRates } from '../schemas/tables.ts';
import { dateValue } from '../time.ts';
import type { RateRows } from './fx.ts';

/**
 * Every committed rate into the reporting currency; where files disagree on a day, the latest
 * export wins.
 */
export async function loadRates(lake: Lake, reportingCurrency: string): Promise<RateRows> {
  const rows = await readCommittedRows(lake, fxRates);
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

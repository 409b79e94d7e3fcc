/**
 * An inventory snapshot arriving re-evaluates stock risk for the SKUs it covers at once, with the
 * latest demand forecast, ABC classes and lead times in the lake, instead of waiting for the daily
 * run. Warnings go to alerts/stockout/dt=<snapshot date>/drop-<batch>.parquet, marked
 * `inventory_drop`, and as CSV to lists/stockout/dt=<snapshot date>/stockout-drop-<batch>.csv, under the same cooldown as the daily run's. Reads Parquet directly, so it
 * runs the same in the ingest Lambda (no SQL engine there).
 */
import { itemKey, type StockoutAlert, stockoutAlerts, stockoutCsv } from '../alerts/stockout.ts';
import type { Config } from '../config.ts';
import type { TableRow } from '../formats/format.ts';
import { readCommittedRows } from '../lake/compaction.ts';
import { dataFileKey, partitionPrefix, stockoutDropListKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { encodeTable, latestPartitionDate, rowsToColumns } from '../lake/parquet.ts';
import { readParquetRows } from '../lake/parquet-read.ts';
import { intervalSd, type SeriesForecast } from '../models/forecast.ts';
import type { AbcClass } from '../models/stock-risk.ts';
import { abc, demandForecast, products, stockout } from '../schemas/tables.ts';
import { addDays, dateValue as day, localDate } from '../time.ts';
import type { Log } from './log.ts';
import { stockRows } from './product-run.ts';

export interface ArrivalResult {
  evaluated: number;
  alerts: StockoutAlert[];
  /** The snapshot date: the alerts' partition. */
  date: string;
  forecastDate: string | null;
  key: string | null;
  csvKey: string | null;
}

export async function evaluateStockOnArrival(
  lake: Lake,
  config: Config,
  log: Log,
  batchId: string,
  snapshot: readonly TableRow[],
): Promise<ArrivalResult> {
  const snapshotDate = localDate(Math.max(0, ...snapshot.map((r) => Number(r.snapshot_ts))), config.timeZone);
  const none = { evaluated: 0, alerts: [], date: snapshotDate, forecastDate: null, key: null, csvKey: null };
  if (snapshot.length === 0) return none;
  const forecastDate = await latestPartitionDate(lake, demandForecast, snapshotDate, true);
  if (!forecastDate) {
    log.info(
      'stock risk: no demand forecast in the lake yet (run `storepulse run` once); the snapshot waits for the daily run',
    );
    return none;
  }
  const skus = new Set(snapshot.map((r) => String(r.sku)));
  const forecastRows = (
    await readParquetRows(lake, partitionPrefix(demandForecast, { dt: forecastDate }))
  ).filter((r) => skus.has(String(r.sku)));
  // Rebuild each series' forecast from the stored days after the snapshot; the interval gives back the error sd.
  const series = new Map<string, SeriesForecast>();
  for (const r of forecastRows.sort((a, b) => day(a.date).localeCompare(day(b.date)))) {
    if (day(r.date) <= snapshotDate) continue;
    const key = `${String(r.sku)}\u0000${String(r.warehouse)}`;
    const f = series.get(key) ?? {
      method: 'ets' as const,
      params: '',
      mase: null,
      naiveMase: null,
      demandSd: 0,
      forecast: [],
    };
    f.forecast.push({ mean: Number(r.units), lower: Number(r.lower), upper: Number(r.upper) });
    series.set(key, f);
  }
  for (const f of series.values()) f.demandSd = intervalSd(f.forecast);
  const bySku = new Map<string, SeriesForecast>();
  for (const [key, f] of series) {
    const sku = key.split('\u0000')[0]!;
    const total = bySku.get(sku);
    if (!total) bySku.set(sku, { ...f, forecast: f.forecast.map((p) => ({ ...p })) });
    else {
      total.forecast.forEach((p, k) => {
        p.mean += f.forecast[k]?.mean ?? 0;
      });
      total.demandSd = Math.sqrt(total.demandSd ** 2 + f.demandSd ** 2);
    }
  }
  const abcDate = await latestPartitionDate(lake, abc, snapshotDate, true);
  const classes = new Map<string, AbcClass>(
    abcDate
      ? (await readParquetRows(lake, partitionPrefix(abc, { dt: abcDate }))).map((r) => [
          String(r.sku),
          r.abc_class as AbcClass,
        ])
      : [],
  );
  const latestProduct = new Map<string, { at: number; lead: number | null; shelf: number | null }>();
  for (const p of await readCommittedRows(lake, products)) {
    const seen = latestProduct.get(String(p.sku));
    const at = Number(p.exported_at);
    if (!seen || at >= seen.at) {
      latestProduct.set(String(p.sku), {
        at,
        lead: p.lead_time_days === null ? null : Number(p.lead_time_days),
        shelf: p.shelf_life_days === null ? null : Number(p.shelf_life_days),
      });
    }
  }
  const inventory = snapshot.map((r) => ({
    sku: r.sku,
    warehouse: r.warehouse ?? '(none)',
    snapshot_date: snapshotDate,
    on_hand: r.on_hand,
    inbound: r.inbound ?? 0,
    reserved: r.reserved ?? 0,
  }));
  const risk = stockRows(
    inventory,
    {
      forecasts: {
        series: (sku: string, warehouse: string) => series.get(`${sku}\u0000${warehouse}`),
        sku: (sku: string) => bySku.get(sku),
      },
      abcClass: classes,
      products: latestProduct,
    },
    config,
  );
  const warned = new Set<string>();
  for (let d = 0; d < config.cooldownDays; d++) {
    for (const r of await readParquetRows(
      lake,
      partitionPrefix(stockout, { dt: addDays(snapshotDate, -d) }),
    )) {
      warned.add(itemKey(String(r.sku), String(r.warehouse)));
    }
  }
  const alerts = stockoutAlerts(risk, warned, 'inventory_drop');
  let key: string | null = null;
  let csvKey: string | null = null;
  if (alerts.length) {
    key = dataFileKey(stockout, { dt: snapshotDate }, `drop-${batchId}`);
    csvKey = stockoutDropListKey(snapshotDate, batchId);
    await lake.put(key, await encodeTable(stockout, rowsToColumns(stockout, alerts)));
    await lake.put(csvKey, stockoutCsv(alerts));
  }
  log.info(
    `stock risk on arrival: ${risk.length} item(s) of the snapshot against the forecast of ${forecastDate}: ` +
      `${alerts.length} stockout warning(s)${key ? ` (${key})` : ''}`,
  );
  return { evaluated: risk.length, alerts, date: snapshotDate, forecastDate, key, csvKey };
}

/**
 * The daily run for an as-of date: SQL tier aggregates -> model tier -> model partitions -> alerts.
 * Every output partition is replaced atomically, so re-running a date is safe and gives the same answer.
 */

import { type ChurnRecallAlert, churnRecallAlerts } from '../alerts/churn-recall.ts';
import { type Contact, recallCsv } from '../alerts/recall-csv.ts';
import type { Config } from '../config.ts';
import { dataFileKey, partitionFileKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { encodeTable, rowsToColumns } from '../lake/parquet.ts';
import { type CustomerPurchases, computeRfm } from '../models/rfm.ts';

import type { TableSpec } from '../schemas/table.ts';
import { churnRecall, contacts, rfm, SEGMENTS, type Segment } from '../schemas/tables.ts';
import type { SqlEngine } from '../sql/engine.ts';
import { stringList } from '../sql/render.ts';
import { addDays, DATE_RE } from '../time.ts';
import type { Log } from './log.ts';

export interface DailyRunDeps {
  lake: Lake;
  config: Config;
  log: Log;
  /** Opens the SQL tier over the lake; `tables` limits the views (the restricted contacts table). */
  openEngine(tables?: readonly TableSpec[]): Promise<SqlEngine>;
}

export interface DailyRunSummary {
  asOf: string;
  customers: number;
  customersWithoutRate: number;
  segments: Record<Segment, number>;
  means: { recency_days: number; frequency: number; monetary: number };
  recall: { alerts: number; suppressedByCooldown: number; csvKey: string; top: ChurnRecallAlert[] };
  outputs: string[];
  seconds: number;
}

/** Writes one model/alert partition as a single file, replacing the previous run of that date. */
async function writePartition(
  lake: Lake,
  spec: TableSpec,
  asOf: string,
  rows: readonly Record<string, unknown>[],
) {
  const key = dataFileKey(spec, { dt: asOf }, 'part-0000');
  await lake.put(key, await encodeTable(spec, rowsToColumns(spec, rows)));
  return key;
}

export async function runDaily(deps: DailyRunDeps, asOf: string): Promise<DailyRunSummary> {
  if (!DATE_RE.test(asOf)) throw new Error(`as-of date must be YYYY-MM-DD, got "${asOf}"`);
  const started = Date.now();
  const { lake, config, log } = deps;
  const engine = await deps.openEngine();
  try {
    log.info(`run ${asOf}: aggregating purchases per customer`);
    const aggregates = (await engine.runNamed('rfm_customer_aggregates', {
      as_of: asOf,
    })) as unknown as (CustomerPurchases & {
      lines_without_rate: number;
    })[];
    const customersWithoutRate = aggregates.filter((a) => a.lines_without_rate > 0).length;
    if (customersWithoutRate) {
      log.warn(
        `${customersWithoutRate} customer(s) have purchases without an exchange rate to ${config.reportingCurrency}; ` +
          'their monetary value leaves those purchases out',
      );
    }
    log.info(`run ${asOf}: RFM over ${aggregates.length} customers`);
    const result = computeRfm(aggregates, asOf);
    const outputs = [
      await writePartition(lake, rfm, asOf, result.rows as unknown as Record<string, unknown>[]),
    ];

    const since = addDays(asOf, -config.cooldownDays);
    const recent = await engine.runNamed('recently_recalled', { as_of: asOf, since });
    const recentlyRecalled = new Set(recent.map((r) => String(r.customer_id)));
    const alerts = churnRecallAlerts(result.rows, { means: result.means, recentlyRecalled });
    const suppressed = result.rows.filter(
      (r) =>
        recentlyRecalled.has(r.customer_id) &&
        (r.segment === 'important_retention' || r.segment === 'important_winback'),
    ).length;
    outputs.push(
      await writePartition(lake, churnRecall, asOf, alerts as unknown as Record<string, unknown>[]),
    );

    const contactsById = await loadContacts(deps, alerts);
    const csvKey = partitionFileKey(churnRecall, { dt: asOf }, 'recall.csv');
    await lake.put(csvKey, recallCsv(alerts, contactsById));
    outputs.push(csvKey);

    const segments = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
    for (const r of result.rows) segments[r.segment]++;
    return {
      asOf,
      customers: result.rows.length,
      customersWithoutRate,
      segments,
      means: result.means,
      recall: { alerts: alerts.length, suppressedByCooldown: suppressed, csvKey, top: alerts.slice(0, 5) },
      outputs,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await engine.close();
  }
}

async function loadContacts(
  deps: DailyRunDeps,
  alerts: readonly ChurnRecallAlert[],
): Promise<Map<string, Contact>> {
  const byId = new Map<string, Contact>();
  if (!alerts.length) return byId;
  const engine = await deps.openEngine([contacts]);
  try {
    const rows = await engine.runNamed('recall_contacts', {
      customer_ids: stringList(alerts.map((a) => a.customer_id)),
    });
    for (const r of rows) byId.set(String(r.customer_id), r as unknown as Contact);
  } finally {
    await engine.close();
  }
  return byId;
}

/**
 * The first step of a scheduled run: which date it is for, and the SQL stage's statement that Step
 * Functions runs on Athena: the run's snapshot of the order history (the `order_lines` rows up to
 * the as-of date, UNLOADed to Parquet under the run's own prefix), which every later query reads.
 * `bounds` (from the commit records) keep Athena to the days and sources that hold lines.
 */
import { type HistoryBounds, orderLinesRunPrefix, orderLinesSnapshotSql } from '../sql/views.ts';
import { type RunRequest, resolveAsOf } from './schedule.ts';

export interface RunPlan {
  asOf: string;
  /** The run the snapshot is made for: the models stage reads `order_lines` from it. */
  orderLinesRun: string;
  /** The Athena statement of the SQL stage. */
  snapshotQuery: string;
}

export function planRun(
  req: RunRequest & { runId: string },
  timeZone: string,
  lakeUri: (key: string) => string,
  bounds?: HistoryBounds,
): RunPlan {
  const asOf = resolveAsOf(req, timeZone);
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(req.runId))
    throw new Error(`run id must be a plain name, got "${req.runId}"`);
  return {
    asOf,
    orderLinesRun: req.runId,
    snapshotQuery: `UNLOAD (${orderLinesSnapshotSql(asOf, bounds)}) TO '${lakeUri(orderLinesRunPrefix(req.runId))}' WITH (format = 'PARQUET')`,
  };
}

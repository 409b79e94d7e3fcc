/**
 * The first step of a scheduled run: which date it is for, and the SQL stage's statement (the RFM
 * aggregation, as UNLOAD to Parquet under a prefix of its own) that Step Functions runs on Athena.
 */
import { athenaUnloadPrefix } from '../lake/keys.ts';
import { loadSql, renderSql } from '../sql/render.ts';
import { type RunRequest, resolveAsOf } from './schedule.ts';

export interface RunPlan {
  asOf: string;
  /** Lake prefix the SQL stage writes the aggregates to, and the models stage reads them from. */
  aggregatesPrefix: string;
  /** The Athena statement of the SQL stage. */
  aggregatesQuery: string;
}

export function planRun(
  req: RunRequest & { runId: string },
  timeZone: string,
  lakeUri: (key: string) => string,
): RunPlan {
  const asOf = resolveAsOf(req, timeZone);
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(req.runId))
    throw new Error(`run id must be a plain name, got "${req.runId}"`);
  const aggregatesPrefix = `${athenaUnloadPrefix}daily/${asOf}/${req.runId}/`;
  // order_lines is a Glue view (committed batches, latest versions): the query runs as written.
  const sql = renderSql('rfm_customer_aggregates', loadSql('rfm_customer_aggregates'), { as_of: asOf });
  return {
    asOf,
    aggregatesPrefix,
    aggregatesQuery: `UNLOAD (${sql}) TO '${lakeUri(aggregatesPrefix)}' WITH (format = 'PARQUET')`,
  };
}

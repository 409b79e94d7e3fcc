/**
 * Every model stage of the daily run. Adding a model = its stage file (queries, reads, writes,
 * settings, memory and timeout, compute, report sections, CLI lines) + its .sql files + tests, and
 * its entry here. The entry is written out, not discovered from the folder, because the Lambda
 * bundles need static imports and this tuple's type is what types the run summary by stage name.
 * The runner derives the order from what each stage reads and writes; the state machine, the IAM
 * grants, the report and the CLI summary all read this list.
 */
import { diagnostics } from '../schemas/tables.ts';
import { aarrrStage } from './aarrr.ts';
import { aiplStage } from './aipl.ts';
import { basketStage } from './basket.ts';
import { churnRecallStage } from './churn-recall.ts';
import { clvStage } from './clv.ts';
import { funnelStage } from './funnel.ts';
import { orderHistoryStage } from './order-history.ts';
import { productStage } from './product.ts';
import { rfmStage } from './rfm.ts';

export const STAGES = [
  orderHistoryStage,
  rfmStage,
  clvStage,
  aarrrStage,
  aiplStage,
  churnRecallStage,
  productStage,
  basketStage,
  funnelStage,
] as const;

/** The run's own table: the metrics every stage returns, one partition per run. */
export const RUN_METRICS_TABLE = diagnostics;

/**
 * Every model stage of the daily run. Adding a model = its stage file (queries, reads, writes,
 * settings, compute) + its .sql files + tests, and a line here; the runner derives the order from
 * what each stage reads and writes.
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

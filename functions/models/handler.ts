/**
 * Models stage (Step Functions, after the Athena SQL stage): per-customer aggregates -> RFM and the
 * churn-recall partition for the as-of date. Wiring only; see shared/pipeline/daily-run.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { readParquetRows } from '../../shared/lake/parquet-read.ts';
import { type ModelsSummary, runModels } from '../../shared/pipeline/daily-run.ts';
import { type RunRequest, resolveAsOf } from '../../shared/pipeline/schedule.ts';
import { athenaEngine, awsLake, toLog } from '../runtime.ts';

const env = loadLambdaEnv(process.env, ['athena']);
const logger = new Logger({ serviceName: 'storepulse-models' });
const lake = awsLake(env);
const openEngine = athenaEngine(env, lake);

export interface ModelsEvent extends RunRequest {
  /** Lake prefix where the SQL stage UNLOADed rfm_customer_aggregates; absent: run the SQL here. */
  aggregatesPrefix?: string;
}

export const handler = middy(
  async (event: ModelsEvent): Promise<Omit<ModelsSummary, 'recall'> & { alerts: number }> => {
    const asOf = resolveAsOf(event, env.config.timeZone);
    const aggregates = event.aggregatesPrefix
      ? ((await readParquetRows(lake, event.aggregatesPrefix)) as never)
      : undefined;
    const { recall, ...summary } = await runModels(
      { lake, config: env.config, log: toLog(logger), openEngine },
      asOf,
      aggregates,
    );
    logger.info('models written', { asOf, customers: summary.customers, alerts: recall.alerts });
    return { ...summary, alerts: recall.alerts };
  },
).use(injectLambdaContext(logger));

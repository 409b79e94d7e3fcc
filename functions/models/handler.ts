/**
 * Models stage (Step Functions, after the Athena SQL stage made the run's order-history snapshot): RFM and the
 * churn-recall partition for the as-of date. Wiring only; see shared/pipeline/daily-run.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { type ModelsSummary, runModels } from '../../shared/pipeline/daily-run.ts';
import { type RunRequest, resolveAsOf } from '../../shared/pipeline/schedule.ts';
import { athenaEngine, awsLake, toLog } from '../runtime.ts';

const env = loadLambdaEnv(process.env, ['athena']);
const logger = new Logger({ serviceName: 'storepulse-models' });
const lake = awsLake(env);
const openEngine = athenaEngine(env, lake);

export interface ModelsEvent extends RunRequest {
  /** The run whose order-history snapshot the SQL stage UNLOADed; absent: the snapshot is made here. */
  orderLinesRun?: string;
}

export const handler = middy(
  async (event: ModelsEvent): Promise<Omit<ModelsSummary, 'recall'> & { alerts: number }> => {
    const asOf = resolveAsOf(event, env.config.timeZone);
    const { recall, ...summary } = await runModels(
      { lake, config: env.config, log: toLog(logger), openEngine },
      asOf,
      event.orderLinesRun ? { orderLinesRun: event.orderLinesRun } : {},
    );
    logger.info('models written', { asOf, customers: summary.customers, alerts: recall.alerts });
    return { ...summary, alerts: recall.alerts };
  },
).use(injectLambdaContext(logger));

/**
 * Plan stage: moves CSV lists an earlier version left inside alert tables, and resolves the as-of date
 * and the SQL stage's statement for the state machine.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { commitRecords, historyBounds } from '../../shared/lake/commits.ts';
import { moveLegacyLists } from '../../shared/pipeline/daily-run.ts';
import { planRun, type RunPlan } from '../../shared/pipeline/plan.ts';
import type { RunRequest } from '../../shared/pipeline/schedule.ts';
import { churnRecall, orderLines, stockout } from '../../shared/schemas/tables.ts';
import { awsLake, toLog } from '../runtime.ts';

const env = loadLambdaEnv();
const logger = new Logger({ serviceName: 'storepulse-plan' });
const lake = awsLake(env);

/** The state machine passes its own input (a schedule's time, or an explicit date) and execution name. */
export interface PlanEvent {
  request: RunRequest;
  runId: string;
}

export const handler = middy(async (event: PlanEvent): Promise<RunPlan> => {
  // Before any query: Athena reads every file under a table's location, and the model stages read
  // churn_recall and stockout (the cooldowns); an earlier version kept CSV lists there.
  for (const spec of [churnRecall, stockout]) await moveLegacyLists(lake, spec, toLog(logger));
  // Where the committed order lines lie (the commit records): the snapshot reads those days only.
  const bounds = historyBounds(await commitRecords(lake), orderLines.name);
  const plan = planRun(
    { ...event.request, runId: event.runId },
    env.config.timeZone,
    (key) => lake.uri(key),
    bounds,
  );
  logger.info('planned run', { asOf: plan.asOf, orderLinesRun: plan.orderLinesRun, bounds });
  return plan;
}).use(injectLambdaContext(logger));

/** Plan stage: resolves the as-of date and the SQL stage's statement for the state machine. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { planRun, type RunPlan } from '../../shared/pipeline/plan.ts';
import type { RunRequest } from '../../shared/pipeline/schedule.ts';
import { awsLake } from '../runtime.ts';

const env = loadLambdaEnv();
const logger = new Logger({ serviceName: 'storepulse-plan' });
const lake = awsLake(env);

/** The state machine passes its own input (a schedule's time, or an explicit date) and execution name. */
export interface PlanEvent {
  request: RunRequest;
  runId: string;
}

export const handler = middy(async (event: PlanEvent): Promise<RunPlan> => {
  const plan = planRun({ ...event.request, runId: event.runId }, env.config.timeZone, (key) => lake.uri(key));
  logger.info('planned run', { asOf: plan.asOf, orderLinesRun: plan.orderLinesRun });
  return plan;
}).use(injectLambdaContext(logger));

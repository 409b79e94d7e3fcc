/**
 * The end of the model stages (Step Functions, after the last wave): every stage's metrics as the
 * run's diagnostics partition; the run fails here, naming each stage that failed or was not run and
 * why, after the others have written. Wiring only; see shared/pipeline/stage-invocation.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { finishStages, outcomesOfWaves, type StageOutcome } from '../../shared/pipeline/stage-invocation.ts';
import { awsLake } from '../runtime.ts';

const env = loadLambdaEnv(process.env);
const logger = new Logger({ serviceName: 'storepulse-models' });
const lake = awsLake(env);

export interface ModelsEvent {
  asOf: string;
  /** The run (its order-history snapshot), under which the stages wrote their metrics. */
  orderLinesRun: string;
  /** Every wave's stage outcomes, by wave. */
  waves: Record<string, StageOutcome[]>;
}

export const handler = middy(async (event: ModelsEvent): Promise<{ stages: number; output: string }> => {
  const outcomes = outcomesOfWaves(event.waves);
  const done = await finishStages(lake, event, outcomes);
  logger.info('models written', {
    asOf: event.asOf,
    seconds: Object.fromEntries(outcomes.map((o) => [o.stage, o.seconds])),
  });
  return done;
}).use(injectLambdaContext(logger));

/**
 * One model stage of the daily run (the state machine's waves): the stage this function was made
 * for, against the run's snapshot of the order history. Its grants are derived from that stage's
 * declared reads and writes (infra/constructs/model-stages.ts). Wiring only; see
 * shared/pipeline/stage-invocation.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { ConfigError, UsageError } from '../../shared/errors.ts';
import {
  outcomesOfWaves,
  runStageInvocation,
  type StageOutcome,
  stageNamed,
} from '../../shared/pipeline/stage-invocation.ts';
import { athenaEngine, awsLake, toLog } from '../runtime.ts';

const env = loadLambdaEnv(process.env, ['athena']);
const logger = new Logger({ serviceName: 'storepulse-stage' });
const lake = awsLake(env);
const openEngine = athenaEngine(env, lake);
const own = process.env.MODEL_STAGE;
if (!own) throw new ConfigError('MODEL_STAGE is not set: the function does not know its stage');
stageNamed(own);

export interface StageEvent {
  asOf: string;
  orderLinesRun: string;
  stage: string;
  /** The outcomes of the waves before, by wave. */
  waves: Record<string, StageOutcome[]>;
}

export const handler = middy(async (event: StageEvent): Promise<StageOutcome> => {
  if (event.stage !== own) {
    throw new UsageError(`this function runs stage ${own}, asked for ${event.stage}`);
  }
  const outcome = await runStageInvocation(
    { lake, config: env.config, log: toLog(logger), openEngine },
    { ...event, outcomes: outcomesOfWaves(event.waves) },
  );
  logger.info('stage done', { ...outcome });
  return outcome;
}).use(injectLambdaContext(logger));

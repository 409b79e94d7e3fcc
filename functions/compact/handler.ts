/**
 * Compaction stage, the daily run's first state: each partition of the ingested tables as one file,
 * superseded order-line versions archived, the commit records merged (shared/lake/compaction.ts).
 * The state machine goes on to plan the run whatever happens here: the rows are the same either way.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { type CompactionReport, compactLake } from '../../shared/lake/compaction.ts';
import { awsLake } from '../runtime.ts';

const env = loadLambdaEnv();
const logger = new Logger({ serviceName: 'storepulse-compact' });
const lake = awsLake(env);

export const handler = middy(async (): Promise<CompactionReport> => {
  const started = Date.now();
  const report = await compactLake(lake, {
    onProgress: (done, total) => {
      if (done % 500 === 0) logger.info('compacting', { done, total });
    },
  });
  logger.info('lake compacted', { ...report, ms: Date.now() - started });
  return report;
}).use(injectLambdaContext(logger));

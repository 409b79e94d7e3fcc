/**
 * Forget stage: takes one batch back out of the lake, so a wrong export can be withdrawn and a
 * corrected one dropped (`aws lambda invoke --function-name <ForgetFunction> --payload
 * '{"batchId": "<id or unique prefix>"}'`); or, with `{"sweep": true}`, puts the lake right after
 * dead writers and gives batches of an earlier version their commit records, as `storepulse ingest`
 * and `run` do locally. Wiring only; see shared/pipeline/batches.ts and shared/lake/commits.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { UsageError } from '../../shared/errors.ts';
import { type SweepReport, sweepLake } from '../../shared/lake/commits.ts';
import { type ForgetReport, forgetBatch, resolveBatchId } from '../../shared/pipeline/batches.ts';
import { awsLake } from '../runtime.ts';

const env = loadLambdaEnv();
const logger = new Logger({ serviceName: 'storepulse-forget' });
const lake = awsLake(env);

export type ForgetEvent =
  | {
      /** A batch id as the manifests name it, or the start of one when no other id starts so. */
      batchId: string;
      /** Also remove the dropped export under raw/ (kept by default: it can be ingested again). */
      raw?: boolean;
    }
  | { sweep: true };

export const handler = middy(async (event: ForgetEvent): Promise<ForgetReport | SweepReport> => {
  if (event && 'sweep' in event && event.sweep === true) {
    const report = await sweepLake(lake);
    logger.info('lake swept', { ...report, batches: report.batches.length });
    return report;
  }
  if (!event || !('batchId' in event) || typeof event.batchId !== 'string' || !event.batchId)
    throw new UsageError(
      'the payload must name the batch, {"batchId": "<id or unique prefix>", "raw": false}, or be {"sweep": true}',
    );
  const batchId = await resolveBatchId(lake, event.batchId);
  const report = await forgetBatch(lake, batchId, { raw: event.raw === true });
  logger.info('batch forgotten', { batchId, file: report.batch?.file, removed: report.removed.length });
  return report;
}).use(injectLambdaContext(logger));

/** Ingest stage: SQS batches of S3 drops under raw/ -> curated Parquet. Wiring only; see ingest-s3.ts. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { ingestSqsBatch } from '../../shared/pipeline/ingest-s3.ts';
import { awsLake, s3, toLog, withIdKeyFromSsm } from '../runtime.ts';

const env = await withIdKeyFromSsm(loadLambdaEnv());
const logger = new Logger({ serviceName: 'storepulse-ingest' });
const lake = awsLake(env);

export const handler = middy(
  (event: SQSEvent): Promise<SQSBatchResponse> =>
    ingestSqsBatch({ s3, bucket: env.bucket, lake, config: env.config, log: toLog(logger) }, event),
).use(injectLambdaContext(logger));

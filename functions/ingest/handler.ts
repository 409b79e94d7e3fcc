/** Ingest stage: SQS batches of S3 drops under raw/ -> curated Parquet. Wiring only; see ingest-s3.ts. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { stockoutNotification } from '../../shared/alerts/sns-message.ts';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { ingestSqsBatch } from '../../shared/pipeline/ingest-s3.ts';
import { awsLake, publishStockout, s3, toLog, withIdKeyFromSsm } from '../runtime.ts';

const env = await withIdKeyFromSsm(loadLambdaEnv(process.env, ['stockoutTopic']));
const logger = new Logger({ serviceName: 'storepulse-ingest' });
const lake = awsLake(env);

export const handler = middy(
  (event: SQSEvent): Promise<SQSBatchResponse> =>
    ingestSqsBatch(
      {
        s3,
        bucket: env.bucket,
        lake,
        config: env.config,
        log: toLog(logger),
        onStockout: (date, alerts, csvKey) =>
          publishStockout(env.stockoutTopicArn!, stockoutNotification(date, alerts, lake.uri(csvKey))),
      },
      event,
    ),
).use(injectLambdaContext(logger));

/** What every stage's handler shares: SDK clients (made once per container), the S3 lake, the Athena SQL tier, logging. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import type { LambdaEnv } from '../shared/aws/lambda-env.ts';
import { S3Lake } from '../shared/lake/s3.ts';
import type { Log } from '../shared/pipeline/log.ts';
import { AthenaEngine } from '../shared/sql/athena.ts';
import type { SqlEngine } from '../shared/sql/engine.ts';

export const s3 = new S3Client({});
const athena = new AthenaClient({});

export function awsLake(env: LambdaEnv): S3Lake {
  return new S3Lake(s3, env.bucket);
}

export function athenaEngine(env: LambdaEnv, lake: S3Lake): () => Promise<SqlEngine> {
  return async () =>
    new AthenaEngine({
      athena,
      workGroup: env.athenaWorkGroup,
      database: env.glueDatabase,
      lake,
      unloadPrefix: 'athena/unload/',
    });
}

/** The pipeline's Log seam over the Powertools logger (structured JSON in CloudWatch). */
export function toLog(logger: Logger): Log {
  return {
    info: (message, data) => (data ? logger.info(message, data) : logger.info(message)),
    warn: (message, data) => (data ? logger.warn(message, data) : logger.warn(message)),
  };
}

/**
 * Report stage: the run's partitions -> reports/dt=<as-of>/index.html in the bucket; the page links
 * the CSV lists with URLs presigned by this function's role (as the notifications link the page).
 * Wiring only.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { writeReport } from '../../shared/pipeline/report.ts';
import { type RunRequest, resolveAsOf } from '../../shared/pipeline/schedule.ts';
import { awsLake, presignedUrl, s3, toLog } from '../runtime.ts';

const env = loadLambdaEnv();
const logger = new Logger({ serviceName: 'storepulse-report' });
const lake = awsLake(env);

export const handler = middy(async (event: RunRequest): Promise<{ asOf: string; reportKey: string }> => {
  const asOf = resolveAsOf(event, env.config.timeZone);
  const reportKey = await writeReport(lake, env.config, asOf, toLog(logger), {
    href: (key) => presignedUrl(s3, env.bucket, key),
  });
  return { asOf, reportKey };
}).use(injectLambdaContext(logger));

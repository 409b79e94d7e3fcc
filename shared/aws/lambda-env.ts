/**
 * Lambda configuration from the environment the CDK stack sets, read and validated once at cold start
 * so a misconfigured function fails before it touches any data.
 */
import { type Config, loadConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';

export interface LambdaEnv {
  config: Config;
  bucket: string;
  athenaWorkGroup: string;
  glueDatabase: string;
  recallTopicArn: string | undefined;
  stockoutTopicArn: string | undefined;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new ConfigError(`environment variable ${name} is not set`);
  return v;
}

export function loadLambdaEnv(
  env: NodeJS.ProcessEnv = process.env,
  needs: readonly ('athena' | 'recallTopic' | 'stockoutTopic')[] = [],
): LambdaEnv {
  return {
    // A single worker: a Lambda's lake is S3, and its vCPUs are better spent on one file at a time.
    config: loadConfig({ STOREPULSE_INGEST_WORKERS: '1', ...env }),
    bucket: required(env, 'LAKE_BUCKET'),
    athenaWorkGroup: needs.includes('athena')
      ? required(env, 'ATHENA_WORKGROUP')
      : (env.ATHENA_WORKGROUP ?? ''),
    glueDatabase: needs.includes('athena') ? required(env, 'GLUE_DATABASE') : (env.GLUE_DATABASE ?? ''),
    recallTopicArn: needs.includes('recallTopic') ? required(env, 'RECALL_TOPIC_ARN') : env.RECALL_TOPIC_ARN,
    stockoutTopicArn: needs.includes('stockoutTopic')
      ? required(env, 'STOCKOUT_TOPIC_ARN')
      : env.STOCKOUT_TOPIC_ARN,
  };
}

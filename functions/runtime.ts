/** What every stage's handler shares: SDK clients (made once per container), the S3 lake, the Athena SQL tier, logging. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { LambdaEnv } from '../shared/aws/lambda-env.ts';
import { loadConfig } from '../shared/config.ts';
import { ConfigError } from '../shared/errors.ts';
import { athenaUnloadPrefix } from '../shared/lake/keys.ts';
import { S3Lake } from '../shared/lake/s3.ts';
import type { Log } from '../shared/pipeline/log.ts';
import { AthenaEngine } from '../shared/sql/athena.ts';
import type { SqlEngine } from '../shared/sql/engine.ts';

export const s3 = new S3Client({});
const athena = new AthenaClient({});
const sns = new SNSClient({});

export function awsLake(env: LambdaEnv): S3Lake {
  return new S3Lake(s3, env.bucket);
}

/**
 * The SQL tier of a stage. Results are UNLOADed under `unloadPrefix` and read back from there: a
 * stage whose queries return contact details passes `restrictedUnloadPrefix`.
 */
export function athenaEngine(
  env: LambdaEnv,
  lake: S3Lake,
  unloadPrefix: string = athenaUnloadPrefix,
): () => Promise<SqlEngine> {
  return async () =>
    new AthenaEngine({
      athena,
      workGroup: env.athenaWorkGroup,
      database: env.glueDatabase,
      lake,
      unloadPrefix,
    });
}

/** The pipeline's Log seam over the Powertools logger (structured JSON in CloudWatch). */
export function toLog(logger: Logger): Log {
  return {
    info: (message, data) => (data ? logger.info(message, data) : logger.info(message)),
    warn: (message, data) => (data ? logger.warn(message, data) : logger.warn(message)),
  };
}

/**
 * The pseudonymisation key from the SSM SecureString named in STOREPULSE_ID_KEY_PARAMETER, read once
 * at cold start; without that variable the lake's own key (_config/id-key) is used.
 */
export async function withIdKeyFromSsm(
  env: LambdaEnv,
  vars: NodeJS.ProcessEnv = process.env,
  ssm: Pick<SSMClient, 'send'> = new SSMClient({}),
): Promise<LambdaEnv> {
  const name = vars.STOREPULSE_ID_KEY_PARAMETER;
  if (!name) return env;
  let value: string | undefined;
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    value = out.Parameter?.Value;
  } catch (cause) {
    throw new ConfigError(`cannot read the id key from SSM parameter ${name}`, { cause });
  }
  if (!value) throw new ConfigError(`SSM parameter ${name} is empty`);
  // Validated like any configured key (at least 16 characters).
  return { ...env, config: loadConfig({}, { ...env.config, idKey: value }) };
}

/** Publishes a stockout notification (subject and text) to the stockout topic. */
export async function publishStockout(
  topicArn: string,
  note: { subject: string; message: string },
): Promise<void> {
  await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: note.subject, Message: note.message }));
}

/**
 * A link to a lake object that works without AWS credentials, for a notification. Signed with the
 * function's role, so it lasts at most as long as the role's session (hours), capped at `seconds`.
 */
export function presignedUrl(
  client: S3Client,
  bucket: string,
  key: string,
  seconds = 7 * 24 * 3600,
): Promise<string> {
  return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds });
}

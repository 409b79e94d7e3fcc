/**
 * Churn-recall stage: the day's alerts -> recall CSV (contact details joined here only) -> SNS.
 * Wiring only; see shared/pipeline/daily-run.ts and shared/alerts/sns-message.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import { recallNotification, stockoutNotification } from '../../shared/alerts/sns-message.ts';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';
import { reportKey, restrictedUnloadPrefix, stockoutListKey } from '../../shared/lake/keys.ts';
import { readRecallAlerts, readStockoutAlerts, writeRecallList } from '../../shared/pipeline/daily-run.ts';
import { type RunRequest, resolveAsOf } from '../../shared/pipeline/schedule.ts';
import { athenaEngine, awsLake, presignedUrl, publishStockout, s3, toLog } from '../runtime.ts';

const env = loadLambdaEnv(process.env, ['athena', 'recallTopic', 'stockoutTopic']);
const logger = new Logger({ serviceName: 'storepulse-churn-recall' });
const sns = new SNSClient({});
const lake = awsLake(env);
// recall_contacts returns e-mails and phones: its UNLOAD output stays under restricted/.
const openEngine = athenaEngine(env, lake, restrictedUnloadPrefix);

export const handler = middy(
  async (
    event: RunRequest,
  ): Promise<{ asOf: string; alerts: number; listUri: string; stockoutWarnings: number }> => {
    const asOf = resolveAsOf(event, env.config.timeZone);
    const alerts = await readRecallAlerts(lake, asOf);
    const csvKey = await writeRecallList(
      { lake, config: env.config, log: toLog(logger), openEngine },
      asOf,
      alerts,
    );
    const listUri = lake.uri(csvKey);
    const reportUrl = await presignedUrl(s3, env.bucket, reportKey(asOf));
    if (alerts.length) {
      const { subject, message } = recallNotification(asOf, alerts, listUri, reportUrl);
      await sns.send(
        new PublishCommand({ TopicArn: env.recallTopicArn, Subject: subject, Message: message }),
      );
    }
    logger.info('recall list written', { asOf, alerts: alerts.length, listUri });
    // The day's stockout warnings (written by the models stage) go out on their own topic.
    const stock = await readStockoutAlerts(lake, asOf);
    if (stock.length) {
      const csv = lake.uri(stockoutListKey(asOf));
      await publishStockout(env.stockoutTopicArn!, stockoutNotification(asOf, stock, csv, reportUrl));
    }
    return { asOf, alerts: alerts.length, listUri, stockoutWarnings: stock.length };
  },
).use(injectLambdaContext(logger));

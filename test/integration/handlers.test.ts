/**
 * The Lambda handlers themselves, invoked with events in their real shapes, against a real S3 HTTP
 * endpoint (s3rver on loopback). The SDK clients the handlers make at module scope are pointed at it
 * through the SDK's own environment variables.
 */
import { readFile } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Lake } from '../../shared/lake/s3.ts';
import { resolveAsOf } from '../../shared/pipeline/schedule.ts';
import { fixture } from '../helpers.ts';
import { type LocalS3, startS3 } from '../s3rver.ts';

let s3: LocalS3;
let handler: (
  event: SQSEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3('shop-lake');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    LAKE_BUCKET: 'shop-lake',
    STOCKOUT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:stockout',
    STOREPULSE_ID_KEY: 'test-key-0123456789abcdef',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  ({ handler } = (await import('../../functions/ingest/handler.ts')) as unknown as {
    handler: typeof handler;
  });
});
afterAll(async () => {
  process.env = saved;
  await s3.stop();
});

const context = {
  functionName: 'storepulse-ingest',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:storepulse-ingest',
  memoryLimitInMB: '1024',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

/** An SQS message carrying an S3 ObjectCreated notification, as S3 -> SQS delivers it. */
function sqsMessage(messageId: string, key: string): SQSEvent['Records'][number] {
  const notification = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2026-11-24T09:00:00.000Z',
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: 'shop-lake', arn: 'arn:aws:s3:::shop-lake' },
          object: { key, size: 1 },
        },
      },
    ],
  };
  return {
    messageId,
    receiptHandle: 'rh',
    body: JSON.stringify(notification),
    attributes: {} as never,
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:storepulse-ingest',
    awsRegion: 'us-east-1',
  };
}

describe('ingest Lambda handler', () => {
  it('ingests an S3 drop, skips a duplicate delivery, quarantines an unreadable file and reports only real failures', async () => {
    const put = async (key: string, file: string) =>
      s3.client.send(new PutObjectCommand({ Bucket: 'shop-lake', Key: key, Body: await readFile(file) }));
    await put('raw/shopify/orders export 1.csv', fixture('formats', 'shopify_orders_export_1.csv'));
    await put('raw/misc/unknown_layout.csv', fixture('dirty', 'unknown_layout.csv'));

    const event: SQSEvent = {
      Records: [
        sqsMessage('m-1', 'raw/shopify/orders+export+1.csv'),
        sqsMessage('m-2', 'raw/shopify/orders+export+1.csv'), // the same object delivered twice
        sqsMessage('m-3', 'raw/misc/unknown_layout.csv'),
        sqsMessage('m-4', 'raw/missing.csv'), // vanished before we read it: retryable
        { ...sqsMessage('m-5', ''), body: JSON.stringify({ Event: 's3:TestEvent', Bucket: 'shop-lake' }) },
      ],
    };
    const response = await handler(event, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-4' }]);

    const lake = new S3Lake(s3.client, 'shop-lake');
    const curated = await lake.list('curated/order_lines/source=shopify/');
    expect(curated).toHaveLength(3); // three order dates (UTC), one file each: the duplicate wrote nothing new
    expect(await lake.list('_manifests/batches/')).toHaveLength(1);
    expect((await lake.list('quarantine/files/')).some((k) => k.endsWith('unknown_layout.csv'))).toBe(true);
    // The drop itself is the raw copy: nothing was copied again under raw/.
    expect(await lake.list('raw/')).toEqual([
      'raw/misc/unknown_layout.csv',
      'raw/shopify/orders export 1.csv',
    ]);
  });
});

describe('plan Lambda handler', () => {
  it('turns EventBridge Scheduler input into the as-of date and the SQL stage statement', async () => {
    const { handler: plan } = (await import('../../functions/plan/handler.ts')) as unknown as {
      handler: (
        e: unknown,
        c: Context,
      ) => Promise<{ asOf: string; aggregatesPrefix: string; aggregatesQuery: string }>;
    };
    // What Step Functions passes: the schedule's input and the execution name.
    const out = await plan({ request: { scheduledTime: '2026-11-24T06:00:00Z' }, runId: 'exec-42' }, context);
    expect(out.asOf).toBe('2026-11-23');
    expect(out.aggregatesPrefix).toBe('athena/unload/daily/2026-11-23/exec-42/');
    expect(out.aggregatesQuery).toMatch(/^UNLOAD \(with order_lines as \(/);
    expect(out.aggregatesQuery).toContain("where dt <= '2026-11-23'");
    expect(out.aggregatesQuery).toMatch(
      /TO 's3:\/\/shop-lake\/athena\/unload\/daily\/2026-11-23\/exec-42\/' WITH \(format = 'PARQUET'\)$/,
    );
    await expect(plan({ request: {}, runId: 'bad id; drop' }, context)).rejects.toThrow(/plain name/);
  });
});

describe('scheduled runs', () => {
  it('cover the day that just ended in the shop time zone, unless a date is given', () => {
    // 06:00 in Shanghai on 24 Nov is 22:00 UTC on 23 Nov: the run is for 23 Nov.
    expect(resolveAsOf({ scheduledTime: '2026-11-23T22:00:00Z' }, 'Asia/Shanghai')).toBe('2026-11-23');
    expect(resolveAsOf({ scheduledTime: '2026-11-24T06:00:00Z' }, 'UTC')).toBe('2026-11-23');
    expect(resolveAsOf({ asOf: '2026-01-31', scheduledTime: '2026-11-24T06:00:00Z' }, 'UTC')).toBe(
      '2026-01-31',
    );
    expect(() => resolveAsOf({ asOf: '31/01/2026' }, 'UTC')).toThrow(/YYYY-MM-DD/);
  });
});

/**
 * The Lambda handlers themselves, invoked with events in their real shapes, against a real S3 HTTP
 * endpoint (s3rver on loopback). The SDK clients the handlers make at module scope are pointed at it
 * through the SDK's own environment variables.
 */
import { readFile } from 'node:fs/promises';
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFileKey, recallListKey } from '../../shared/lake/keys.ts';
import { encodeTable, rowsToColumns } from '../../shared/lake/parquet.ts';
import { S3Lake } from '../../shared/lake/s3.ts';
import { resolveAsOf } from '../../shared/pipeline/schedule.ts';
import { col, type TableSpec } from '../../shared/schemas/table.ts';
import { churnRecall } from '../../shared/schemas/tables.ts';
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
    RECALL_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:recall',
    ATHENA_WORKGROUP: 'storepulse',
    GLUE_DATABASE: 'storepulse_db',
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
        sqsMessage('m-4', 'raw/missing.csv'), // deleted before we read it: nothing to retry
        { ...sqsMessage('m-6', ''), body: 'not json' }, // retried, then the dead-letter queue
        { ...sqsMessage('m-5', ''), body: JSON.stringify({ Event: 's3:TestEvent', Bucket: 'shop-lake' }) },
      ],
    };
    const response = await handler(event, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-6' }]);

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
      ) => Promise<{ asOf: string; orderLinesRun: string; snapshotQuery: string }>;
    };
    // What Step Functions passes: the schedule's input and the execution name.
    const out = await plan({ request: { scheduledTime: '2026-11-24T06:00:00Z' }, runId: 'exec-42' }, context);
    expect(out.asOf).toBe('2026-11-23');
    expect(out.orderLinesRun).toBe('exec-42');
    // The run's snapshot of the order history: the order_lines view (a Glue view) up to the date.
    // Bounded by the commit records of the lake (an earlier test here ingested an export).
    // (order_lines_snapshot.sql, rendered: its comment lines, then the statement.)
    expect(out.snapshotQuery).toMatch(
      /^UNLOAD \(-- [\s\S]*\nselect "order_id", [\s\S]*\nfrom order_lines\nwhere dt <= '2026-11-23'\n {2}and dt >= '\d{4}-\d{2}-\d{2}'\n {2}and source in \('[a-z_]+'(, '[a-z_]+')*\)\n\) TO /,
    );
    expect(out.snapshotQuery).toMatch(
      /TO 's3:\/\/shop-lake\/athena\/runs\/order_lines\/run=exec-42\/' WITH \(format = 'PARQUET'\)$/,
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

describe('churn-recall Lambda handler', () => {
  it('keeps contact details under restricted/: the recall query UNLOADs there, the list is written there', async () => {
    const asOf = '2026-11-23';
    const lake = new S3Lake(s3.client, 'shop-lake');
    const alert = {
      segment: 'important_retention',
      segment_zh: '重要保持客户',
      reason: 'rfm_segment',
      last_order_date: '2026-06-01',
      recency_days: 175,
      frequency: 3,
      monetary: 120,
      p_alive: 0.3,
      clv_12m: 50,
      value_at_risk: 40,
      offer: 'personal outreach',
    };
    await lake.put(
      dataFileKey(churnRecall, { dt: asOf }, 'part-0000'),
      await encodeTable(
        churnRecall,
        rowsToColumns(churnRecall, [
          { ...alert, customer_id: 'c-1' },
          { ...alert, customer_id: 'c-2' },
        ]),
      ),
    );
    // Athena, as far as S3 sees it: the query's UNLOAD writes Parquet under the TO location.
    const result: TableSpec = {
      name: 'recall_contacts',
      zone: 'restricted',
      doc: '',
      columns: ['customer_id', 'source_customer_ref', 'name', 'email', 'phone'].map((n) =>
        col(n, 'string', n),
      ),
      partitionKeys: [],
    };
    const athena = mockClient(AthenaClient);
    const sns = mockClient(SNSClient);
    try {
      athena.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString?: string }) => {
        const to = /\) TO 's3:\/\/shop-lake\/([^']+)' WITH/.exec(input.QueryString ?? '')?.[1];
        if (!to) throw new Error('not an UNLOAD');
        await lake.put(
          `${to}20261123_000000_00000_abcde_part-0`,
          await encodeTable(result, {
            customer_id: ['c-1', 'c-2'],
            source_customer_ref: ['ref-1', 'ref-2'],
            name: ['One', null],
            email: ['one@example.com', 'two@example.com'],
            phone: ['+8613900000001', null],
          }),
        );
        return { QueryExecutionId: 'q-1' };
      });
      athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
      sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
      const { handler: recall } = (await import('../../functions/churn-recall/handler.ts')) as unknown as {
        handler: (e: unknown, c: Context) => Promise<{ alerts: number; listUri: string }>;
      };
      const out = await recall({ asOf }, context);
      expect(out).toMatchObject({ alerts: 2, listUri: `s3://shop-lake/${recallListKey(asOf)}` });
      const statement = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.QueryString;
      expect(statement).toMatch(
        / TO 's3:\/\/shop-lake\/restricted\/athena\/unload\/recall_contacts\/[^']+\/' WITH/,
      );
      const list = Buffer.from((await lake.get(recallListKey(asOf)))!).toString('utf8');
      expect(list).toContain('one@example.com');
      // No object outside restricted/ holds a contact detail.
      const leaks: string[] = [];
      for (const key of await lake.list('')) {
        if (key.startsWith('restricted/')) continue;
        const text = Buffer.from((await lake.get(key)) ?? '').toString('latin1');
        if (/one@example\.com|\+8613900000001/.test(text)) leaks.push(key);
      }
      expect(leaks).toEqual([]);
      const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
      expect(published).toHaveLength(1);
      expect(published[0]!.Message).toContain(`s3://shop-lake/${recallListKey(asOf)}`);
    } finally {
      athena.restore();
      sns.restore();
    }
  });
});

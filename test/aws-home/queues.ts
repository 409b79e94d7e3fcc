/**
 * The drop trigger for the harness: S3 event notifications as S3 sends them (the bucket's
 * notification configuration from the template, the queue policy checked for the S3 service), an
 * SQS queue with its redrive policy, and Lambda's event source mapping (batch size, partial batch
 * responses, the poller acting with the function's role). Time does not pass by itself here: a
 * message that failed is visible again at the next poll, which is what its visibility timeout
 * would give after an hour.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ACCOUNT, REGION, type ResolvedTemplate, TemplateError } from './cfn.ts';
import type { Authorize, Principal } from './iam.ts';
import type { InvokeResult } from './lambda.ts';

interface Message {
  messageId: string;
  body: string;
  receiveCount: number;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
}

export interface QueueState {
  arn: string;
  name: string;
  messages: Message[];
  redrive?: { deadLetterArn: string; maxReceiveCount: number };
  kmsKey?: string;
}

/** S3 encodes object keys in event notifications like an HTML form: spaces as '+', '/' kept. */
export const encodeEventKey = (key: string): string =>
  encodeURIComponent(key)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class Sqs {
  readonly queues = new Map<string, QueueState>();

  constructor(
    t: ResolvedTemplate,
    private readonly authorize: Authorize,
  ) {
    for (const id of t.ofType('AWS::SQS::Queue')) {
      const p = t.resources[id]!.Properties as {
        RedrivePolicy?: { deadLetterTargetArn: string; maxReceiveCount: number };
        KmsMasterKeyId?: string;
      };
      const arn = t.att(id, 'Arn');
      this.queues.set(arn, {
        arn,
        name: t.att(id, 'QueueName'),
        messages: [],
        ...(p.RedrivePolicy
          ? {
              redrive: {
                deadLetterArn: p.RedrivePolicy.deadLetterTargetArn,
                maxReceiveCount: Number(p.RedrivePolicy.maxReceiveCount),
              },
            }
          : {}),
        ...(p.KmsMasterKeyId ? { kmsKey: p.KmsMasterKeyId } : {}),
      });
    }
  }

  queue(arnOrName: string): QueueState {
    const q = this.queues.get(arnOrName) ?? [...this.queues.values()].find((x) => x.name === arnOrName);
    if (!q) throw new TemplateError(`no queue ${arnOrName} in the template`);
    return q;
  }

  /** SendMessage by a principal: the queue policy (or the sender's role) must allow it, and its key. */
  async send(
    principal: Principal,
    arn: string,
    body: string,
    context: Record<string, string> = {},
  ): Promise<void> {
    const q = this.queue(arn);
    await this.authorize(principal, 'sqs:SendMessage', q.arn, context);
    if (q.kmsKey) {
      // SSE-KMS: the sender needs the key too (S3 cannot use the AWS-managed alias/aws/sqs key).
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt'])
        await this.authorize(principal, action, kmsArn(q.kmsKey), {
          ...context,
          'kms:ViaService': `sqs.${REGION}.amazonaws.com`,
        });
    }
    q.messages.push({ messageId: randomUUID(), body, receiveCount: 0, sentTimestamp: Date.now() });
    this.sent.set(q.arn, [...(this.sent.get(q.arn) ?? []), body]);
  }

  /** A message put on the queue by the account's owner (not checked): a stray or garbled message. */
  enqueue(arnOrName: string, body: string): void {
    this.queue(arnOrName).messages.push({
      messageId: randomUUID(),
      body,
      receiveCount: 0,
      sentTimestamp: Date.now(),
    });
  }

  /** Bodies sent so far, per queue ARN (to deliver one again, as SQS's at-least-once may). */
  readonly sent = new Map<string, string[]>();

  visible(arnOrName: string): number {
    return this.queue(arnOrName).messages.length;
  }
}

export const kmsArn = (key: string): string =>
  key.startsWith('arn:')
    ? key
    : key.startsWith('alias/')
      ? `arn:aws:kms:${REGION}:${ACCOUNT}:${key}`
      : `arn:aws:kms:${REGION}:${ACCOUNT}:key/${key}`;

export interface BucketNotificationTarget {
  queueArn: string;
  events: string[];
  prefix: string;
  suffix: string;
}

/** The lake bucket's notification configuration (CDK's Custom::S3BucketNotifications). */
export function bucketNotifications(t: ResolvedTemplate, bucket: string): BucketNotificationTarget[] {
  const out: BucketNotificationTarget[] = [];
  for (const id of t.ofType('Custom::S3BucketNotifications')) {
    const p = t.resources[id]!.Properties as {
      BucketName: string;
      NotificationConfiguration: {
        QueueConfigurations?: {
          Events: string[];
          QueueArn: string;
          Filter?: { Key?: { FilterRules?: { Name: string; Value: string }[] } };
        }[];
        LambdaFunctionConfigurations?: unknown[];
        TopicConfigurations?: unknown[];
      };
    };
    if (p.BucketName !== bucket) continue;
    const n = p.NotificationConfiguration;
    if (n.LambdaFunctionConfigurations?.length || n.TopicConfigurations?.length)
      throw new TemplateError('the harness delivers S3 notifications to queues only');
    for (const c of n.QueueConfigurations ?? []) {
      const rule = (name: string) =>
        c.Filter?.Key?.FilterRules?.find((r) => r.Name.toLowerCase() === name)?.Value ?? '';
      out.push({ queueArn: c.QueueArn, events: c.Events, prefix: rule('prefix'), suffix: rule('suffix') });
    }
  }
  return out;
}

/** S3's side of event notifications: validate destinations (as at deploy), then send matching events. */
export class S3Notifier {
  private sequencer = 0;

  constructor(
    private readonly sqs: Sqs,
    private readonly bucket: string,
    private readonly targets: BucketNotificationTarget[],
  ) {}

  private get s3(): Principal {
    return { service: 's3.amazonaws.com', sourceArn: `arn:aws:s3:::${this.bucket}`, sourceAccount: ACCOUNT };
  }

  private context(): Record<string, string> {
    return { 'aws:SourceArn': `arn:aws:s3:::${this.bucket}`, 'aws:SourceAccount': ACCOUNT };
  }

  /** PutBucketNotificationConfiguration: S3 checks it may publish, then sends s3:TestEvent. */
  async configure(): Promise<void> {
    for (const t of this.targets) {
      const body = {
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: new Date().toISOString(),
        Bucket: this.bucket,
        RequestId: randomUUID(),
        HostId: randomUUID(),
      };
      try {
        await this.sqs.send(this.s3, t.queueArn, JSON.stringify(body), this.context());
      } catch (cause) {
        throw new Error(
          `Unable to validate the following destination configurations: ${t.queueArn} (${(cause as Error).message})`,
          { cause },
        );
      }
    }
  }

  /** An object was created: one message per matching configuration, as S3 sends it. */
  async objectCreated(key: string, size: number, eventName: string): Promise<void> {
    for (const t of this.targets) {
      if (!key.startsWith(t.prefix) || !key.endsWith(t.suffix)) continue;
      if (!t.events.some((e) => e === 's3:ObjectCreated:*' || e === `s3:${eventName}`)) continue;
      const record = {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: REGION,
        eventTime: new Date().toISOString(),
        eventName,
        userIdentity: { principalId: 'AWS:AIDAOPERATOR' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': randomUUID(), 'x-amz-id-2': randomUUID() },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'storepulse-drops',
          bucket: {
            name: this.bucket,
            ownerIdentity: { principalId: 'A3OPERATOR' },
            arn: `arn:aws:s3:::${this.bucket}`,
          },
          object: {
            key: encodeEventKey(key),
            size,
            eTag: createHash('md5').update(key).digest('hex'),
            sequencer: (++this.sequencer).toString(16).padStart(16, '0').toUpperCase(),
          },
        },
      };
      await this.sqs.send(this.s3, t.queueArn, JSON.stringify({ Records: [record] }), this.context());
    }
  }
}

export interface EventSourceMapping {
  queueArn: string;
  functionName: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
}

export function eventSourceMappings(t: ResolvedTemplate): EventSourceMapping[] {
  return t.ofType('AWS::Lambda::EventSourceMapping').map((id) => {
    const p = t.resources[id]!.Properties as {
      EventSourceArn: string;
      FunctionName: string;
      BatchSize?: number;
      FunctionResponseTypes?: string[];
    };
    return {
      queueArn: p.EventSourceArn,
      functionName: p.FunctionName,
      batchSize: p.BatchSize ?? 10,
      reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    };
  });
}

/** Lambda's SQS poller for one mapping. */
export class SqsPoller {
  constructor(
    private readonly sqs: Sqs,
    private readonly mapping: EventSourceMapping,
    private readonly role: string,
    private readonly authorize: Authorize,
    private readonly invoke: (fn: string, event: unknown) => Promise<InvokeResult>,
  ) {}

  /**
   * Receives and processes until the queue is empty. `concurrency` batches are invoked at once
   * (Lambda scales pollers and environments with the queue's depth).
   */
  async drain(concurrency = 1): Promise<{ batches: number; failedMessages: number; deadLettered: number }> {
    const q = this.sqs.queue(this.mapping.queueArn);
    const stats = { batches: 0, failedMessages: 0, deadLettered: 0 };
    // The poller acts with the function's execution role.
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'])
      await this.authorize({ role: this.role }, action, q.arn);
    while (q.messages.length) {
      // Concurrent pollers each receive what is there: a short queue is spread over them.
      const size = Math.min(this.mapping.batchSize, Math.ceil(q.messages.length / concurrency));
      const batches: Message[][] = [];
      for (let i = 0; i < concurrency && q.messages.length; i++) batches.push(q.messages.splice(0, size));
      await Promise.all(batches.map((b) => this.process(q, b, stats)));
    }
    return stats;
  }

  private async process(
    q: QueueState,
    batch: Message[],
    stats: { batches: number; failedMessages: number; deadLettered: number },
  ): Promise<void> {
    stats.batches++;
    const now = Date.now();
    for (const m of batch) {
      m.receiveCount++;
      m.firstReceiveTimestamp ??= now;
    }
    const event = {
      Records: batch.map((m) => ({
        messageId: m.messageId,
        receiptHandle: `rh-${m.messageId}-${m.receiveCount}`,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentTimestamp),
          SenderId: 'AROAS3SERVICE',
          ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(m.body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: q.arn,
        awsRegion: REGION,
      })),
    };
    const result = await this.invoke(this.mapping.functionName, event);
    let failed: Set<string>;
    if (!result.ok) failed = new Set(batch.map((m) => m.messageId));
    else if (!this.mapping.reportBatchItemFailures) failed = new Set();
    else {
      const response = result.payload as { batchItemFailures?: { itemIdentifier?: string }[] } | null;
      const ids = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      // Lambda treats a response naming an unknown or empty id as the whole batch failing.
      failed = ids.some((id) => !id || !batch.some((m) => m.messageId === id))
        ? new Set(batch.map((m) => m.messageId))
        : new Set(ids as string[]);
    }
    for (const m of batch) {
      if (!failed.has(m.messageId)) continue;
      stats.failedMessages++;
      if (q.redrive && m.receiveCount >= q.redrive.maxReceiveCount) {
        this.sqs.queue(q.redrive.deadLetterArn).messages.push(m);
        stats.deadLettered++;
      } else q.messages.push(m);
    }
  }
}

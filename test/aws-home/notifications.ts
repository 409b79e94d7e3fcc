/**
 * SNS and CloudWatch alarms for the harness. A publish is checked as AWS checks it: the topic must
 * exist, the publisher's role (or the topic policy, for a service) must allow sns:Publish, the topic's
 * KMS key must let the publisher encrypt, and the subject and message must be what SNS accepts.
 * The dead-letter alarm is evaluated from the queue's depth; its action is delivered only if
 * CloudWatch (a service principal) may publish to the topic and use its key.
 */
import { randomUUID } from 'node:crypto';
import { ACCOUNT, REGION, type ResolvedTemplate, TemplateError } from './cfn.ts';
import { ServiceError } from './gateway.ts';
import type { Authorize, Principal } from './iam.ts';
import { kmsArn, type Sqs } from './queues.ts';

export interface Publication {
  topic: string;
  /** Logical id of the topic in the template. */
  topicId: string;
  subject: string | undefined;
  message: string;
  publisher: string;
}

export class Sns {
  readonly published: Publication[] = [];
  private readonly topics = new Map<string, { id: string; kmsKey?: string }>();

  constructor(
    t: ResolvedTemplate,
    private readonly authorize: Authorize,
  ) {
    for (const id of t.ofType('AWS::SNS::Topic')) {
      const key = (t.resources[id]!.Properties as { KmsMasterKeyId?: string }).KmsMasterKeyId;
      this.topics.set(t.ref(id), { id, ...(key ? { kmsKey: key } : {}) });
    }
  }

  topicId(arn: string): string {
    const t = this.topics.get(arn);
    if (!t) throw new TemplateError(`no topic ${arn}`);
    return t.id;
  }

  async publish(
    principal: Principal,
    input: { TopicArn?: string; Subject?: string; Message?: string },
    context: Record<string, string> = {},
  ): Promise<string> {
    const topic = input.TopicArn ? this.topics.get(input.TopicArn) : undefined;
    if (!topic) throw new ServiceError('NotFound', `Topic does not exist: ${input.TopicArn}`, 404);
    const message = input.Message ?? '';
    // SNS's limits: a message of at most 256 KiB; a subject of ASCII without line breaks, < 100 chars.
    if (!message) throw new ServiceError('InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(message) > 262_144)
      throw new ServiceError('InvalidParameter', 'Invalid parameter: Message too long');
    const subject = input.Subject;
    if (
      subject !== undefined &&
      (subject.length === 0 || subject.length >= 100 || !/^[\x20-\x7e]*$/.test(subject))
    )
      throw new ServiceError(
        'InvalidParameter',
        'Invalid parameter: Subject must be ASCII text that begins with a letter, number, or punctuation mark; must not include line breaks or control characters; and must be less than 100 characters long',
      );
    await this.authorize(principal, 'sns:Publish', input.TopicArn!, context);
    if (topic.kmsKey) {
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt'])
        await this.authorize(principal, action, kmsArn(topic.kmsKey), {
          ...context,
          'kms:ViaService': `sns.${REGION}.amazonaws.com`,
        });
    }
    this.published.push({
      topic: input.TopicArn!,
      topicId: topic.id,
      subject,
      message,
      publisher: 'role' in principal ? principal.role : principal.service,
    });
    return randomUUID();
  }

  /** The gateway's SNS endpoint (query protocol, as the SDK speaks it). */
  handler() {
    return async (caller: Principal, req: { body: string }) => {
      const form = new URLSearchParams(req.body);
      if (form.get('Action') !== 'Publish')
        throw new ServiceError(
          'InvalidAction',
          `the harness's SNS serves Publish, not ${form.get('Action')}`,
        );
      const id = await this.publish(caller, {
        TopicArn: form.get('TopicArn') ?? undefined,
        Subject: form.get('Subject') ?? undefined,
        Message: form.get('Message') ?? undefined,
      });
      return {
        status: 200,
        contentType: 'text/xml',
        body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      };
    };
  }
}

export interface AlarmState {
  id: string;
  name: string;
  state: 'OK' | 'ALARM';
  /** Why an action could not be delivered (CloudWatch's alarm history says this). */
  failedActions: string[];
}

/** CloudWatch alarms on SQS queue depth, with their SNS actions. */
export class Alarms {
  readonly alarms: AlarmState[] = [];

  constructor(
    private readonly t: ResolvedTemplate,
    private readonly sqs: Sqs,
    private readonly sns: Sns,
  ) {
    for (const id of t.ofType('AWS::CloudWatch::Alarm'))
      this.alarms.push({ id, name: `Storepulse-${id}`, state: 'OK', failedActions: [] });
  }

  /** Evaluates every alarm on the queues' current depth; on a change to ALARM runs its actions. */
  async evaluate(): Promise<void> {
    for (const a of this.alarms) {
      const p = this.t.resources[a.id]!.Properties as {
        Namespace: string;
        MetricName: string;
        Dimensions: { Name: string; Value: string }[];
        Threshold: number;
        ComparisonOperator: string;
        AlarmActions?: string[];
      };
      if (p.Namespace !== 'AWS/SQS' || p.MetricName !== 'ApproximateNumberOfMessagesVisible')
        throw new TemplateError(`alarm ${a.id}: the harness evaluates SQS queue depth only`);
      const queue = p.Dimensions.find((d) => d.Name === 'QueueName')?.Value;
      const value = this.sqs.visible(String(queue));
      const breaching = compare(p.ComparisonOperator, value, Number(p.Threshold));
      const before = a.state;
      a.state = breaching ? 'ALARM' : 'OK';
      if (before === 'ALARM' || a.state !== 'ALARM') continue;
      const alarmArn = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${a.name}`;
      for (const action of p.AlarmActions ?? []) {
        try {
          await this.sns.publish(
            { service: 'cloudwatch.amazonaws.com', sourceArn: alarmArn, sourceAccount: ACCOUNT },
            {
              TopicArn: action,
              Subject: `ALARM: "${a.name}" in US East (N. Virginia)`.slice(0, 99),
              Message: JSON.stringify({ AlarmName: a.name, NewStateValue: 'ALARM', AlarmArn: alarmArn }),
            },
            { 'aws:SourceArn': alarmArn, 'aws:SourceAccount': ACCOUNT },
          );
        } catch (err) {
          a.failedActions.push(
            `Failed to execute action ${action}. Received error: "${(err as Error).message}"`,
          );
        }
      }
    }
  }
}

function compare(op: string, value: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      throw new TemplateError(`comparison ${op} is not known to the harness`);
  }
}

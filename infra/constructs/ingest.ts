/**
 * The drop trigger: objects created under raw/ -> S3 notification -> SQS (dead-letter queue after
 * five failed deliveries, alarmed) -> ingest Lambda with partial batch failure reporting.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { tablePrefix } from '../../shared/lake/keys.ts';
import { VIEW_RECORDS } from '../../shared/sql/views.ts';
import { grantLake, lakePrefix } from './lake-access.ts';
import { PipelineFunction } from './pipeline-function.ts';

export interface IngestProps {
  bucket: Bucket;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  failureTopic: ITopic;
  /** Where stockout warnings raised by an inventory snapshot go. */
  stockoutTopic: ITopic;
  /** SSM SecureString holding the pseudonymisation key; absent: a per-lake key under _config/. */
  idKeyParameter?: string | undefined;
}

export class Ingest extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly function: PipelineFunction;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const timeout = Duration.minutes(10);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Drops', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function timeout, as Lambda's SQS guidance asks, so a slow file is not re-delivered mid-run.
      visibilityTimeout: Duration.minutes(60),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.queue), {
      prefix: 'raw/',
    });

    this.function = new PipelineFunction(this, 'Ingest', {
      handler: 'ingest',
      description: 'storepulse ingest: marketplace exports dropped under raw/ -> curated Parquet',
      environment: { ...props.environment, STOCKOUT_TOPIC_ARN: props.stockoutTopic.topicArn },
      logRetention: props.logRetention,
      memorySize: 2048,
      timeout,
      ephemeralStorageMb: 4096,
    });
    this.function.fn.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 5, reportBatchItemFailures: true }),
    );
    grantLake(props.bucket, this.function.fn, {
      // Exchange rates convert each line; Taobao's half-reports wait in staging for their partner; an
      // inventory snapshot is checked against the latest forecast, classes and lead times at once.
      read: [
        'raw',
        '_manifests',
        '_config',
        'curated/fx_rates',
        // Which batches are committed and which files count (the commit and compaction records):
        // rates and products of uncommitted batches, or replaced by a compaction, are not used.
        ...VIEW_RECORDS.map((spec) => lakePrefix(tablePrefix(spec))),
        'staging',
        'models/demand_forecast',
        'models/abc',
        'curated/products',
        'alerts/stockout',
      ],
      write: [
        'curated',
        'restricted/contacts',
        'quarantine',
        '_manifests',
        '_config',
        'staging',
        'alerts/stockout',
        'lists/stockout',
      ],
    });
    props.stockoutTopic.grantPublish(this.function.fn);
    if (props.idKeyParameter) {
      this.function.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [
            Stack.of(this).formatArn({
              service: 'ssm',
              resource: 'parameter',
              resourceName: props.idKeyParameter.replace(/^\//, ''),
            }),
          ],
        }),
      );
    }

    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription:
        'storepulse: exports that failed to ingest five times are waiting in the dead-letter queue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.deadLetterAlarm.addAlarmAction(new SnsAction(props.failureTopic));
  }
}

/**
 * Taking a batch back: a function an operator invokes with a batch id. It deletes what one ingest
 * wrote (commit record first, so readers stop counting the batch at once), which is why it is a
 * function of its own: the ingest role never deletes. With `{"sweep": true}` it removes what dead
 * writers left (a timed-out ingest) and commits batches an earlier version wrote.
 */
import { Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { COMPACTION_PREFIXES } from '../../shared/lake/compaction.ts';
import { grantLake, lakePrefix } from './lake-access.ts';
import { PipelineFunction } from './pipeline-function.ts';

export interface ForgetProps {
  bucket: Bucket;
  environment: Record<string, string>;
  logRetention: RetentionDays;
}

/** Where a batch leaves files: its commit and manifest, rows, contacts, rejects, staging, warnings. */
const BATCH_PREFIXES = [
  '_manifests',
  'curated',
  'restricted/contacts',
  'quarantine',
  'staging',
  'alerts/stockout',
  'lists/stockout',
  'raw',
] as const;

export class Forget extends Construct {
  readonly function: PipelineFunction;
  /** Sweeps the lake every day: leftovers of timed-out ingests, batches of an earlier version. */
  readonly sweepSchedule: Schedule;

  constructor(scope: Construct, id: string, props: ForgetProps) {
    super(scope, id);
    this.function = new PipelineFunction(this, 'Forget', {
      handler: 'forget',
      description: 'storepulse forget: take one batch (an ingested export) back out of the lake',
      environment: props.environment,
      logRetention: props.logRetention,
      timeout: Duration.minutes(5),
    });
    // A sweep writes the commit records of batches an earlier version completed.
    // A forget compacts again the partitions the batch's rows were compacted into (lake/compaction.ts).
    const compacted = COMPACTION_PREFIXES.map(lakePrefix);
    grantLake(props.bucket, this.function.fn, {
      read: [...BATCH_PREFIXES, ...compacted],
      remove: [...BATCH_PREFIXES, ...compacted],
      write: compacted,
    });
    // Locally every ingest and run sweeps first; in AWS nothing else would, so a schedule does.
    this.sweepSchedule = new Schedule(this, 'DailySweep', {
      description:
        "storepulse: sweep the lake (never-committed batches over an hour old; older versions' batches)",
      schedule: ScheduleExpression.rate(Duration.days(1)),
      target: new LambdaInvoke(this.function.fn, {
        input: ScheduleTargetInput.fromObject({ sweep: true }),
        retryAttempts: 3,
      }),
    });
  }
}

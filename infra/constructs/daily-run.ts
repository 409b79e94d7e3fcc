/**
 * The daily run: EventBridge Scheduler (cron in the shop's time zone) -> Step Functions: compact
 * (its failure does not stop the run) -> plan (as-of date) -> SQL stage on Athena (.sync: the order
 * history up to the as-of date UNLOADed once, as the run's snapshot every later query reads) -> the
 * model stages in waves, one invocation each (model-stages.ts) -> models (the run's metrics; fails
 * the run naming the stages that failed) -> report -> churn-recall (CSV + SNS). Transient errors are
 * retried with backoff; any failure publishes a notification with the error and the execution,
 * then fails the run.
 */
import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  CustomState,
  DefinitionBody,
  Fail,
  JsonPath,
  LogLevel,
  StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, SnsPublish } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { COMPACTION_PREFIXES } from '../../shared/lake/compaction.ts';
import {
  recallListsPrefix,
  stageMetricsPrefix,
  stockoutListsPrefix,
  tablePrefix,
} from '../../shared/lake/keys.ts';
import { batchCommits, churnRecall, stockout } from '../../shared/schemas/tables.ts';
import { orderLinesRunsPrefix, VIEW_RECORDS } from '../../shared/sql/views.ts';
import { RUN_METRICS_TABLE } from '../../shared/stages/registry.ts';
import type { Catalog } from './catalog.ts';
import { grantLake, lakePrefix } from './lake-access.ts';
import { ModelStages, noOutcomesYet } from './model-stages.ts';
import { PipelineFunction } from './pipeline-function.ts';

export interface DailyRunProps {
  bucket: Bucket;
  catalog: Catalog;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  recallTopic: ITopic;
  stockoutTopic: ITopic;
  failureTopic: ITopic;
  timeZone: string;
  /** Hour and minute of the daily run, shop time. */
  hour: number;
  minute: number;
}

const TRANSIENT_LAMBDA = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** A reader of the views of committed rows reads the commit and compaction records too. */
const viewRecords = VIEW_RECORDS.map((spec) => lakePrefix(tablePrefix(spec)));

export class DailyRun extends Construct {
  readonly compact: PipelineFunction;
  readonly plan: PipelineFunction;
  readonly models: PipelineFunction;
  /** One function per model stage, and the waves they run in. */
  readonly stages: ModelStages;
  readonly churnRecall: PipelineFunction;
  readonly report: PipelineFunction;
  readonly stateMachine: StateMachine;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: DailyRunProps) {
    super(scope, id);
    const { bucket, catalog } = props;
    const common = { environment: props.environment, logRetention: props.logRetention };
    this.compact = new PipelineFunction(this, 'Compact', {
      ...common,
      handler: 'compact',
      description: 'storepulse: compact the lake before a daily run',
      // One partition's rows at a time: a day of a large shop's orders, or a source's contacts.
      memorySize: 1024,
      timeout: Duration.minutes(15),
    });
    this.plan = new PipelineFunction(this, 'Plan', {
      ...common,
      handler: 'plan',
      description: 'storepulse: plan a daily run',
      memorySize: 256,
      timeout: Duration.seconds(30),
    });
    this.models = new PipelineFunction(this, 'Models', {
      ...common,
      handler: 'models',
      description: "storepulse: the model stages' metrics, and the run's failure if a stage failed",
      memorySize: 256,
      timeout: Duration.minutes(1),
    });
    this.report = new PipelineFunction(this, 'Report', {
      ...common,
      handler: 'report',
      description: 'storepulse: the daily HTML report',
      memorySize: 1024,
      timeout: Duration.minutes(5),
    });
    this.churnRecall = new PipelineFunction(this, 'ChurnRecall', {
      ...common,
      environment: {
        ...props.environment,
        RECALL_TOPIC_ARN: props.recallTopic.topicArn,
        STOCKOUT_TOPIC_ARN: props.stockoutTopic.topicArn,
      },
      handler: 'churnRecall',
      description: 'storepulse: churn-recall list and notification',
      timeout: Duration.minutes(10),
    });

    // Least privilege by key prefix: who reads and writes which zone of the lake. Athena reads and
    // writes S3 with the caller's own role, so a stage that queries a table needs read on its zone.
    const athenaAccess = this.athenaStatements(props);
    for (const s of athenaAccess) this.churnRecall.fn.addToRolePolicy(s);
    this.stages = new ModelStages(this, 'Stages', {
      bucket,
      environment: props.environment,
      logRetention: props.logRetention,
      athenaAccess,
      transientErrors: TRANSIENT_LAMBDA,
    });
    grantLake(bucket, this.models.fn, {
      read: [lakePrefix(stageMetricsPrefix)],
      write: [lakePrefix(tablePrefix(RUN_METRICS_TABLE))],
    });
    // The recall list joins contact details: its queries' output stays under restricted/.
    // Contacts are read for committed batches only: the query joins batch_commits.
    grantLake(bucket, this.churnRecall.fn, {
      read: ['restricted', 'models', 'alerts', 'reports', ...viewRecords],
      write: ['restricted/recall_lists', 'restricted/athena', 'athena/results'],
    });
    // The report names products (curated/products, committed batches only) and links the day's CSV
    // lists with URLs presigned by its own role, so it reads what it links.
    grantLake(bucket, this.report.fn, {
      read: [
        'models',
        'alerts',
        'curated/products',
        ...viewRecords,
        'lists/stockout',
        'restricted/recall_lists',
      ],
      write: ['reports'],
    });
    // The plan bounds the run's read of the history by the commit records (which days, which sources).
    // A lake written by an earlier version kept CSV lists inside alert tables; the plan moves them out
    // (to lists/ and restricted/recall_lists/) before any query reads those tables.
    const legacyLists = [churnRecall, stockout].map((t) => lakePrefix(tablePrefix(t)));
    grantLake(bucket, this.plan.fn, {
      read: [lakePrefix(tablePrefix(batchCommits)), ...legacyLists],
      remove: legacyLists,
      write: [lakePrefix(stockoutListsPrefix), lakePrefix(recallListsPrefix)],
    });
    // Compaction rewrites the batch tables' partitions, their archives and the records (its own
    // declaration of where, shared/lake/compaction.ts).
    const compacted = COMPACTION_PREFIXES.map(lakePrefix);
    grantLake(bucket, this.compact.fn, { read: compacted, write: compacted, remove: compacted });
    props.recallTopic.grantPublish(this.churnRecall.fn);
    props.stockoutTopic.grantPublish(this.churnRecall.fn);

    const invoke = (name: string, fn: IFunction, payload: TaskInput, resultPath: string) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payload,
        payloadResponseOnly: true,
        resultPath,
      }).addRetry({
        errors: TRANSIENT_LAMBDA,
        interval: Duration.seconds(5),
        backoffRate: 2,
        maxAttempts: 4,
      });

    // The run goes on whatever the compaction does (another job holding the lake, a timeout): the
    // rows are the same, only the files more. The state's input passes through unchanged.
    const compactStep = new LambdaInvoke(this, 'CompactLake', {
      lambdaFunction: this.compact.fn,
      payload: TaskInput.fromObject({}),
      payloadResponseOnly: true,
      resultPath: JsonPath.DISCARD,
    }).addRetry({ errors: TRANSIENT_LAMBDA, interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 4 });
    const planStep = invoke(
      'PlanRun',
      this.plan.fn,
      TaskInput.fromObject({ 'request.$': '$', 'runId.$': '$$.Execution.Name' }),
      '$.plan',
    );
    // Athena's .sync integration as a plain task state: CDK's AthenaStartQueryExecution grants
    // s3:GetObject on every bucket and Glue DDL rights; the role below gets only what the query needs.
    const sqlStep = new CustomState(this, 'ReadOrderHistory', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::athena:startQueryExecution.sync`,
        Parameters: {
          'QueryString.$': '$.plan.snapshotQuery',
          QueryExecutionContext: { Database: catalog.databaseName },
          WorkGroup: catalog.workGroup.ref,
        },
        ResultPath: null,
      },
    }).addRetry({
      errors: ['Athena.TooManyRequestsException'],
      interval: Duration.seconds(10),
      backoffRate: 2,
      maxAttempts: 4,
    });
    const waves = this.stages.chain();
    const modelsStep = invoke(
      'FinishModels',
      this.models.fn,
      TaskInput.fromObject({
        'asOf.$': '$.plan.asOf',
        'orderLinesRun.$': '$.plan.orderLinesRun',
        'waves.$': '$.waves',
      }),
      '$.models',
    );
    const reportStep = invoke(
      'WriteReport',
      this.report.fn,
      TaskInput.fromObject({ 'asOf.$': '$.plan.asOf' }),
      '$.report',
    );
    const recallStep = invoke(
      'ChurnRecallList',
      this.churnRecall.fn,
      TaskInput.fromObject({ 'asOf.$': '$.plan.asOf' }),
      '$.recall',
    );

    const notifyFailure = new SnsPublish(this, 'NotifyFailure', {
      topic: props.failureTopic,
      subject: 'storepulse daily run failed',
      message: TaskInput.fromObject({
        'error.$': '$.error',
        'execution.$': '$$.Execution.Id',
        'input.$': '$$.Execution.Input',
      }),
      resultPath: JsonPath.DISCARD,
    }).next(
      new Fail(this, 'RunFailed', {
        error: 'DailyRunFailed',
        cause: 'a stage failed; see the failure notification',
      }),
    );
    for (const s of [planStep, modelsStep, reportStep, recallStep, ...this.stages.waves])
      s.addCatch(notifyFailure, { resultPath: '$.error' });
    sqlStep.addCatch(notifyFailure, { resultPath: '$.error' });
    compactStep.addCatch(planStep, { resultPath: JsonPath.DISCARD });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(
        compactStep
          .next(planStep)
          .next(sqlStep)
          .next(noOutcomesYet(this))
          .next(waves)
          .next(modelsStep)
          .next(reportStep)
          .next(recallStep)
          .next(new Succeed(this, 'Done')),
      ),
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'StateMachineLogs', {
          retention: props.logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ALL,
      },
    });
    // The SQL stage's query runs with the state machine's role: it reads curated/, writes the run's
    // snapshot of the order history under athena/runs/order_lines/ and Athena's manifest under
    // athena/results/.
    for (const s of athenaAccess) this.stateMachine.addToRolePolicy(s);
    // CDK's SnsPublish task grants sns:Publish but not the topic's key (aws/aws-cdk#32303): without
    // it the failure notification itself would fail.
    props.failureTopic.grantPublish(this.stateMachine);
    grantLake(bucket, this.stateMachine, {
      read: ['curated', lakePrefix(orderLinesRunsPrefix)],
      write: [lakePrefix(orderLinesRunsPrefix), 'athena/results'],
    });

    this.schedule = new Schedule(this, 'Schedule', {
      description: `storepulse daily run at ${String(props.hour).padStart(2, '0')}:${String(props.minute).padStart(2, '0')} ${props.timeZone}`,
      schedule: ScheduleExpression.cron({
        hour: String(props.hour),
        minute: String(props.minute),
        timeZone: TimeZone.of(props.timeZone),
      }),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime }),
        retryAttempts: 3,
      }),
    });
  }

  private athenaStatements(props: DailyRunProps): PolicyStatement[] {
    const { catalog, bucket } = props;
    const stack = catalog.workGroup.stack;
    const region = stack.region;
    const account = stack.account;
    return [
      new PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
          'athena:GetWorkGroup',
        ],
        resources: [`arn:${stack.partition}:athena:${region}:${account}:workgroup/${catalog.workGroup.ref}`],
      }),
      new PolicyStatement({
        actions: ['athena:GetDataCatalog'],
        resources: [`arn:${stack.partition}:athena:${region}:${account}:datacatalog/AwsDataCatalog`],
      }),
      new PolicyStatement({
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:GetPartition',
          'glue:GetPartitions',
        ],
        resources: [
          `arn:${stack.partition}:glue:${region}:${account}:catalog`,
          // A view is read with the caller's rights on the tables under it, in the files database.
          ...[catalog.databaseName, catalog.filesDatabaseName].flatMap((db) => [
            `arn:${stack.partition}:glue:${region}:${account}:database/${db}`,
            `arn:${stack.partition}:glue:${region}:${account}:table/${db}/*`,
          ]),
        ],
      }),
      new PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [bucket.bucketArn] }),
    ];
  }
}

/**
 * The model stages of the daily run as the state machine runs them: one function per stage of the
 * registry (shared/stages/registry.ts), with the memory and timeout its declaration asks for, lake grants
 * derived from what it declares it reads and writes; and the waves (a Parallel state per wave, a
 * branch per stage) in which they run. A stage that fails is caught into its outcome, so the other
 * branches finish and later waves still run the stages that do not depend on it.
 */
import { Duration } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Chain, type IChainable, Parallel, Pass, Result, TaskInput } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { stageMetricsPrefix, stockoutListsPrefix, tablePrefix } from '../../shared/lake/keys.ts';
import { stageWaves } from '../../shared/pipeline/stage-invocation.ts';
import { ALL_TABLES, stockout } from '../../shared/schemas/tables.ts';
import { loadSql } from '../../shared/sql/render.ts';
import { orderLinesRunsPrefix } from '../../shared/sql/views.ts';
import type { Stage } from '../../shared/stages/stage.ts';
import { grantLake, lakePrefix } from './lake-access.ts';
import { PipelineFunction } from './pipeline-function.ts';

export interface ModelStagesProps {
  bucket: Bucket;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  /** Athena and Glue access for a function that queries. */
  athenaAccess: readonly PolicyStatement[];
  /** Errors of a Lambda invocation worth retrying. */
  transientErrors: readonly string[];
}

/** The model and alert tables a stage's queries name (Athena reads them with the stage's role). */
function tablesQueriedBy(stage: Stage): string[] {
  const sql = stage.queries.map((q) => loadSql(q.name)).join('\n');
  return ALL_TABLES.filter(
    (t) => (t.zone === 'models' || t.zone === 'alerts') && new RegExp(`\\b${t.name}(_latest)?\\b`).test(sql),
  ).map((t) => lakePrefix(tablePrefix(t)));
}

/**
 * What a stage may read and write in the lake, from its declaration: the committed tables and the
 * run's snapshot its queries read through Athena (and the model tables they name), the partitions it
 * declares it reads, Athena's results of its queries; the tables it declares it writes, and the CSV
 * list of the stockout warnings where it writes them, and its metrics for the run's last step.
 */
export function stageLakeAccess(stage: Stage): { read: string[]; write: string[] } {
  const queries = stage.queries.length > 0;
  const read = new Set<string>([
    ...(queries
      ? ['curated', lakePrefix(orderLinesRunsPrefix), 'athena/unload', ...tablesQueriedBy(stage)]
      : []),
    ...stage.reads.map((r) => lakePrefix(tablePrefix(r.table))),
  ]);
  const write = new Set<string>([
    ...stage.writes.map((t) => lakePrefix(tablePrefix(t))),
    ...(stage.writes.includes(stockout) ? [lakePrefix(stockoutListsPrefix)] : []),
    ...(queries ? ['athena/unload', 'athena/results'] : []),
    lakePrefix(stageMetricsPrefix),
  ]);
  return { read: [...read].sort(), write: [...write].sort() };
}

export class ModelStages extends Construct {
  /** Each stage's function, by stage name. */
  readonly functions = new Map<string, PipelineFunction>();
  /** The Parallel state of each wave, in order. */
  readonly waves: Parallel[] = [];

  constructor(scope: Construct, id: string, props: ModelStagesProps) {
    super(scope, id);
    for (const stage of stageWaves().flat()) {
      const fn = new PipelineFunction(this, stage.name, {
        handler: 'stage',
        description: `storepulse: model stage ${stage.name}`,
        environment: { ...props.environment, MODEL_STAGE: stage.name },
        logRetention: props.logRetention,
        memorySize: stage.memoryMb,
        timeout: Duration.seconds(stage.timeoutSeconds),
      });
      if (stage.queries.length) for (const s of props.athenaAccess) fn.fn.addToRolePolicy(s);
      grantLake(props.bucket, fn.fn, stageLakeAccess(stage));
      this.functions.set(stage.name, fn);
    }
    stageWaves().forEach((wave, i) => {
      const parallel = new Parallel(this, `Wave${i + 1}`, {
        comment: `model stages ${wave.map((s) => s.name).join(', ')}`,
        resultPath: `$.waves.wave${i + 1}`,
      });
      for (const stage of wave) parallel.branch(this.branch(stage, props));
      this.waves.push(parallel);
    });
  }

  /** A stage's invocation; a failure becomes its outcome (`ok: false`, the error), not the run's. */
  private branch(stage: Stage, props: ModelStagesProps): IChainable {
    const invoke = new LambdaInvoke(this, `Run-${stage.name}`, {
      lambdaFunction: this.functions.get(stage.name)!.fn,
      payload: TaskInput.fromObject({
        'asOf.$': '$.plan.asOf',
        'orderLinesRun.$': '$.plan.orderLinesRun',
        stage: stage.name,
        'waves.$': '$.waves',
      }),
      payloadResponseOnly: true,
    }).addRetry({
      errors: [...props.transientErrors],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 4,
    });
    const failed = new Pass(this, `Failed-${stage.name}`, {
      parameters: { stage: stage.name, ok: false, 'error.$': '$.caught.Cause' },
    });
    invoke.addCatch(failed, { resultPath: '$.caught' });
    return invoke;
  }

  /** The waves one after the other, ready to be chained after the SQL stage. */
  chain(): Chain {
    return this.waves.slice(1).reduce((c, w) => c.next(w), Chain.start(this.waves[0]!));
  }
}

/** The state before the first wave: no outcomes yet. */
export const noOutcomesYet = (scope: Construct): Pass =>
  new Pass(scope, 'NoStageYet', { result: Result.fromObject({}), resultPath: '$.waves' });

/**
 * The daily run's model stages one invocation each, as the AWS state machine runs them: every stage
 * of the registry (shared/stages/registry.ts) in its own Lambda, in waves by dependency (the stages
 * of a wave read only outputs of earlier waves), then one step that writes the run's metrics and
 * fails the run if a stage failed. Locally `runModels` runs the same stages in one process.
 */
import { UsageError } from '../errors.ts';
import { commitRecords, historyBounds } from '../lake/commits.ts';
import { stageMetricsKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { shapedEngine } from '../stages/engine-boundary.ts';
import { RUN_METRICS_TABLE, STAGES } from '../stages/registry.ts';
import { dependencies, runStage, StageFailure, stageOrder, writeOutput } from '../stages/run-stages.ts';
import { columnsOf, type Metric, type Stage } from '../stages/stage.ts';
import type { DailyRunDeps } from './daily-run.ts';

/** What one stage's invocation came to: the state machine carries these from wave to wave. */
export interface StageOutcome {
  stage: string;
  ok: boolean;
  /** Why it failed, or why it was not run. */
  error?: string;
  /** How many metrics it wrote (to stageMetricsKey: a state passes at most 256 KiB on). */
  metrics?: number;
  seconds?: number;
}

/** The outcomes the state machine carries, by wave (`$.waves.wave1`, …), as one list. */
export const outcomesOfWaves = (
  waves: Readonly<Record<string, readonly StageOutcome[]>> = {},
): StageOutcome[] => Object.values(waves).flat();

/**
 * The waves of the registry: each stage in the first wave after every stage whose output it reads
 * on the run's day. Stages of one wave run at once.
 */
export function stageWaves(stages: readonly Stage[] = STAGES): Stage[][] {
  const wave = new Map<Stage, number>();
  for (const s of stageOrder(stages)) {
    wave.set(s, Math.max(-1, ...dependencies(s, stages).map((d) => wave.get(d)!)) + 1);
  }
  const waves: Stage[][] = [];
  for (const [s, w] of wave) {
    waves[w] ??= [];
    waves[w].push(s);
  }
  return waves;
}

export function stageNamed(name: string): Stage {
  const stage = STAGES.find((s) => s.name === name);
  if (!stage) {
    throw new UsageError(`no stage "${name}"; the stages are ${STAGES.map((s) => s.name).join(', ')}`);
  }
  return stage as Stage;
}

/**
 * Runs one stage against the run's snapshot of the order history (made by the SQL stage before the
 * first wave). A stage whose input stage failed is not run: its outcome says which. A stage that
 * fails throws; the state machine catches it into an outcome, and the other stages go on.
 */
export async function runStageInvocation(
  deps: DailyRunDeps,
  event: { asOf: string; orderLinesRun: string; stage: string; outcomes: readonly StageOutcome[] },
): Promise<StageOutcome> {
  const stage = stageNamed(event.stage);
  const failed = dependencies(stage, STAGES).filter((d) =>
    event.outcomes.some((o) => o.stage === d.name && !o.ok),
  );
  if (failed.length) {
    return {
      stage: stage.name,
      ok: false,
      error: `not run: it reads the output of ${failed.map((d) => d.name).join(', ')}, which failed`,
    };
  }
  const started = performance.now();
  const engine = await deps.openEngine();
  try {
    await engine.pinOrderLines(event.asOf, event.orderLinesRun, { made: true });
    const records = await commitRecords(deps.lake);
    const { result } = await runStage(stage, {
      lake: deps.lake,
      config: deps.config,
      log: deps.log,
      engine: shapedEngine(engine),
      asOf: event.asOf,
      bounds: (table) => historyBounds(records, table.name),
    });
    const metrics = [...(result.metrics ?? [])];
    await deps.lake.put(stageMetricsKey(event.orderLinesRun, stage.name), JSON.stringify(metrics));
    return {
      stage: stage.name,
      ok: true,
      metrics: metrics.length,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await engine.close();
  }
}

/**
 * A failed invocation's cause as a person reads it: Step Functions passes a Lambda's error as the
 * JSON of its runtime (`errorType`, `errorMessage`, a stack trace); the type and message are kept.
 */
export function readableError(cause: string): string {
  try {
    const e = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof e.errorMessage === 'string') {
      return typeof e.errorType === 'string' ? `${e.errorType}: ${e.errorMessage}` : e.errorMessage;
    }
  } catch {
    // not the runtime's JSON: as given
  }
  return cause;
}

/**
 * After the last wave: the run's metrics (every stage's) as its diagnostics partition, whatever
 * failed; then, if a stage failed or was not run, the run fails naming each and why.
 */
export async function finishStages(
  lake: Lake,
  run: { asOf: string; orderLinesRun: string },
  outcomes: readonly StageOutcome[],
): Promise<{ stages: number; output: string }> {
  const { asOf } = run;
  const missing = STAGES.filter((s) => !outcomes.some((o) => o.stage === s.name));
  if (missing.length)
    throw new UsageError(`no outcome for stage(s) ${missing.map((s) => s.name).join(', ')}`);
  const metrics: Metric[] = [];
  for (const o of outcomes.filter((x) => x.ok)) {
    const bytes = await lake.get(stageMetricsKey(run.orderLinesRun, o.stage));
    if (!bytes) {
      throw new UsageError(`stage ${o.stage} succeeded but wrote no metrics for run ${run.orderLinesRun}`);
    }
    metrics.push(...(JSON.parse(Buffer.from(bytes).toString('utf8')) as Metric[]));
  }
  const output = await writeOutput(lake, RUN_METRICS_TABLE, asOf, columnsOf(RUN_METRICS_TABLE, metrics));
  const failures = outcomes
    .filter((o) => !o.ok)
    .map((o) => ({ stage: o.stage, error: new Error(readableError(o.error ?? 'failed')) }));
  if (failures.length) throw new StageFailure(failures);
  return { stages: outcomes.length, output };
}

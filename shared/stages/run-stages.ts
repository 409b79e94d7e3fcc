/**
 * The daily run's model tier as a loop over declared stages: in dependency order (a stage that reads
 * another's output of the run's day runs after it), each given only its declared queries, reads and
 * settings, its outputs checked against the table specs and written. A failing stage does not stop
 * the others: the stages that do not depend on it still write, and the run then fails naming every
 * stage that failed and why.
 */
import type { Config } from '../config.ts';
import { StorepulseError } from '../errors.ts';
import { dataFileKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { encodeTable } from '../lake/parquet.ts';
import { decodeParquet } from '../lake/parquet-read.ts';
import type { Log } from '../pipeline/log.ts';
import type { TableSpec } from '../schemas/table.ts';
import type { HistoryBounds } from '../sql/views.ts';
import { addDays } from '../time.ts';
import { checkOutput } from './output-check.ts';
import { type QueryDecl, queryColumns, queryRows, type ShapedEngine } from './row-shape.ts';
import type { LakeRead, Metric, OutputColumns, Stage, StageContext, StageResult } from './stage.ts';

export const partitionKey = (spec: TableSpec, asOf: string): string =>
  dataFileKey(spec, { dt: asOf }, 'part-0000');

/** Writes one partition of a declared table (checked first), replacing the run's earlier one. */
export async function writeOutput(
  lake: Lake,
  spec: TableSpec,
  asOf: string,
  columns: OutputColumns,
): Promise<string> {
  checkOutput(spec, columns);
  const key = partitionKey(spec, asOf);
  await lake.put(key, await encodeTable(spec, columns as Record<string, readonly unknown[]>));
  return key;
}

/** Stages a stage waits for: those that write a table it reads for the run's day. */
export function dependencies(stage: Stage, stages: readonly Stage[]): Stage[] {
  const reads = new Set(stage.reads.filter((r) => r.day === 'run').map((r) => r.table));
  return stages.filter((s) => s !== stage && s.writes.some((t) => reads.has(t)));
}

/** The stages in an order where each comes after the stages it depends on (registry order otherwise). */
export function stageOrder<S extends Stage>(stages: readonly S[]): S[] {
  const done = new Set<Stage>();
  const order: S[] = [];
  const visit = (s: S, path: readonly Stage[]) => {
    if (done.has(s)) return;
    if (path.includes(s))
      throw new Error(
        `stages depend on each other in a cycle: ${[...path, s].map((x) => x.name).join(' -> ')}`,
      );
    for (const d of dependencies(s, stages)) visit(d as S, [...path, s]);
    done.add(s);
    order.push(s);
  };
  for (const s of stages) visit(s, []);
  return order;
}

export class StageFailure extends StorepulseError {
  constructor(readonly failures: readonly { stage: string; error: Error }[]) {
    super(
      `${failures.length} stage(s) of the daily run failed: ${failures
        .map((f) => `${f.stage}: ${f.error.message}`)
        .join('; ')}`,
      { cause: failures[0]?.error },
    );
  }
}

export interface StageEnv {
  lake: Lake;
  config: Config;
  log: Log;
  engine: ShapedEngine;
  asOf: string;
  /** Where each table's committed rows lie (commit records). */
  bounds(table: TableSpec): HistoryBounds | undefined;
}

function contextFor<K extends keyof Config>(
  stage: Stage<string, unknown, K>,
  env: StageEnv,
): StageContext<K> {
  const declared = (q: QueryDecl) => {
    if (!stage.queries.includes(q))
      throw new Error(`stage ${stage.name} runs ${q.name}.sql, which it does not declare`);
  };
  return {
    asOf: env.asOf,
    settings: Object.fromEntries(stage.settings.map((k) => [k, env.config[k]])) as Pick<Config, K>,
    log: env.log,
    rows: (q, params) => {
      declared(q);
      return queryRows(env.engine, q, params);
    },
    columns: (q, params) => {
      declared(q);
      return queryColumns(env.engine, q, params);
    },
    engine: {
      runNamed(name, params) {
        const q = stage.queries.find((d) => d.name === name);
        if (!q) throw new Error(`stage ${stage.name} runs ${name}.sql, which it does not declare`);
        return queryRows(env.engine, q, params);
      },
    },
    async read(r: LakeRead) {
      if (!stage.reads.some((d) => d.table === r.table && d.day === r.day))
        throw new Error(`stage ${stage.name} reads ${r.table.name} (${r.day}), which it does not declare`);
      const bytes = await env.lake.get(
        partitionKey(r.table, r.day === 'run' ? env.asOf : addDays(env.asOf, -1)),
      );
      if (!bytes && r.day === 'run')
        throw new Error(
          `stage ${stage.name} reads the run's ${r.table.name} partition, which is not in the lake`,
        );
      return bytes ? decodeParquet(bytes) : undefined;
    },
    bounds: env.bounds,
  };
}

/** Runs one stage and writes what it returns; the keys written and its result. */
export async function runStage<Summary>(
  stage: Stage<string, Summary, keyof Config>,
  env: StageEnv,
): Promise<{ result: StageResult<Summary>; outputs: string[] }> {
  const result = await stage.run(contextFor(stage, env));
  // defineStage makes this a compile error; a stage built some other way is checked here.
  const returned = Object.keys(result.tables);
  const declared = stage.writes.map((t) => t.name);
  const undeclared = returned.filter((name) => !declared.includes(name));
  const missing = declared.filter((name) => !(name in result.tables));
  if (undeclared.length || missing.length)
    throw new Error(
      `stage ${stage.name} returned ${returned.join(', ') || 'no tables'}; it declares ${declared.join(', ')}`,
    );
  const outputs: string[] = [];
  for (const spec of stage.writes)
    outputs.push(await writeOutput(env.lake, spec, env.asOf, result.tables[spec.name]!));
  for (const f of result.files ?? []) {
    await env.lake.put(f.key, f.body);
    outputs.push(f.key);
  }
  return { result, outputs };
}

export interface StagesRun {
  /** Each stage's summary, by stage name (the stages that ran). */
  summaries: Map<string, unknown>;
  metrics: Metric[];
  outputs: string[];
  failures: { stage: string; error: Error }[];
  /** Seconds per stage, in the order they ran. */
  seconds: { stage: string; seconds: number }[];
}

/**
 * Every stage in dependency order. A stage whose dependency failed is not run (it fails too, saying
 * which); the others run and write. The caller writes the metrics and throws StageFailure if any failed.
 */
export async function runStages(
  stages: readonly Stage<string, unknown, keyof Config>[],
  env: StageEnv,
): Promise<StagesRun> {
  const run: StagesRun = { summaries: new Map(), metrics: [], outputs: [], failures: [], seconds: [] };
  const failed = new Set<Stage>();
  for (const stage of stageOrder(stages)) {
    const blockers = dependencies(stage, stages).filter((d) => failed.has(d));
    if (blockers.length) {
      failed.add(stage);
      run.failures.push({
        stage: stage.name,
        error: new Error(
          `not run: it reads the output of ${blockers.map((b) => b.name).join(', ')}, which failed`,
        ),
      });
      continue;
    }
    const started = performance.now();
    try {
      const { result, outputs } = await runStage(stage, env);
      run.summaries.set(stage.name, result.summary);
      run.metrics.push(...(result.metrics ?? []));
      run.outputs.push(...outputs);
    } catch (cause) {
      failed.add(stage);
      const error = cause instanceof Error ? cause : new Error(String(cause));
      env.log.warn(`run ${env.asOf}: stage ${stage.name} failed: ${error.message}`);
      run.failures.push({ stage: stage.name, error });
    }
    const seconds = (performance.now() - started) / 1000;
    run.seconds.push({ stage: stage.name, seconds });
    env.log.info(
      `run ${env.asOf}: stage ${stage.name} ${failed.has(stage) ? 'failed' : 'done'} in ${seconds.toFixed(1)} s`,
    );
  }
  return run;
}

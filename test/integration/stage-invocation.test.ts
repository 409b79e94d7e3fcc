/**
 * The model stages one invocation each (shared/pipeline/stage-invocation.ts), as the AWS state
 * machine runs them in waves: the same partitions as `runModels` in one process; a stage whose input
 * failed is not run; the end step writes the metrics and fails naming each stage.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitRecords, historyBounds } from '../../shared/lake/commits.ts';
import { stageMetricsKey } from '../../shared/lake/keys.ts';
import { LocalLake } from '../../shared/lake/local.ts';
import { runModels } from '../../shared/pipeline/daily-run.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import {
  finishStages,
  readableError,
  runStageInvocation,
  type StageOutcome,
  stageWaves,
} from '../../shared/pipeline/stage-invocation.ts';
import type { TableSpec } from '../../shared/schemas/table.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { RUN_METRICS_TABLE, STAGES } from '../../shared/stages/registry.ts';
import { dependencies, StageFailure } from '../../shared/stages/run-stages.ts';
import {
  FITTED_PARAMETER_TOLERANCE,
  FLOAT_TOLERANCE,
  partitionRows,
  rowDifferences,
} from '../aws-home/compare.ts';
import { fixture, ingest, tempDir, testConfig } from '../helpers.ts';

const AS_OF = '2025-12-31';

const depsOf = (lake: LocalLake) => ({
  lake,
  config: testConfig(),
  log: silentLog,
  openEngine: () => DuckDbEngine.open(lake),
});

describe('model stages as invocations', () => {
  it('puts every stage in one wave, after every stage whose output it reads', () => {
    const waves = stageWaves();
    expect(
      waves
        .flat()
        .map((s) => s.name)
        .sort(),
    ).toEqual(STAGES.map((s) => s.name).sort());
    const waveOf = new Map(waves.flatMap((w, i) => w.map((s) => [s, i] as const)));
    for (const s of STAGES)
      for (const d of dependencies(s, STAGES)) expect(waveOf.get(d)!).toBeLessThan(waveOf.get(s)!);
  });

  it('writes, wave by wave, the partitions runModels writes in one process', async () => {
    const dir = await tempDir();
    const one = new LocalLake(join(dir, 'one'));
    await ingest(one, fixture('rfm', 'orders.csv'));
    await cp(join(dir, 'one'), join(dir, 'waves'), { recursive: true });
    const waves = new LocalLake(join(dir, 'waves'));

    await runModels(depsOf(one), AS_OF);
    // The plan's snapshot (Athena's UNLOAD in AWS), made once; each invocation reads it.
    const snapshotter = await DuckDbEngine.open(waves);
    await snapshotter.makeRunSnapshot(
      AS_OF,
      'test',
      historyBounds(await commitRecords(waves), 'order_lines'),
    );
    await snapshotter.close();
    const outcomes: StageOutcome[] = [];
    for (const wave of stageWaves()) {
      const done = await Promise.all(
        wave.map((s) =>
          runStageInvocation(depsOf(waves), { asOf: AS_OF, orderLinesRun: 'test', stage: s.name, outcomes }),
        ),
      );
      outcomes.push(...done);
    }
    expect(outcomes.every((o) => o.ok)).toBe(true);
    await finishStages(waves, { asOf: AS_OF, orderLinesRun: 'test' }, outcomes);

    const differences: string[] = [];
    for (const spec of [
      ...new Set(STAGES.flatMap((s): readonly TableSpec[] => s.writes)),
      RUN_METRICS_TABLE,
    ]) {
      const tolerance = spec === RUN_METRICS_TABLE ? FITTED_PARAMETER_TOLERANCE : FLOAT_TOLERANCE;
      const [expected, actual] = [
        await partitionRows(one, spec, AS_OF),
        await partitionRows(waves, spec, AS_OF),
      ];
      for (const d of rowDifferences(expected, actual, tolerance)) differences.push(`${spec.name}: ${d}`);
    }
    expect(differences).toEqual([]);
  }, 120_000);

  it('fails a stage invoked for a run whose snapshot was never made, naming the run', async () => {
    const lake = new LocalLake(join(await tempDir(), 'lake'));
    await ingest(lake, fixture('rfm', 'orders.csv'));
    const rfm = STAGES.find((s) => s.name === 'rfm')!;
    const outcome = await runStageInvocation(depsOf(lake), {
      asOf: AS_OF,
      orderLinesRun: 'never-planned',
      stage: rfm.name,
      outcomes: [],
    }).catch((e: Error) => e);
    expect(String(outcome)).toMatch(
      /run never-planned has no snapshot under athena\/runs\/order_lines\/run=never-planned\//,
    );
  });

  it('does not run a stage whose input failed, and the end step fails naming each stage and why', async () => {
    const lake = new LocalLake(join(await tempDir(), 'lake'));
    const dependant = STAGES.find((s) => dependencies(s, STAGES).length > 0)!;
    const input = dependencies(dependant, STAGES)[0]!;
    const failed: StageOutcome = {
      stage: input.name,
      ok: false,
      error: JSON.stringify({ errorType: 'LakeError', errorMessage: 'read failed', trace: ['at x'] }),
    };
    const skipped = await runStageInvocation(depsOf(lake), {
      asOf: AS_OF,
      orderLinesRun: 'test',
      stage: dependant.name,
      outcomes: [failed],
    });
    expect(skipped).toEqual({
      stage: dependant.name,
      ok: false,
      error: expect.stringContaining(`not run: it reads the output of ${input.name}, which failed`),
    });
    const outcomes = STAGES.map((s) =>
      s === input ? failed : s === dependant ? skipped : { stage: s.name, ok: true, metrics: 0 },
    );
    for (const o of outcomes) if (o.ok) await lake.put(stageMetricsKey('test', o.stage), '[]');
    const error = await finishStages(lake, { asOf: AS_OF, orderLinesRun: 'test' }, outcomes).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StageFailure);
    expect((error as Error).message).toContain(`${input.name}: LakeError: read failed`);
    expect((error as Error).message).toContain(`${dependant.name}: not run`);
    // The metrics partition is written all the same.
    expect(await lake.list(`models/${RUN_METRICS_TABLE.name}/dt=${AS_OF}/`)).toHaveLength(1);
    await expect(
      finishStages(lake, { asOf: AS_OF, orderLinesRun: 'test' }, outcomes.slice(1)),
    ).rejects.toThrow(/no outcome for stage/);
    // A stage reported done whose metrics are not in the lake fails the run rather than writing less.
    await lake.delete(stageMetricsKey('test', outcomes.find((o) => o.ok)!.stage));
    await expect(finishStages(lake, { asOf: AS_OF, orderLinesRun: 'test' }, outcomes)).rejects.toThrow(
      /succeeded but wrote no metrics for run test/,
    );
  });

  it('reads a Lambda runtime error as its type and message', () => {
    expect(readableError('{"errorType":"QueryError","errorMessage":"rfm.sql failed","trace":[]}')).toBe(
      'QueryError: rfm.sql failed',
    );
    expect(readableError('States.Timeout')).toBe('States.Timeout');
  });
});

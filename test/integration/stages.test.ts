/**
 * The daily run as declared stages (issue 19): the order derived from reads and writes, the row
 * shapes checked at the engine boundary, outputs checked against the table specs, and a failing
 * stage failing the run by name while the stages that do not depend on it still write.
 */
import { describe, expect, it } from 'vitest';
import { dataFileKey } from '../../shared/lake/keys.ts';
import type { LocalLake } from '../../shared/lake/local.ts';
import { runDaily } from '../../shared/pipeline/daily-run.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import type { TableSpec } from '../../shared/schemas/table.ts';
import { funnel, rfm } from '../../shared/schemas/tables.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { shapedEngine } from '../../shared/stages/engine-boundary.ts';
import { checkOutput } from '../../shared/stages/output-check.ts';
import { STAGES } from '../../shared/stages/registry.ts';
import { checkRows, query } from '../../shared/stages/row-shape.ts';
import { dependencies, runStages, StageFailure, stageOrder } from '../../shared/stages/run-stages.ts';
import { defineStage, type Stage } from '../../shared/stages/stage.ts';
import { fixture, ingest, tempLake, testConfig } from '../helpers.ts';

const names = (stages: readonly Stage[]) => stages.map((s) => s.name);
const byName = (name: string) => STAGES.find((s) => s.name === name)! as Stage;

describe('stage declarations', () => {
  it('order the run by what each stage reads of the run’s day: churn recall after RFM and CLV, AIPL after RFM', () => {
    const order = names(stageOrder(STAGES));
    expect(new Set(order)).toEqual(new Set(names(STAGES)));
    expect(order.indexOf('churn_recall')).toBeGreaterThan(order.indexOf('rfm'));
    expect(order.indexOf('churn_recall')).toBeGreaterThan(order.indexOf('clv'));
    expect(order.indexOf('aipl')).toBeGreaterThan(order.indexOf('rfm'));
    expect(names(dependencies(byName('churn_recall'), STAGES)).sort()).toEqual(['clv', 'rfm']);
    // Yesterday's partitions are no dependency: CLV reads the previous day's diagnostics only.
    expect(names(dependencies(byName('clv'), STAGES))).toEqual([]);
  });

  it('refuse a cycle', () => {
    const a = defineStage({
      name: 'a',
      doc: '',
      queries: [],
      reads: [{ table: funnel, day: 'run' }],
      writes: [rfm],
      settings: [],
      memoryMb: 512,
      timeoutSeconds: 60,
      run: () => Promise.reject(new Error('not run: the stages form a cycle')),
    });
    const b = defineStage({
      name: 'b',
      doc: '',
      queries: [],
      reads: [{ table: rfm, day: 'run' }],
      writes: [funnel],
      settings: [],
      memoryMb: 512,
      timeoutSeconds: 60,
      run: () => Promise.reject(new Error('not run: the stages form a cycle')),
    });
    expect(() => stageOrder([a, b] as Stage[])).toThrow(/cycle: a -> b -> a|cycle: b -> a -> b/);
  });

  it('write each table once, and every model and alert table is written by a stage', () => {
    const written = STAGES.flatMap((s) => s.writes as readonly TableSpec[]);
    expect(new Set(written).size).toBe(written.length);
  });
});

describe('the engine boundary', () => {
  const q = query('rfm_customer_aggregates', {
    customer_id: 'string',
    last_order_date: 'date',
    monetary: 'double',
  });
  const good = () => [{ customer_id: 'c1', last_order_date: '2026-01-02', monetary: 12.5 }];

  it('passes rows of the declared shape, dates from epoch milliseconds as YYYY-MM-DD', () => {
    expect(checkRows(q, good())).toEqual(good());
    expect(
      checkRows(q, [{ customer_id: 'c1', last_order_date: Date.UTC(2026, 0, 2), monetary: 1 }])[0]!
        .last_order_date,
    ).toBe('2026-01-02');
  });

  it('fails on a renamed column, naming the query and both columns', () => {
    expect(() => checkRows(q, [{ customer_id: 'c1', last_order_date: '2026-01-02', spend: 12.5 }])).toThrow(
      /rfm_customer_aggregates\.sql: no column "monetary"; undeclared column "spend"/,
    );
  });

  it('fails on a retyped column, a null in a required column and an unparsable date', () => {
    expect(() => checkRows(q, [{ ...good()[0]!, monetary: '12.5' }])).toThrow(
      /rfm_customer_aggregates\.sql: column "monetary", row 1: expected a number, got the string "12.5"/,
    );
    expect(() => checkRows(q, [...good(), { ...good()[0]!, customer_id: null }])).toThrow(
      /column "customer_id", row 2: null in a column declared not null/,
    );
    expect(() => checkRows(q, [{ ...good()[0]!, last_order_date: '2026-02-30' }])).toThrow(
      /column "last_order_date", row 1: expected a date/,
    );
  });

  it('checks DuckDB’s column-major results the same way', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('rfm', 'orders.csv'));
    const engine = await DuckDbEngine.open(lake);
    try {
      const shaped = shapedEngine(engine);
      const cols = await shaped.columns!('rfm_customer_aggregates', { as_of: '2026-03-31' });
      expect(cols.names).toContain('monetary');
      const { queryColumns } = await import('../../shared/stages/row-shape.ts');
      const wrong = query('rfm_customer_aggregates', {
        customer_id: 'string',
        first_order_date: 'date',
        last_order_date: 'date',
        frequency: 'int',
        monetary: 'string',
        lines_without_rate: 'int',
      });
      await expect(queryColumns(shaped, wrong, { as_of: '2026-03-31' })).rejects.toThrow(
        /column "monetary", row 1: expected a string, got number/,
      );
    } finally {
      await engine.close();
    }
  });
});

describe('the write boundary', () => {
  it('refuses a missing column, an unparsable date and a value outside a closed vocabulary', () => {
    const row = { customer_id: 'c', stage: 'loyal' };
    const { aipl, clv } = {
      aipl: STAGES.find((s) => s.name === 'aipl')!.writes[0]!,
      clv: STAGES.find((s) => s.name === 'clv')!.writes[0]!,
    };
    expect(() => checkOutput(aipl, { customer_id: [row.customer_id], stage: [row.stage] })).not.toThrow();
    expect(() => checkOutput(aipl, { customer_id: ['c'] })).toThrow(/aipl: no column "stage"/);
    expect(() => checkOutput(aipl, { customer_id: ['c'], stage: ['asleep'] })).toThrow(
      /aipl: column "stage", row 1: "asleep" is not a valid string \(aware, interested, purchased, loyal\)/,
    );
    const clvRow: Record<string, unknown[]> = Object.fromEntries(
      clv.columns.map((c) => [c.name, [c.type === 'string' ? 'x' : c.type === 'date' ? '2026-01-01' : 1]]),
    );
    expect(() => checkOutput(clv, clvRow)).not.toThrow();
    expect(() => checkOutput(clv, { ...clvRow, first_order_date: ['2026-13-01'] })).toThrow(
      /clv: column "first_order_date", row 1: "2026-13-01" is not a valid date/,
    );
  });
});

const open = (lake: LocalLake) => (tables?: readonly TableSpec[]) =>
  DuckDbEngine.open(lake, tables ? { tables } : {});

describe('a failing stage', () => {
  it('fails the run with its name and error; stages that do not depend on it still write; its dependants do not run', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('rfm', 'orders.csv'));
    const asOf = '2026-03-31';
    const broken = defineStage({
      name: 'broken',
      doc: 'writes rfm, then fails',
      queries: [],
      reads: [],
      writes: [rfm],
      settings: [],
      memoryMb: 512,
      timeoutSeconds: 60,
      run: async () => {
        throw new Error('the model diverged');
      },
    });
    const after = STAGES.filter((s) => s.name === 'churn_recall' || s.name === 'funnel' || s.name === 'clv');
    const engine = await DuckDbEngine.open(lake);
    try {
      const run = await runStages([broken, ...after] as Stage[], {
        lake,
        config: testConfig(),
        log: silentLog,
        engine: shapedEngine(engine),
        asOf,
        bounds: () => undefined,
      });
      expect(run.failures.map((f) => [f.stage, f.error.message])).toEqual([
        ['broken', 'the model diverged'],
        ['churn_recall', 'not run: it reads the output of broken, which failed'],
      ]);
      expect(await lake.exists(dataFileKey(funnel, { dt: asOf }, 'part-0000'))).toBe(true);
      expect(run.outputs.length).toBe(2);
    } finally {
      await engine.close();
    }
  });

  it('refuses a query the stage does not declare', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('rfm', 'orders.csv'));
    // An undeclared query is refused: the declaration is what a stage may run.
    const sneaky = defineStage({
      name: 'sneaky',
      doc: '',
      queries: [],
      reads: [],
      writes: [],
      settings: [],
      memoryMb: 512,
      timeoutSeconds: 60,
      run: async (ctx) => {
        await ctx.engine.runNamed('rfm_customer_aggregates', { as_of: ctx.asOf });
        return { tables: {}, summary: null };
      },
    });
    const engine = await DuckDbEngine.open(lake);
    try {
      const run = await runStages([sneaky] as Stage[], {
        lake,
        config: testConfig(),
        log: silentLog,
        engine: shapedEngine(engine),
        asOf: '2026-03-31',
        bounds: () => undefined,
      });
      expect(run.failures[0]?.error.message).toBe(
        'stage sneaky runs rfm_customer_aggregates.sql, which it does not declare',
      );
    } finally {
      await engine.close();
    }
  });

  it('fails the run with one error naming every failed stage', () => {
    const failure = new StageFailure([
      { stage: 'clv', error: new Error('no customers') },
      { stage: 'churn_recall', error: new Error('not run: it reads the output of clv, which failed') },
    ]);
    expect(failure.message).toBe(
      '2 stage(s) of the daily run failed: clv: no customers; churn_recall: not run: it reads the output of clv, which failed',
    );
  });

  it('passes the recall settings to churn recall (they had no effect before the stages declared them)', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('rfm', 'orders.csv'));
    const alerts = async (overrides: Parameters<typeof testConfig>[0]) =>
      (
        await runDaily(
          { lake, config: testConfig(overrides), log: silentLog, openEngine: open(lake) },
          '2026-03-31',
        )
      ).summaries.churn_recall.alerts;
    const strict = await alerts({ recallPAliveThreshold: 0.01, recallTopShare: 0.01 });
    const loose = await alerts({ recallPAliveThreshold: 0.999, recallTopShare: 1 });
    expect(loose).toBeGreaterThan(strict);
  });
});

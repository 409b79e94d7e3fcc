import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { recallContacts } from '../../shared/alerts/recall-csv.ts';
import { QueryError } from '../../shared/errors.ts';
import { encodeTable } from '../../shared/lake/parquet.ts';
import { orderLines, rfm } from '../../shared/schemas/tables.ts';
import { AthenaEngine } from '../../shared/sql/athena.ts';
import { columnList } from '../../shared/sql/columns.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { loadSql, raw, stringList } from '../../shared/sql/render.ts';
import { GLUE_FILES_DATABASE, glueViews } from '../../shared/sql/views.ts';
import { STAGES } from '../../shared/stages/registry.ts';
import { fixture, ingest, tempLake } from '../helpers.ts';

const QUERY_DIR = fileURLToPath(new URL('../../shared/sql/queries/', import.meta.url));
const SAMPLE_PARAMS = {
  as_of: '2026-03-31',
  since: '2026-03-01',
  previous_since: '2026-01-30',
  d30: '2026-03-01',
  d60: '2026-01-30',
  d365: '2025-03-31',
  first_day: '2026-01-01',
  sources: stringList(['generic']),
  columns: raw(columnList(orderLines)),
};

describe('.sql files', () => {
  it('every one runs on DuckDB over a real lake', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('rfm', 'orders.csv'));
    const { contacts, ...rest } = await import('../../shared/schemas/tables.ts');
    const engine = await DuckDbEngine.open(lake, { tables: [...rest.QUERYABLE_TABLES, contacts] });
    try {
      const names = readdirSync(QUERY_DIR).filter((f) => f.endsWith('.sql'));
      expect(names.length).toBeGreaterThanOrEqual(4);
      for (const file of names) {
        const name = file.replace(/\.sql$/, '');
        if (name === 'order_lines_latest') continue; // the view itself, run by every other query
        await expect(engine.runNamed(name, SAMPLE_PARAMS), file).resolves.toBeInstanceOf(Array);
      }
    } finally {
      await engine.close();
    }
  });

  it('has a file for every declared query and a declaration for every file, one to one', () => {
    const declared = [
      ...STAGES.flatMap((s) => s.queries.map((q) => q.name)),
      recallContacts.name,
      // Statement templates rendered into other SQL (the views, the run's snapshot), not row queries.
      'order_lines_latest',
      'order_lines_snapshot',
    ];
    const files = readdirSync(QUERY_DIR)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.replace(/\.sql$/, ''));
    expect(new Set(declared).size, 'a query declared twice').toBe(declared.length);
    expect([...declared].sort()).toEqual([...files].sort());
    expect(() => loadSql('rfm_customer_aggregate')).toThrow(/rfm_customer_aggregate\.sql: no such query/);
    expect(() => loadSql('../x')).toThrow(/letters, digits and _/);
  });

  it('declares the views once: DuckDB has the Glue views, over the files of committed batches only', async () => {
    const lake = await tempLake();
    const report = await ingest(lake, fixture('rfm', 'orders.csv'));
    const views = glueViews('USD');
    expect(views.map((v) => v.name)).toEqual(
      expect.arrayContaining(['order_lines', 'order_lines_versions', 'fx_rates', 'products', 'contacts']),
    );
    const count = async (engine: DuckDbEngine, relation: string) =>
      Number((await engine.query(`select count(*) as n from ${relation}`)).rows[0]!.n);
    let engine = await DuckDbEngine.open(lake);
    try {
      expect(await count(engine, 'order_lines')).toBeGreaterThan(0);
      expect(await count(engine, 'order_lines_versions')).toBe(report.rowsLanded);
    } finally {
      await engine.close();
    }
    // Without its commit record the batch is invisible through every view; its files remain.
    for (const key of await lake.list('curated/batch_commits/')) await lake.delete(key);
    engine = await DuckDbEngine.open(lake);
    try {
      expect(await count(engine, 'order_lines')).toBe(0);
      expect(await count(engine, 'order_lines_versions')).toBe(0);
      expect(await count(engine, `${GLUE_FILES_DATABASE}.order_lines_versions`)).toBe(report.rowsLanded);
    } finally {
      await engine.close();
    }
  });
});

describe('DuckDB engine', () => {
  it('keeps to its memory budget (2 GB unless given one), not DuckDB’s own 80 % of the machine', async () => {
    const lake = await tempLake();
    const limit = async (options: { memoryLimit?: string }) => {
      const engine = await DuckDbEngine.open(lake, options);
      try {
        const { rows } = await engine.query("select current_setting('memory_limit') as v");
        const [, n, unit] = /^([\d.]+) (\w+)$/.exec(String(rows[0]!.v))!;
        return Number(n) * ({ KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 }[unit!] ?? Number.NaN);
      } finally {
        await engine.close();
      }
    };
    // DuckDB reports the setting rounded to a tenth of its unit (1.8 GiB): within 5 %.
    expect(Math.abs((await limit({})) / 2e9 - 1)).toBeLessThan(0.05);
    expect(Math.abs((await limit({ memoryLimit: '512MB' })) / 512e6 - 1)).toBeLessThan(0.05);
  });
});

describe('Athena engine', () => {
  const athena = mockClient(AthenaClient);
  beforeEach(() => athena.reset());

  const engine = (lake: Awaited<ReturnType<typeof tempLake>>, sleeps: number[] = []) =>
    new AthenaEngine({
      athena: new AthenaClient({ region: 'us-east-1' }),
      workGroup: 'storepulse',
      database: 'storepulse_db',
      lake,
      unloadPrefix: 'athena/unload/',
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      newId: () => 'fixed-id',
    });

  it('runs a named query as UNLOAD to Parquet, polls with backoff, and reads the rows back', async () => {
    const lake = await tempLake();
    // What Athena would have written: a Parquet file under the UNLOAD prefix.
    const row = {
      customer_id: 'c1',
      last_order_date: '2026-03-01',
      recency_days: 30,
      frequency: 2,
      monetary: 12.5,
      r_score: 3,
      f_score: 2,
      m_score: 1,
      r_high: true,
      f_high: false,
      m_high: false,
      segment: 'general_development',
      segment_zh: '一般发展客户',
      action: 'x',
    };
    await lake.put(
      'athena/unload/rfm_customer_aggregates/fixed-id/part-0',
      await encodeTable(rfm, Object.fromEntries(Object.entries(row).map(([k, v]) => [k, [v]]))),
    );
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-123' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const sleeps: number[] = [];
    const rows = await engine(lake, sleeps).runNamed('rfm_customer_aggregates', { as_of: '2026-03-31' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ customer_id: 'c1', frequency: 2, monetary: 12.5 });
    expect(sleeps).toEqual([200, 300]);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start.WorkGroup).toBe('storepulse');
    expect(start.QueryExecutionContext?.Database).toBe('storepulse_db');
    // The query as written: order_lines is a view in the Glue catalogue, as in DuckDB.
    expect(start.QueryString).toMatch(/^UNLOAD \(-- /);
    expect(start.QueryString).toMatch(/\bfrom order_lines\b/);
    expect(start.QueryString).toContain("where dt <= '2026-03-31'");
    expect(start.QueryString).toMatch(
      /\) TO '.*athena\/unload\/rfm_customer_aggregates\/fixed-id\/' WITH \(format = 'PARQUET'\)$/,
    );
  });

  it('names the query and carries the Athena query id when a query fails', async () => {
    const lake = await tempLake();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-bad' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved",
        },
      },
    });
    const err = await engine(lake)
      .runNamed('recently_recalled', SAMPLE_PARAMS)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).queryId).toBe('q-bad');
    expect((err as Error).message).toBe(
      "query recently_recalled.sql (q-bad): failed: COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved",
    );
  });

  it('pages through ad-hoc query results, dropping the header row', async () => {
    const lake = await tempLake();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-9' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const meta = {
      ColumnInfo: [
        { Name: 'segment', Type: 'varchar' },
        { Name: 'n', Type: 'bigint' },
      ],
    };
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce({
        ResultSet: {
          ResultSetMetadata: meta,
          Rows: [
            { Data: [{ VarCharValue: 'segment' }, { VarCharValue: 'n' }] },
            { Data: [{ VarCharValue: 'a' }, { VarCharValue: '1' }] },
          ],
        },
        NextToken: 't',
      })
      .resolves({
        ResultSet: {
          ResultSetMetadata: meta,
          Rows: [{ Data: [{ VarCharValue: 'b' }, { VarCharValue: '2' }] }],
        },
      });
    expect(await engine(lake).query('select segment, count(*) n from rfm group by 1')).toEqual({
      columns: ['segment', 'n'],
      rows: [
        { segment: 'a', n: '1' },
        { segment: 'b', n: '2' },
      ],
    });
  });
});

describe('DuckDB views over files from an older schema', () => {
  it('read a column added since as null (additive schema evolution)', async () => {
    const lake = await tempLake();
    // A partition written before rfm had its action column.
    const older = { ...rfm, columns: rfm.columns.filter((c) => c.name !== 'action') };
    const row: Record<string, unknown[]> = {};
    for (const c of older.columns) {
      row[c.name] = [
        c.type === 'string'
          ? c.name === 'segment'
            ? 'general_value'
            : 'x'
          : c.type === 'date'
            ? '2026-01-01'
            : c.type === 'boolean'
              ? true
              : 1,
      ];
    }
    await lake.put('models/rfm/dt=2026-01-01/part-0000.parquet', await encodeTable(older, row));
    const engine = await DuckDbEngine.open(lake);
    try {
      const { rows } = await engine.query('select customer_id, action, dt from rfm');
      expect(rows).toEqual([{ customer_id: 'x', action: null, dt: '2026-01-01' }]);
    } finally {
      await engine.close();
    }
  });
});

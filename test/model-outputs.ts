/**
 * The outputs-unchanged guard of issue 19: every model and alert partition of two daily runs, the
 * demo's and a 100,000-line `storepulse synth` run's, kept as a baseline under
 * test/fixtures/model-outputs/ and compared row by row with DuckDB (model-outputs.test.ts).
 * A refactor of the model tier must give the same rows; an intended change of a model's output
 * rewrites the baseline on purpose:
 *   node --import tsx test/model-outputs-baseline.ts
 * and the diff of that commit shows which tables changed.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';
import { loadConfig } from '../shared/config.ts';
import { dataFileKey } from '../shared/lake/keys.ts';
import { LocalLake } from '../shared/lake/local.ts';
import { runDaily } from '../shared/pipeline/daily-run.ts';
import { ingestFile } from '../shared/pipeline/ingest.ts';
import { silentLog } from '../shared/pipeline/log.ts';
import type { TableSpec } from '../shared/schemas/table.ts';
import { QUERYABLE_TABLES } from '../shared/schemas/tables.ts';
import { DuckDbEngine } from '../shared/sql/duckdb.ts';
import { writeSynthExports } from '../shared/synth/bench-exports.ts';
import { DEMO_AS_OF, writeDemoExports } from '../shared/synth/demo.ts';

/** The tables a daily run writes one `dt` partition of. */
export const RUN_TABLES: readonly TableSpec[] = QUERYABLE_TABLES.filter(
  (t) => t.zone === 'models' || t.zone === 'alerts',
);

export const BASELINE_DIR = new URL('./fixtures/model-outputs/', import.meta.url);

export interface GuardedRun {
  /** Folder name of the run's baseline under BASELINE_DIR. */
  name: string;
  /** Writes the run's exports into `dir` and returns them in ingest order with their export times. */
  exports(dir: string): Promise<{ path: string; exportedAt: number }[]>;
}

export const GUARDED_RUNS: readonly GuardedRun[] = [
  {
    name: 'demo',
    async exports(dir) {
      const files = await writeDemoExports(dir);
      return files.map((f) => ({ path: f.path, exportedAt: f.exportedAt.getTime() }));
    },
  },
  {
    name: 'synth-100k',
    async exports(dir) {
      const { files } = await writeSynthExports(dir, 100_000);
      // The synth's own order (rates first); one export time, as the bench gives.
      return files.map((f) => ({ path: f.path, exportedAt: Date.UTC(2026, 10, 24) }));
    },
  },
];

/** A fixed id key: customer ids are keyed hashes, so the baseline needs the same key every time. */
const config = loadConfig({}, { idKey: 'model-outputs-guard-key-0123' });

/** Exports -> lake -> the daily run as of the demo date; returns the lake. */
export async function runGuarded(run: GuardedRun, dir: string): Promise<LocalLake> {
  const lake = new LocalLake(join(dir, 'lake'));
  for (const f of await run.exports(join(dir, 'exports'))) {
    await ingestFile({ lake, config, log: silentLog }, f);
  }
  await runDaily(
    {
      lake,
      config,
      log: silentLog,
      // One thread: DuckDB then adds in one order every time, so a figure printed in a text column
      // (a reason's "spend 1622") cannot land either side of a rounding edge from run to run.
      openEngine: (tables) =>
        DuckDbEngine.open(lake, {
          threads: 1,
          reportingCurrency: config.reportingCurrency,
          ...(tables ? { tables } : {}),
        }),
    },
    DEMO_AS_OF,
  );
  return lake;
}

export const partitionFile = (lake: LocalLake, spec: TableSpec): string =>
  lake.uri(dataFileKey(spec, { dt: DEMO_AS_OF }, 'part-0000'));

export const baselineFile = (run: GuardedRun, spec: TableSpec): string =>
  fileURLToPath(new URL(`${run.name}/${spec.name}.parquet`, BASELINE_DIR));

/**
 * Doubles agree when |a - b| <= ABS + REL * max(|a|, |b|). The SQL engine adds in an order of its
 * own (threads, files), so sums differ in their last bits between lake layouts; Gamma-Gamma's
 * likelihood is flat along a ridge (q and gamma move together), and such ulps move its fitted q and
 * gamma in the sixth digit (1.2e-6 measured on the demo). Nothing a reader sees moves.
 */
export const TOLERANCE = { abs: 1e-9, rel: 1e-5 } as const;

const close = (a: number, b: number): boolean =>
  a === b ||
  (Number.isNaN(a) && Number.isNaN(b)) ||
  Math.abs(a - b) <= TOLERANCE.abs + TOLERANCE.rel * Math.max(Math.abs(a), Math.abs(b));

type Cell = string | number | boolean | null;

/** A Parquet file's rows in a canonical order (ORDER BY ALL: every table leads with its key columns). */
async function readRows(
  conn: Awaited<ReturnType<DuckDBInstance['connect']>>,
  file: string,
): Promise<{ columns: string[]; doubles: Set<string>; rows: Cell[][] }> {
  const reader = await conn.runAndReadAll(
    `select * from read_parquet('${file.replaceAll("'", "''")}') order by all`,
  );
  const columns = reader.columnNames();
  const types = reader.columnTypes();
  const doubles = new Set(columns.filter((_, i) => types[i]!.typeId === DuckDBTypeId.DOUBLE));
  const rows = reader.getRows().map((row) =>
    row.map((v): Cell => {
      if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
      if (typeof v === 'bigint') return Number(v);
      return String(v);
    }),
  );
  return { columns, doubles, rows };
}

/**
 * The differences between two partitions of one table, as sentences naming the row and column
 * (at most `limit`); empty when they hold the same rows.
 */
export async function compareParquet(
  expectedFile: string,
  actualFile: string,
  limit = 10,
): Promise<string[]> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    const expected = await readRows(conn, expectedFile);
    const actual = await readRows(conn, actualFile);
    if (expected.columns.join() !== actual.columns.join())
      return [`columns differ: expected ${expected.columns.join(', ')}; got ${actual.columns.join(', ')}`];
    if (expected.rows.length !== actual.rows.length)
      return [`${actual.rows.length} rows, expected ${expected.rows.length}`];
    const diffs: string[] = [];
    expected.rows.forEach((want, i) => {
      const got = actual.rows[i]!;
      want.forEach((w, j) => {
        const g = got[j]!;
        const name = expected.columns[j]!;
        const same =
          expected.doubles.has(name) && typeof w === 'number' && typeof g === 'number'
            ? close(w, g)
            : w === g;
        if (!same && diffs.length < limit)
          diffs.push(`row ${i} (${String(want[0])}, ${String(want[1])}) ${name}: expected ${w}, got ${g}`);
      });
    });
    return diffs;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

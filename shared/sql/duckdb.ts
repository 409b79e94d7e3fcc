/**
 * The local SQL tier: an in-memory DuckDB whose views read the lake's Parquet files in place.
 * One view per declared table, named as the table, with Hive partition keys as VARCHAR columns
 * (as Athena's partition projection sees them). A table with no files yet is an empty view of the
 * declared columns, so queries and models work on a fresh lake.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResultReader,
  DuckDBTypeId,
} from '@duckdb/node-api';
import { DEFAULT_CONFIG } from '../config.ts';
import { QueryError } from '../errors.ts';
import { tableGlob, tablePrefix } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { allColumns, type ColumnType, type TableSpec } from '../schemas/table.ts';
import {
  batchCommits,
  COMMITTED_TABLES,
  compactions,
  QUERYABLE_TABLES,
  storedTableName,
} from '../schemas/tables.ts';
import type { Row, SqlEngine } from './engine.ts';
import { loadSql, quoteIdent, renderSql, type SqlParam, sqlString } from './render.ts';
import {
  GLUE_FILES_DATABASE,
  glueViews,
  type HistoryBounds,
  orderLinesRunPrefix,
  orderLinesSnapshotSql,
} from './views.ts';

const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  int32: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMPTZ',
};

// DuckDB's JSON rendering gives 64-bit and decimal numbers as strings (they may not fit a double).
// Counts and sums are what analysts read, so they come back as numbers when the value is exact.
const WIDE_NUMBERS = new Set([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
]);

function rowsOf(reader: DuckDBResultReader): Row[] {
  const rows = reader.getRowObjectsJson() as Row[];
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const wide = names.filter(
    (_, i) => WIDE_NUMBERS.has(types[i]!.typeId) || types[i]!.typeId === DuckDBTypeId.DECIMAL,
  );
  if (wide.length === 0) return rows;
  for (const row of rows) {
    for (const name of wide) {
      const v = row[name];
      if (typeof v !== 'string') continue;
      const n = Number(v);
      if (Number.isSafeInteger(n) || (!Number.isInteger(n) && Number.isFinite(n))) row[name] = n;
    }
  }
  return rows;
}

/** Typed empty relation with a table's columns. */
export const emptyRelation = (spec: TableSpec): string =>
  `select ${allColumns(spec)
    .map((c) => `cast(null as ${DUCKDB_TYPES[c.type]}) as ${quoteIdent(c.name)}`)
    .join(', ')} where false`;

/** DuckDB's memory budget unless the caller gives one. */
export const DEFAULT_MEMORY_LIMIT = '2GB';

export interface DuckDbOptions {
  /** Worker threads; default DuckDB's own (all cores). */
  threads?: number;
  /** Tables to expose; default every queryable table. */
  tables?: readonly TableSpec[];
  /** DuckDB's memory budget (default DEFAULT_MEMORY_LIMIT); it spills to temporary files beyond it. */
  memoryLimit?: string;
  /** Currency the order_lines view converts net_amount_rc into; default the setting's default. */
  reportingCurrency?: string;
}

export class DuckDbEngine implements SqlEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly reportingCurrency: string,
    private readonly lake: Lake,
  ) {}

  static async open(lake: Lake, options: DuckDbOptions = {}): Promise<DuckDbEngine> {
    // A budget, and a place to spill beyond it: DuckDB's own default is 80 % of the machine's memory,
    // on top of the run's JavaScript heap. Spill files go to the system's temporary folder (an
    // in-memory database would otherwise put them in `.tmp` under the working directory).
    const instance = await DuckDBInstance.create(':memory:', {
      ...(options.threads ? { threads: String(options.threads) } : {}),
      memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      temp_directory: join(tmpdir(), `storepulse-duckdb-${process.pid}`),
    });
    const connection = await instance.connect();
    const engine = new DuckDbEngine(
      instance,
      connection,
      options.reportingCurrency ?? DEFAULT_CONFIG.reportingCurrency,
      lake,
    );
    await engine.exec("set TimeZone = 'UTC'");
    await engine.createViews(lake, options.tables ?? QUERYABLE_TABLES);
    return engine;
  }

  /** The relations created so far, by the names queries use (`storepulse_files.<table>` for files). */
  private readonly relations = new Set<string>();

  /**
   * (Re)creates the views, e.g. after a stage has written new files. A batch table's files are a
   * view in the `storepulse_files` schema, and the table's name is the view of its committed rows
   * over them: the same views, from the same declarations (glueViews), as the Glue catalogue has
   * for Athena. A view is made once the relations it reads exist.
   */
  async createViews(lake: Lake, tables: readonly TableSpec[]): Promise<void> {
    await this.exec(`create schema if not exists ${GLUE_FILES_DATABASE}`);
    // The committed views read the commit and compaction records: an engine opened for contacts
    // alone has them too.
    const records = tables.some((t) => COMMITTED_TABLES.includes(t))
      ? [batchCommits, compactions].filter(
          (r) => !tables.includes(r) && !this.relations.has(storedTableName(r)),
        )
      : [];
    for (const spec of [...tables, ...records]) {
      const files = (await lake.list(tablePrefix(spec))).filter((k) => k.endsWith('.parquet'));
      const source = files.length ? await this.filesRelation(lake, spec) : emptyRelation(spec);
      const name = COMMITTED_TABLES.includes(spec)
        ? `${GLUE_FILES_DATABASE}.${storedTableName(spec)}`
        : storedTableName(spec);
      await this.exec(`create or replace view ${name} as ${source}`);
      this.relations.add(name);
    }
    for (const view of glueViews(this.reportingCurrency)) {
      if (!view.reads.every((r) => this.relations.has(r))) continue;
      await this.exec(`create or replace view ${quoteIdent(view.name)} as ${view.sql}`);
      this.relations.add(view.name);
    }
  }

  /**
   * The table's files with exactly its declared columns. Files written before a column was added
   * (additive schema evolution) read as null in it, as Athena reads them.
   */
  private async filesRelation(lake: Lake, spec: TableSpec): Promise<string> {
    const scan =
      `read_parquet(${sqlString(lake.uri(tableGlob(spec)))}, ` +
      'hive_partitioning = true, hive_types_autocast = false, union_by_name = true)';
    const described = await this.connection.runAndReadAll(`describe select * from ${scan}`);
    const present = new Set(described.getRowObjectsJson().map((r) => String(r.column_name)));
    const projection = allColumns(spec)
      .map((c) =>
        present.has(c.name)
          ? quoteIdent(c.name)
          : `cast(null as ${DUCKDB_TYPES[c.type]}) as ${quoteIdent(c.name)}`,
      )
      .join(', ');
    return `select ${projection} from ${scan}`;
  }

  private async exec(sql: string): Promise<void> {
    try {
      await this.connection.run(sql);
    } catch (cause) {
      throw new QueryError(sql.slice(0, 80), (cause as Error).message, { cause });
    }
  }

  /** The folder of this engine's order-history snapshot, removed on close. */
  private snapshotDir: string | undefined;

  async pinOrderLines(
    asOf: string,
    run: string,
    opts: { made?: boolean; bounds?: HistoryBounds } = {},
  ): Promise<void> {
    let files: string;
    if (opts.made) {
      // Made once for the run (makeRunSnapshot, as the plan's UNLOAD in AWS); each stage invoked on
      // its own reads it. A run whose snapshot is missing fails here, as Athena's read of it would.
      const prefix = orderLinesRunPrefix(run);
      if (!(await this.lake.list(prefix)).some((k) => k.endsWith('.parquet')))
        throw new QueryError('order_lines_snapshot', `run ${run} has no snapshot under ${prefix}`);
      files = this.lake.uri(`${prefix}*.parquet`);
    } else {
      this.snapshotDir ??= await mkdtemp(join(tmpdir(), 'storepulse-run-'));
      files = join(this.snapshotDir, `order_lines-${asOf}.parquet`);
      await this.copySnapshot(asOf, files, opts.bounds);
    }
    // A temporary view is found before the main schema's: every later query reads the snapshot.
    await this.exec(
      `create or replace temp view order_lines as select * from read_parquet(${sqlString(files)})`,
    );
  }

  /**
   * Makes the run's snapshot of the order history in the lake, where Athena's UNLOAD puts it in AWS,
   * for stages that then run each in its own process (`pinOrderLines(asOf, run, { made: true })`).
   */
  async makeRunSnapshot(asOf: string, run: string, bounds?: HistoryBounds): Promise<void> {
    this.snapshotDir ??= await mkdtemp(join(tmpdir(), 'storepulse-run-'));
    const file = join(this.snapshotDir, `run-${asOf}.parquet`);
    await this.copySnapshot(asOf, file, bounds);
    await this.lake.putFile(`${orderLinesRunPrefix(run)}snapshot.parquet`, file);
    await rm(file, { force: true });
  }

  private copySnapshot(asOf: string, file: string, bounds: HistoryBounds | undefined): Promise<void> {
    return this.exec(`copy (${orderLinesSnapshotSql(asOf, bounds)}) to ${sqlString(file)} (format parquet)`);
  }

  async runNamed(name: string, params: Readonly<Record<string, SqlParam>>): Promise<Row[]> {
    const sql = renderSql(name, loadSql(name), params);
    try {
      return rowsOf(await this.connection.runAndReadAll(sql));
    } catch (cause) {
      throw new QueryError(`${name}.sql`, (cause as Error).message, { cause });
    }
  }

  async query(sql: string): Promise<{ columns: string[]; rows: Row[] }> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return { columns: reader.columnNames(), rows: rowsOf(reader) };
    } catch (cause) {
      throw new QueryError('statement', (cause as Error).message, { cause });
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
    if (this.snapshotDir) await rm(this.snapshotDir, { recursive: true, force: true });
  }
}

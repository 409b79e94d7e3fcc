/**
 * Which partitions of each table a query reads. Athena (Trino) derives, from the query's predicates
 * on partition keys, the partitions to list and read, through views, CTEs, joins and windows whose
 * partitioning keeps the key. The stand-in asks DuckDB's optimizer the same question: the query is
 * planned over placeholder files laid out as Hive partitions (one empty file per partition), and
 * each scan's "File Filters" — the predicates DuckDB pushed down to the partition keys — are then
 * evaluated over the table's partitions. A scan without File Filters reads every partition.
 *
 * One table is planned at a time: its placeholders are Parquet, every other table's are CSV, so
 * the Parquet scans in the plan are that table's. DuckDB pushes down at least what Trino's
 * predicate pushdown does for the queries here (equalities, ranges and IN lists on keys, through
 * window partitions that hold the key); where it pushes less, the stand-in reads more, never less.
 */
import { link, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CATALOG, GLUE_TYPES, type GlueTable } from './catalog.ts';
import { ident, matchingParen, sqlString } from './sql-text.ts';

/** A partitioned table as the query sees it: its partitions with objects (values in key order). */
export interface PlannedTable {
  table: GlueTable;
  partitions: string[][];
}

/** Per table: the partitions the query reads (keys joined by NUL, undefined for all of them) and
 * the number of partition prefixes Athena lists (the projected partitions the predicates keep). */
export type PartitionsRead = Map<GlueTable, { read: Set<string> | undefined; listed: number | undefined }>;

export const partitionId = (values: readonly string[]): string => values.join('\u0000');

/** Partition values sorting before and after every real one (digits, letters, dashes). */
const SENTINELS = ['!', '~'];

/**
 * Plans `query` once per partitioned table and returns the partitions each reads. `createViews`
 * (re)creates the Glue views once the tables' placeholder relations exist. Tables without partition
 * keys are read whole and need no planning; they are still given placeholders so the plan keeps
 * every scan (a relation known to be empty could be optimized away with whatever joins it).
 */
export async function partitionsRead(
  db: DuckDBConnection,
  dir: string,
  query: string,
  tables: readonly GlueTable[],
  partitionsOf: (t: GlueTable) => string[][],
  projectedOf: (t: GlueTable) => string[][] | undefined,
  createViews: () => Promise<void>,
): Promise<PartitionsRead> {
  const out: PartitionsRead = new Map();
  const placeholders = await Promise.all(
    tables.map((t, i) => writePlaceholders(db, join(dir, `plan${i}`), t, partitionsOf(t))),
  );
  let viewsMade = false;
  for (const [i, target] of tables.entries()) {
    if (target.partitionKeys.length === 0) continue;
    for (const [j, t] of tables.entries())
      await db.run(
        `create or replace view ${CATALOG}.${ident(t.database)}.${ident(t.name)} as ${placeholders[j]!(i === j ? 'parquet' : 'csv')}`,
      );
    if (!viewsMade) {
      await createViews();
      viewsMade = true;
    }
    const filters = await scanFilters(db, query);
    const read = await selected(db, target, partitionsOf(target), filters);
    const projected = projectedOf(target);
    const listed = projected ? await selected(db, target, projected, filters) : undefined;
    out.set(target, { read, listed: projected ? (listed?.size ?? projected.length) : undefined });
  }
  return out;
}

/**
 * Writes one empty Parquet and one header-only CSV file per partition (hard links of one file each)
 * and returns the relation reading them with the table's columns and keys.
 */
async function writePlaceholders(
  db: DuckDBConnection,
  dir: string,
  table: GlueTable,
  partitions: string[][],
): Promise<(kind: 'parquet' | 'csv') => string> {
  await mkdir(dir, { recursive: true });
  const duck = (t: string) => GLUE_TYPES[t]!.duck;
  const typed = table.columns.map((c) => `cast(null as ${duck(c.type)}) as ${ident(c.name)}`).join(', ');
  const parquet = join(dir, 'empty.parquet');
  const csv = join(dir, 'empty.csv');
  await db.run(`copy (select ${typed} where false) to ${sqlString(parquet)} (format parquet)`);
  await writeFile(csv, `${table.columns.map((c) => c.name).join(',')}\n`);
  // Two more partitions, below and above any real value: DuckDB shows a scan's File Filters only
  // when they leave a file out, so these make any filter that is not always true visible (and give
  // a table with no objects a file to plan). What is read is decided over the real partitions.
  const parts =
    table.partitionKeys.length === 0
      ? [[]]
      : [...partitions, ...SENTINELS.map((v) => table.partitionKeys.map(() => v))];
  for (const [n, values] of parts.entries()) {
    const at = join(dir, 'p', ...values.map((v, k) => `${table.partitionKeys[k]!.name}=${v}`));
    await mkdir(at, { recursive: true });
    await link(parquet, join(at, `f${n}.parquet`));
    await link(csv, join(at, `f${n}.csv`));
  }
  const glob = (ext: string) => sqlString(join(dir, 'p', ...table.partitionKeys.map(() => '*'), `*.${ext}`));
  const hive = table.partitionKeys.length
    ? `, hive_partitioning = true, hive_types_autocast = false, hive_types = {${table.partitionKeys
        .map((k) => `${sqlString(k.name)}: ${sqlString(duck(k.type))}`)
        .join(', ')}}`
    : '';
  const names = [...table.columns, ...table.partitionKeys].map((c) => ident(c.name)).join(', ');
  const csvColumns = `{${table.columns.map((c) => `${sqlString(c.name)}: ${sqlString(duck(c.type))}`).join(', ')}}`;
  return (kind) =>
    kind === 'parquet'
      ? `select ${names} from read_parquet(${glob('parquet')}${hive})`
      : `select ${names} from read_csv(${glob('csv')}, header = true, columns = ${csvColumns}${hive})`;
}

/** The File Filters of each Parquet scan in the query's plan: [] for a scan that has none. */
async function scanFilters(db: DuckDBConnection, query: string): Promise<string[][]> {
  const plan = await db.runAndReadAll(`explain (format json) ${query}`);
  const scans: string[][] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as { name?: string; extra_info?: Record<string, unknown>; children?: unknown };
    if (o.name === 'READ_PARQUET' || o.extra_info?.Function === 'READ_PARQUET') {
      const f = o.extra_info?.['File Filters'];
      scans.push(typeof f === 'string' ? topLevelGroups(f) : Array.isArray(f) ? f.map(String) : []);
    }
    walk(o.children);
  };
  for (const row of plan.getRows()) walk(JSON.parse(String(row[1])));
  return scans;
}

/** "(a = 1)(b IN ('x'))" -> ["(a = 1)", "(b IN ('x'))"]; a text not made of groups is one filter. */
function topLevelGroups(text: string): string[] {
  const groups: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    if (/\s/.test(s[i]!)) {
      i++;
      continue;
    }
    if (s[i] !== '(') return [s];
    const end = matchingParen(s, i);
    if (end < 0) return [s];
    groups.push(s.slice(i, end + 1));
    i = end + 1;
  }
  return groups;
}

/** The partitions passing any scan's filters (all of them when a scan has none or one fails). */
async function selected(
  db: DuckDBConnection,
  table: GlueTable,
  partitions: string[][],
  scans: string[][],
): Promise<Set<string> | undefined> {
  if (scans.some((s) => s.length === 0)) return undefined;
  const out = new Set<string>();
  if (scans.length === 0 || partitions.length === 0) return out;
  const keys = table.partitionKeys.map((k) => ident(k.name)).join(', ');
  const values = partitions.map((p) => `(${p.map(sqlString).join(', ')})`).join(', ');
  for (const filters of scans) {
    try {
      const rows = await db.runAndReadAll(
        `select ${keys} from (values ${values}) p(${keys}) where ${filters.join(' and ')}`,
      );
      for (const r of rows.getRows()) out.add(partitionId(r.map(String)));
    } catch {
      return undefined; // a filter DuckDB cannot evaluate apart from its plan: read everything
    }
  }
  return out;
}

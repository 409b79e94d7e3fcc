/**
 * Compaction: each partition of a batch table ends up as one file, whatever number of exports
 * brought its rows, and a line's versions that a later export superseded leave the files queries
 * read (they are kept under `<zone>/archive/`, so that taking back the later batch brings them
 * back; raw/ keeps the exports themselves).
 *
 * A compaction writes its files under names no reader counts yet (`compacted-<id>.parquet`), then
 * one object, its record in `compactions`, which at once makes them count and the files they
 * replace not count (the views, shared/sql/views.ts). Only then are the replaced files deleted.
 * Every row keeps its batch id, so `forget` still takes back exactly one batch: its commit record
 * goes, its rows stop counting wherever they were rewritten, and the partitions it was in are
 * compacted again without it, from the current and archived versions.
 *
 * The record carries the earlier record's rows forward, so a lake has one record object (two for
 * the moment between writing the new one and deleting the old; the union of both says the same).
 * The commit records are merged the same way (lake/commits.ts). One compaction or forget runs at a
 * time (lake/maintenance.ts); ingest adds batches meanwhile and the next compaction takes them.
 */
import { randomBytes } from 'node:crypto';
import { CURATED_CODEC } from '../pipeline/curated-writer.ts';
import type { RowOf, TableSpec } from '../schemas/table.ts';
import { batchCommits, COMMITTED_TABLES, compactions, orderLines } from '../schemas/tables.ts';
import { absorbedMember } from '../sql/views.ts';
import { committedBatches, mergeCommitRecords } from './commits.ts';
import {
  archivedVersionsKey,
  archivePrefix,
  batchIdOfDataFile,
  compactedFileKey,
  compactionIdOfFile,
  compactionRecordKey,
  maintenanceLockPrefix,
  tablePrefix,
} from './keys.ts';
import type { Lake } from './lake.ts';
import { withMaintenanceLock } from './maintenance.ts';
import { encodeTable, rowsToColumns } from './parquet.ts';
import { readParquetColumns, readParquetFileRows } from './parquet-read.ts';

type CompactionRecord = RowOf<typeof compactions>;

/**
 * How a table's rows supersede each other: within a partition, the rows sharing `key` are versions
 * of one thing, and the first by `newestFirst` (each descending) is current. The order_lines view
 * ranks the same way (order_lines_latest.sql); the compaction tests check that the two agree, ties
 * of export time included.
 */
interface VersionRule {
  key: readonly string[];
  newestFirst: readonly string[];
}
const VERSION_RULES = new Map<TableSpec, VersionRule>([
  [orderLines, { key: ['order_id', 'line_id'], newestFirst: ['exported_at', 'ingested_at', 'batch_id'] }],
]);

/**
 * Every key prefix a compaction (or a forget, which compacts) reads, writes and deletes under: the
 * batch tables and their archives, the commit and compaction records, the lock. IAM grants derive
 * from it (infra/constructs/daily-run.ts, forget.ts).
 */
export const COMPACTION_PREFIXES: readonly string[] = [
  ...COMMITTED_TABLES.flatMap((spec) => [tablePrefix(spec), archivePrefix(spec)]),
  tablePrefix(batchCommits),
  tablePrefix(compactions),
  maintenanceLockPrefix,
];

/**
 * The most Parquet a compaction rewrites in one partition. A partition is read whole into memory,
 * where it takes about 35 times its size on disk (2.07 million contacts rows, 70 MB, peaked at
 * 2.5 GB), and the compaction function has 1,024 MB. A partition bigger than this is made of big
 * files already, which is not what compaction is for; the views resolve its versions as before.
 * A forget rewrites a partition whatever its size: there it is a matter of exactness.
 */
export const COMPACTION_BUDGET_BYTES = 16 * 1024 * 1024;

export interface CompactionReport {
  /** The compaction's id; null when the lake needed nothing rewritten. */
  compactionId: string | null;
  /** Partitions rewritten into one file. */
  partitions: number;
  /** Partitions with several files left as they are: more than COMPACTION_BUDGET_BYTES of them. */
  partitionsOverBudget: number;
  /** Data files of the batch tables that readers count, before and after. */
  filesBefore: number;
  filesAfter: number;
  /** Files deleted: those replaced, and leftovers of earlier compactions. */
  filesDeleted: number;
  rowsWritten: number;
  /** Superseded versions moved out of the files queries read. */
  versionsArchived: number;
  /** Objects holding commit records, before and after merging them. */
  commitObjects: { before: number; after: number };
}

export interface CompactOptions {
  /** Only these tables (default every batch table). */
  tables?: readonly TableSpec[];
  /** Only the partitions this accepts (their key values by name). */
  partitions?: (table: TableSpec, values: Readonly<Record<string, string>>) => boolean;
  /**
   * Also rewrite a partition whose one compacted file holds rows of a batch no longer committed
   * (a batch taken back): its superseded versions come back from the archive.
   */
  recheck?: boolean;
  /** After each partition rewritten, with how many of how many are done. */
  onProgress?: (done: number, total: number) => void;
  /** The most bytes of files one partition may have to be rewritten (default COMPACTION_BUDGET_BYTES). */
  budgetBytes?: number;
}

/** Compacts the lake, holding its maintenance lock. */
export const compactLake = (lake: Lake, opts: CompactOptions = {}): Promise<CompactionReport> =>
  withMaintenanceLock(lake, 'compact the lake', () => compactHoldingLock(lake, opts));

interface Records {
  keys: string[];
  live: Set<string>;
  /** Absorbed members, by table name. */
  absorbed: Map<string, Set<string>>;
}

async function readRecords(lake: Lake): Promise<Records> {
  const records: Records = { keys: [], live: new Set(), absorbed: new Map() };
  for (const key of await lake.list(tablePrefix(compactions))) {
    if (!key.endsWith('.parquet')) continue;
    records.keys.push(key);
    for (const r of await readParquetFileRows(lake, key)) {
      const member = String(r.member);
      if (r.kind === 'live') records.live.add(member);
      else absorbedOf(records, String(r.table_name)).add(member);
    }
  }
  return records;
}

function absorbedOf(records: Records, table: string): Set<string> {
  let set = records.absorbed.get(table);
  if (!set) {
    set = new Set();
    records.absorbed.set(table, set);
  }
  return set;
}

interface DataFile {
  key: string;
  bytes: number;
  table: string;
  /** The batch a batch file belongs to, or the compaction that wrote a compacted file. */
  group: string;
  compacted: boolean;
  member: string;
}

interface Partition {
  spec: TableSpec;
  values: Record<string, string>;
  /** Files readers count. */
  visible: DataFile[];
  /** Files a record says were replaced, still there (a compaction stopped before deleting them). */
  absorbed: DataFile[];
  /** Compacted files no record names: a compaction that stopped before its record. */
  dead: DataFile[];
  /** Its archive files: the versions compactions took out of it (see committedColumnsOf). */
  archives: string[];
}

/** The partitions of a batch table, with which of their files count. */
async function partitionsOf(
  lake: Lake,
  spec: TableSpec,
  committed: ReadonlySet<string>,
  records: Records,
): Promise<Partition[]> {
  const absorbed = records.absorbed.get(spec.name) ?? new Set<string>();
  const byDir = new Map<string, Partition>();
  const prefix = tablePrefix(spec);
  for (const [key, bytes] of await lake.sizes(prefix)) {
    if (!key.endsWith('.parquet')) continue;
    const compactedBy = compactionIdOfFile(key);
    const group = compactedBy ?? batchIdOfDataFile(key);
    if (!group) continue;
    const dir = key.slice(prefix.length, key.lastIndexOf('/') + 1);
    let p = byDir.get(dir);
    if (!p) {
      p = { spec, values: partitionValues(spec, dir), visible: [], absorbed: [], dead: [], archives: [] };
      byDir.set(dir, p);
    }
    const member = absorbedMember(
      spec.partitionKeys.map((k) => p!.values[k.name] ?? ''),
      group,
    );
    const file: DataFile = {
      key,
      bytes,
      table: spec.name,
      group,
      compacted: compactedBy !== undefined,
      member,
    };
    if (absorbed.has(member)) p.absorbed.push(file);
    else if (file.compacted) (records.live.has(group) ? p.visible : p.dead).push(file);
    // A batch without a commit record: being written, or left by a writer that died (sweepLake's).
    else if (committed.has(group)) p.visible.push(file);
  }
  const archive = archivePrefix(spec);
  for (const key of await lake.list(archive)) {
    const p = byDir.get(key.slice(archive.length, key.lastIndexOf('/') + 1));
    // An archive whose partition has no file left holds versions of lines no reader counts.
    if (p && key.endsWith('.parquet')) p.archives.push(key);
  }
  return [...byDir.values()];
}

function partitionValues(spec: TableSpec, dir: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const part of dir.split('/')) {
    const eq = part.indexOf('=');
    if (eq > 0) values[part.slice(0, eq)] = part.slice(eq + 1);
  }
  for (const k of spec.partitionKeys) {
    if (values[k.name] === undefined) throw new Error(`table ${spec.name}: no ${k.name} in ${dir}`);
  }
  return values;
}

/**
 * The rows of a batch table that readers count, for readers outside SQL (the views' rule: files that
 * count, rows of committed batches).
 */
export async function readCommittedRows(lake: Lake, spec: TableSpec): Promise<Record<string, unknown>[]> {
  const committed = await committedBatches(lake);
  const rows: Record<string, unknown>[] = [];
  for (const p of await partitionsOf(lake, spec, committed, await readRecords(lake))) {
    for (const f of p.visible) {
      for (const r of await readParquetFileRows(lake, f.key)) {
        if (committed.has(String(r.batch_id))) rows.push({ ...r, ...p.values });
      }
    }
  }
  return rows;
}

/** Compacts the lake; the caller holds the maintenance lock (forget does, around its own work). */
export async function compactHoldingLock(lake: Lake, opts: CompactOptions = {}): Promise<CompactionReport> {
  const id = randomBytes(16).toString('hex');
  const committed = await committedBatches(lake);
  const records = await readRecords(lake);
  // Every table is surveyed, whichever are rewritten: the new record replaces the old one whole.
  const partitions: Partition[] = [];
  for (const spec of COMMITTED_TABLES)
    partitions.push(...(await partitionsOf(lake, spec, committed, records)));
  const report: CompactionReport = {
    compactionId: null,
    partitions: 0,
    partitionsOverBudget: 0,
    filesBefore: partitions.reduce((n, p) => n + p.visible.length, 0),
    filesAfter: 0,
    filesDeleted: 0,
    rowsWritten: 0,
    versionsArchived: 0,
    commitObjects: { before: 0, after: 0 },
  };

  // 1. The new files, under a name no record counts yet.
  const budget = opts.budgetBytes ?? COMPACTION_BUDGET_BYTES;
  const todo = partitions.filter((p) => {
    const wanted =
      (!opts.tables || opts.tables.includes(p.spec)) &&
      (!opts.partitions || opts.partitions(p.spec, p.values)) &&
      (p.visible.length >= 2 || (opts.recheck && p.visible.length === 1 && p.visible[0]!.compacted));
    if (!wanted || opts.recheck) return wanted;
    const over = p.visible.reduce((n, f) => n + f.bytes, 0) > budget;
    if (over) report.partitionsOverBudget++;
    return !over;
  });
  const replaced: DataFile[] = [];
  const archivesReplaced: string[] = [];
  let done = 0;
  for (const p of todo) {
    const data = await committedColumnsOf(lake, p, committed, opts.recheck === true);
    // One file stays as it is, unless it holds rows of a batch no longer committed.
    if (p.visible.length === 1 && data.foreign === 0) continue;
    const { current, superseded } = splitVersions(p.spec, data);
    const key = compactedFileKey(p.spec, p.values, id);
    if (current.length) await lake.put(key, await encodeRows(p.spec, data, current, id));
    if (superseded.length) {
      await lake.put(archivedVersionsKey(key), await encodeRows(p.spec, data, superseded, id));
    }
    report.rowsWritten += current.length;
    report.versionsArchived += superseded.length;
    replaced.push(...p.visible);
    // Rechecked, the archives were read and written again as one: the old ones go with the files.
    if (opts.recheck) archivesReplaced.push(...p.archives);
    p.visible = current.length
      ? [{ key, bytes: 0, table: p.spec.name, group: id, compacted: true, member: '' }]
      : [];
    report.partitions++;
    opts.onProgress?.(++done, todo.length);
  }

  // 2. The record: the compactions whose files count, and every replaced file still there. It is
  // written again whenever it would say something else (a file replaced, a leftover, a compaction
  // no longer counting, or two records left by a compaction that stopped).
  const leftovers = partitions.flatMap((p) => p.absorbed);
  const live = new Set(partitions.flatMap((p) => p.visible.filter((f) => f.compacted).map((f) => f.group)));
  const absorbed = [...replaced, ...leftovers];
  const recorded = [...records.absorbed.values()].reduce((n, s) => n + s.size, 0);
  const changed =
    records.keys.length > 1 ||
    live.size !== records.live.size ||
    [...live].some((l) => !records.live.has(l)) ||
    replaced.length > 0 ||
    // Every leftover is a recorded member: the same count is the same set.
    leftovers.length !== recorded;
  if (changed) {
    const now = Date.now();
    const row = (table: string, kind: CompactionRecord['kind'], member: string): CompactionRecord => ({
      compaction_id: id,
      table_name: table,
      kind,
      member,
      committed_at: now,
    });
    const rows = [
      ...[...live].map((l) => row('', 'live', l)),
      ...absorbed.map((f) => row(f.table, 'absorbed', f.member)),
    ];
    // A lake with nothing compacted needs no record at all.
    if (rows.length) {
      await lake.put(
        compactionRecordKey(id),
        await encodeTable(compactions, rowsToColumns(compactions, rows), 'UNCOMPRESSED'),
      );
    }
    report.compactionId = id;
    // 3. The earlier records.
    for (const key of records.keys) if (key !== compactionRecordKey(id)) await lake.delete(key);
  }
  // 4. The files no reader counts any more (a record names each): the ones replaced now, and those a
  // compaction that stopped left. Their members stay in the record until the next compaction.
  for (const key of [...absorbed.map((f) => f.key), ...archivesReplaced]) {
    await lake.delete(key);
    report.filesDeleted++;
  }
  // Compacted files no record counts: under the lock no compaction is writing, so they are dead.
  for (const f of partitions.flatMap((p) => p.dead)) {
    await lake.delete(f.key);
    await lake.delete(archivedVersionsKey(f.key));
    report.filesDeleted++;
  }
  report.filesAfter = partitions.reduce((n, p) => n + p.visible.length, 0);
  report.commitObjects = await mergeCommitRecords(lake, id);
  return report;
}

/** A partition's rows, column by column (the table's stored columns). */
interface Columns {
  columns: Record<string, unknown[]>;
  rows: number;
}

/**
 * The rows of a partition that count, whose batch is committed; `foreign` counts the rows left out.
 * Those of its visible files, and `withArchive` also the versions compactions archived: only to
 * bring back what a batch taken back had superseded. Archives are written, never rewritten, by
 * the compactions in between (a day re-exported for 30 days gets 30 small archive files, rather
 * than a growing archive written 30 times); an archive a compaction that stopped wrote holds
 * versions still in the files it did not replace, which the next one archives again, and a
 * version archived twice changes no current row.
 */
async function committedColumnsOf(
  lake: Lake,
  p: Partition,
  committed: ReadonlySet<string>,
  withArchive: boolean,
): Promise<Columns & { foreign: number }> {
  const out: Columns & { foreign: number } = { columns: {}, rows: 0, foreign: 0 };
  for (const c of p.spec.columns) out.columns[c.name] = [];
  const keys = [...p.visible.map((f) => f.key), ...(withArchive ? p.archives : [])];
  for (const key of keys) {
    const file = await readParquetColumns(lake, key, p.spec);
    if (!file) continue;
    const batch = file.columns.batch_id!;
    for (let i = 0; i < file.rows; i++) {
      if (!committed.has(String(batch[i]))) {
        out.foreign++;
        continue;
      }
      for (const c of p.spec.columns) out.columns[c.name]!.push(file.columns[c.name]![i]);
      out.rows++;
    }
  }
  return out;
}

/** Row numbers of the current and superseded rows, by the table's version rule (none: all current). */
function splitVersions(spec: TableSpec, data: Columns): { current: number[]; superseded: number[] } {
  const all = Array.from({ length: data.rows }, (_, i) => i);
  const rule = VERSION_RULES.get(spec);
  if (!rule) return { current: all, superseded: [] };
  const keyColumns = rule.key.map((k) => data.columns[k]!);
  const orderColumns = rule.newestFirst.map((k) => data.columns[k]! as (number | string)[]);
  const newer = (a: number, b: number): boolean => {
    for (const col of orderColumns) if (col[a] !== col[b]) return col[a]! > col[b]!;
    return false;
  };
  const newest = new Map<string, number>();
  const superseded: number[] = [];
  for (const i of all) {
    const k = keyColumns.map((col) => String(col[i])).join('\u0000');
    const seen = newest.get(k);
    if (seen === undefined) newest.set(k, i);
    else if (newer(i, seen)) {
      superseded.push(seen);
      newest.set(k, i);
    } else superseded.push(i);
  }
  return { current: [...newest.values()].sort((a, b) => a - b), superseded };
}

/** The rows `at` of a partition as a compaction's Parquet file. */
function encodeRows(spec: TableSpec, data: Columns, at: readonly number[], id: string): Promise<Uint8Array> {
  const columns: Record<string, unknown[]> = {};
  for (const c of spec.columns) {
    const from = data.columns[c.name]!;
    columns[c.name] = c.name === 'compaction_id' ? at.map(() => id) : at.map((i) => from[i]);
  }
  return encodeTable(spec, columns, CURATED_CODEC);
}

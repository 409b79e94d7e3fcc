/**
 * Batch commits: a batch's curated and contacts rows count only once its commit record
 * (`curated/batch_commits/<batch>.parquet`, one row of `batch_commits`) exists. Ingest writes it
 * after every other file of the batch; readers keep rows whose `batch_id` has one (the SQL views,
 * the CTEs the Athena engine prepends, and the few direct Parquet readers below). S3 has no rename,
 * so a batch cannot appear by moving a folder into place: one small object decides instead.
 *
 * Also here: what is left behind by a writer that died (an interrupted ingest, a Lambda timeout)
 * is swept once it is old enough that no live writer can own it.
 */

import { LAKE_FIRST_DAY } from '../formats/values.ts';
import type { RowOf } from '../schemas/table.ts';
import { batchCommits, COMMITTED_TABLES } from '../schemas/tables.ts';
import type { HistoryBounds } from '../sql/views.ts';
import {
  batchCommitKey,
  batchIdOfDataFile,
  batchManifestKey,
  mergedCommitsKey,
  tablePrefix,
} from './keys.ts';
import type { Lake } from './lake.ts';
import { LocalLake } from './local.ts';
import { encodeTable, rowsToColumns } from './parquet.ts';
import { readParquetFileRows, readParquetRows } from './parquet-read.ts';

/** The columns added after the first commit records: a record may leave them out (written as null). */
type LaterColumns = 'first_dt' | 'last_dt' | 'rows_without_rate';

/**
 * A batch's commit record. A batch committed from its manifest (sweep, below) knows none of the
 * later columns, so they are optional here.
 */
export type CommitRow = Omit<RowOf<typeof batchCommits>, LaterColumns> &
  Partial<Pick<RowOf<typeof batchCommits>, LaterColumns>>;

/** The earliest and latest `dt` among partition keys (`…/dt=YYYY-MM-DD`), or nulls. */
export function dtRange(partitions: Iterable<string>): { first_dt: string | null; last_dt: string | null } {
  let first: string | null = null;
  let last: string | null = null;
  for (const p of partitions) {
    const dt = /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})(?:\/|$)/.exec(p)?.[1];
    if (!dt) continue;
    if (first === null || dt < first) first = dt;
    if (last === null || dt > last) last = dt;
  }
  return { first_dt: first, last_dt: last };
}

/**
 * Where a table's committed rows lie, from the commit records: the sources and the earliest `dt`
 * (LAKE_FIRST_DAY where a record predates the first_dt column). A query that reads a table's whole
 * history bounds itself with them, so Athena lists the days and sources that hold data instead of
 * every projected partition since the lake's first day; undefined when no batch of it is committed.
 */
export function historyBounds(
  records: readonly Record<string, unknown>[],
  table: string,
): HistoryBounds | undefined {
  // A batch that landed no rows (half of a Taobao pair, waiting for the other) says nothing of where
  // rows lie; one without first_dt that landed rows predates the column: it may hold any day.
  const rows = records.filter((r) => r.table_name === table && Number(r.rows_landed) > 0);
  if (rows.length === 0) return undefined;
  let first: string | undefined;
  for (const r of rows) {
    const dt = typeof r.first_dt === 'string' ? r.first_dt : LAKE_FIRST_DAY;
    if (first === undefined || dt < first) first = dt;
  }
  // Lines stored without a rate, summed; unknown where a record predates the column.
  const known = rows.every((r) => typeof r.rows_without_rate === 'number');
  return {
    first: first!,
    sources: [...new Set(rows.map((r) => String(r.source)))].sort(),
    withoutRate: known ? rows.reduce((n, r) => n + Number(r.rows_without_rate), 0) : undefined,
  };
}

/**
 * Where the commit records are: one object per batch as ingest writes it (`<batch>.parquet`), and
 * the objects a compaction merged them into (`merged-<compaction>.parquet`), so that the views read
 * a handful of objects however many batches a lake has taken in.
 */
interface CommitObjects {
  /** Per-batch record keys, by batch id. */
  single: Map<string, string>;
  /** Merged record keys. */
  merged: string[];
}

async function commitObjects(lake: Lake): Promise<CommitObjects> {
  const single = new Map<string, string>();
  const merged: string[] = [];
  for (const key of await lake.list(tablePrefix(batchCommits))) {
    const id = batchIdOfDataFile(key);
    if (id) single.set(id, key);
    else if (/\/merged-[0-9a-f]{32}\.parquet$/.test(key)) merged.push(key);
  }
  return { single, merged };
}

/**
 * Every commit record's row, once per batch (a batch can be in a merged object and, for the moment
 * a merge takes, in its own too), for historyBounds and the batch listing.
 */
export async function commitRecords(lake: Lake): Promise<Record<string, unknown>[]> {
  const byBatch = new Map<string, Record<string, unknown>>();
  for (const r of await readParquetRows(lake, tablePrefix(batchCommits))) byBatch.set(String(r.batch_id), r);
  return [...byBatch.values()];
}

/** Writes a batch's commit record: from this moment its rows are visible to every reader. */
export async function writeCommit(lake: Lake, row: CommitRow): Promise<void> {
  await lake.put(batchCommitKey(row.batch_id), await encodeCommits([{ ...row }]));
}

const encodeCommits = (rows: readonly Record<string, unknown>[]): Promise<Uint8Array> =>
  encodeTable(batchCommits, rowsToColumns(batchCommits, rows), 'UNCOMPRESSED');

/** Ids of the committed batches: the per-batch records' key names, and the merged records' rows. */
export async function committedBatches(lake: Lake): Promise<Set<string>> {
  const { single, merged } = await commitObjects(lake);
  const ids = new Set(single.keys());
  for (const key of merged) for (const r of await readParquetFileRows(lake, key)) ids.add(String(r.batch_id));
  return ids;
}

/** Whether one batch is committed (its own record, else a merged one). */
export async function isCommitted(lake: Lake, batchId: string): Promise<boolean> {
  return (await lake.exists(batchCommitKey(batchId))) || (await committedBatches(lake)).has(batchId);
}

/** A batch's commit row, wherever it is kept; undefined when it has none. */
export async function commitRowOf(lake: Lake, batchId: string): Promise<Record<string, unknown> | undefined> {
  const own = await readParquetFileRows(lake, batchCommitKey(batchId));
  if (own[0]) return own[0];
  for (const key of (await commitObjects(lake)).merged) {
    const row = (await readParquetFileRows(lake, key)).find((r) => r.batch_id === batchId);
    if (row) return row;
  }
  return undefined;
}

/**
 * Takes a batch's commit record away: its own object, and its row from any merged object (the merged
 * object is written again without it under a new name, then the old one deleted; until that delete
 * the batch still counts, after it no reader counts it). Returns the keys deleted. Callers hold the
 * maintenance lock (lake/maintenance.ts): a merge running at the same time could write it back.
 */
export async function removeCommit(lake: Lake, batchId: string, newId: () => string): Promise<string[]> {
  const removed: string[] = [];
  const { single, merged } = await commitObjects(lake);
  const own = single.get(batchId);
  if (own) {
    await lake.delete(own);
    removed.push(own);
  }
  for (const key of merged) {
    const rows = await readParquetFileRows(lake, key);
    if (!rows.some((r) => r.batch_id === batchId)) continue;
    const rest = rows.filter((r) => r.batch_id !== batchId);
    if (rest.length) await lake.put(mergedCommitsKey(newId()), await encodeCommits(rest));
    await lake.delete(key);
    removed.push(key);
  }
  return removed;
}

/**
 * Merges every commit record into one object, then deletes the objects merged: a duplicated row
 * between the two steps changes no reader (the views semi-join on batch_id; commitRecords keeps one
 * row per batch). Records written while it runs are left for the next merge. Callers hold the
 * maintenance lock. Returns how many objects the records were in, before and after.
 */
export async function mergeCommitRecords(
  lake: Lake,
  compactionId: string,
): Promise<{ before: number; after: number }> {
  const { single, merged } = await commitObjects(lake);
  const keys = [...merged, ...single.values()];
  if (keys.length <= 1) return { before: keys.length, after: keys.length };
  const byBatch = new Map<string, Record<string, unknown>>();
  for (const key of keys)
    for (const r of await readParquetFileRows(lake, key)) byBatch.set(String(r.batch_id), r);
  await lake.put(mergedCommitsKey(compactionId), await encodeCommits([...byBatch.values()]));
  for (const key of keys) await lake.delete(key);
  return { before: keys.length, after: 1 };
}

/** Prefixes under which a batch writes rows that wait for its commit. */
export const batchDataPrefixes = (): string[] => COMMITTED_TABLES.map(tablePrefix);

/**
 * Removes the data files of an uncommitted batch (curated and contacts), except `keep`. `under`
 * narrows the listing (the partitions a writer touched); default every batch table.
 */
export async function removeBatchFiles(
  lake: Lake,
  batchId: string,
  opts: { keep?: ReadonlySet<string>; under?: readonly string[] } = {},
): Promise<string[]> {
  const removed: string[] = [];
  for (const prefix of opts.under ?? batchDataPrefixes()) {
    for (const key of await lake.list(prefix)) {
      if (batchIdOfDataFile(key) !== batchId || opts.keep?.has(key)) continue;
      await lake.delete(key);
      removed.push(key);
    }
  }
  return removed;
}

/**
 * Leftovers are swept only when older than this. A live writer's files are younger: an ingest
 * Lambda is stopped by AWS at 15 minutes, and a local ingest of a 2 GB export takes about a
 * minute (README "Performance"); an hour leaves a wide margin, and what waits is invisible anyway.
 */
export const SWEEP_MIN_AGE_MS = 60 * 60 * 1000;

export interface SweepReport {
  /** Temporary files of dead writers removed from `.tmp/` (local lake). */
  tempFiles: number;
  /** Data files of batches with no commit record, removed. */
  uncommittedFiles: number;
  /** Batches with no commit record whose files were removed. */
  batches: string[];
  /** Batches of an earlier version (a manifest, no commit record) given their commit record. */
  legacyCommitted: number;
}

/**
 * Puts a lake right after writers that died: batches completed by an earlier version (manifest but
 * no commit record) are committed, and leftovers older than `minAgeMs` are removed — temporary
 * files and the files of batches that never committed. Never a younger file: it may be a live
 * writer's.
 */
export async function sweepLake(
  lake: Lake,
  opts: { now?: number; minAgeMs?: number } = {},
): Promise<SweepReport> {
  const now = opts.now ?? Date.now();
  const minAge = opts.minAgeMs ?? SWEEP_MIN_AGE_MS;
  const report: SweepReport = { tempFiles: 0, uncommittedFiles: 0, batches: [], legacyCommitted: 0 };
  const committed = await committedBatches(lake);

  // A manifest without a commit record: a batch an earlier version completed (it wrote the manifest
  // last). Its commit record is written from the manifest, so its rows stay visible.
  for (const key of await lake.list('_manifests/batches/')) {
    const id = /([A-Za-z0-9._-]+)\.json$/.exec(key)?.[1];
    if (!id || committed.has(id)) continue;
    const bytes = await lake.get(batchManifestKey(id));
    if (!bytes) continue;
    const m = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    // A manifest of this version names its commit record: a batch being forgotten (its commit
    // record deleted first) is not committed again.
    if (m.commitKey !== undefined) continue;
    await writeCommit(lake, {
      batch_id: id,
      source: String(m.source ?? ''),
      table_name: String(m.table ?? ''),
      file: String(m.file ?? ''),
      rows_landed: Number(m.rowsLanded ?? 0),
      rows_quarantined: Number(m.rowsQuarantined ?? 0),
      committed_at: now,
    });
    committed.add(id);
    report.legacyCommitted++;
  }

  if (lake instanceof LocalLake) report.tempFiles = await lake.sweepTemp(now - minAge);

  const old = async (key: string): Promise<boolean> => {
    if (!lake.modifiedAt) return false;
    try {
      return (await lake.modifiedAt(key)) < now - minAge;
    } catch {
      return false; // gone since the listing
    }
  };
  const batches = new Set<string>();
  for (const prefix of batchDataPrefixes()) {
    for (const key of await lake.list(prefix)) {
      const id = batchIdOfDataFile(key);
      if (!id || committed.has(id) || !(await old(key))) continue;
      // Checked again just before the delete: a writer may have committed since the listing.
      if (await lake.exists(batchCommitKey(id))) {
        committed.add(id);
        continue;
      }
      await lake.delete(key);
      report.uncommittedFiles++;
      batches.add(id);
    }
  }
  report.batches = [...batches];
  return report;
}

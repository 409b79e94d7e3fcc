/**
 * Every lake key is built here, so the local folder and the bucket share one layout (DESIGN.md):
 * raw/, curated/<table>/<hive partitions>/, restricted/, quarantine/, models/, alerts/, lists/, reports/.
 * Under a table's location (`<zone>/<table>/`) there is nothing but its Parquet files.
 */
import type { TableSpec } from '../schemas/table.ts';
import { batchCommits, churnRecall, compactions, stockout } from '../schemas/tables.ts';

const SAFE_VALUE = /^[A-Za-z0-9._-]+$/;

function partitionPath(spec: TableSpec, values: Readonly<Record<string, string>>): string {
  return spec.partitionKeys
    .map((k) => {
      const v = values[k.name];
      if (v === undefined || !SAFE_VALUE.test(v)) {
        throw new Error(`table ${spec.name}: bad partition value ${k.name}=${String(v)}`);
      }
      return `${k.name}=${v}`;
    })
    .join('/');
}

/** `<zone>/<table>/` — the prefix of all of a table's files. */
export const tablePrefix = (spec: TableSpec): string => `${spec.zone}/${spec.name}/`;

/** One data file of a table: `<zone>/<table>/<k=v>/.../<file>.parquet`. */
export function dataFileKey(
  spec: TableSpec,
  partition: Readonly<Record<string, string>>,
  fileStem: string,
): string {
  const path = partitionPath(spec, partition);
  return `${tablePrefix(spec)}${path ? `${path}/` : ''}${fileStem}.parquet`;
}

/** Glob over every data file of a table, for the SQL engine. */
export const tableGlob = (spec: TableSpec): string =>
  `${tablePrefix(spec)}${spec.partitionKeys.map((k) => `${k.name}=*/`).join('')}*.parquet`;

/** Every file of one partition: `<zone>/<table>/<k=v>/.../`. */
export const partitionPrefix = (spec: TableSpec, partition: Readonly<Record<string, string>>): string =>
  `${tablePrefix(spec)}${partitionPath(spec, partition)}/`;

function safeValue(what: string, v: string): string {
  if (!SAFE_VALUE.test(v)) throw new Error(`bad ${what} in a lake key: ${JSON.stringify(v)}`);
  return v;
}

/**
 * Lists for people (a CRM import, a buyer's stockout sheet) are CSV, so they stay out of every
 * table's location: Athena reads every object under a Glue table's location as table data, and a
 * CSV there breaks each query on the table.
 */
export const recallListsPrefix = 'restricted/recall_lists/';
export const stockoutListsPrefix = 'lists/stockout/';
const listKey = (prefix: string, date: string, file: string): string =>
  `${prefix}dt=${safeValue('date', date)}/${file}`;

/** The day's recall list a CRM imports: alerted customers with e-mail and phone, so restricted. */
export const recallListKey = (asOf: string): string => listKey(recallListsPrefix, asOf, 'recall.csv');

/** The daily run's stockout warnings as CSV. */
export const stockoutListKey = (date: string): string => listKey(stockoutListsPrefix, date, 'stockout.csv');

/** The stockout warnings raised when an inventory snapshot arrived, as CSV. */
export const stockoutDropListKey = (date: string, batchId: string): string =>
  listKey(stockoutListsPrefix, date, `stockout-drop-${safeValue('batch id', batchId)}.csv`);

/**
 * Where a list that an earlier version wrote beside an alert partition (`alerts/churn_recall/dt=D/
 * recall.csv`, `alerts/stockout/dt=D/stockout.csv` and `…/stockout-drop-<batch>.csv`) belongs now;
 * undefined for any other key.
 */
export function movedListKey(key: string): string | undefined {
  const at = (spec: TableSpec) =>
    key.startsWith(tablePrefix(spec))
      ? /^dt=([A-Za-z0-9._-]+)\/([^/]+)$/.exec(key.slice(tablePrefix(spec).length))
      : null;
  const recall = at(churnRecall);
  if (recall) return recall[2] === 'recall.csv' ? recallListKey(recall[1]!) : undefined;
  const stock = at(stockout);
  if (!stock) return undefined;
  const [, date, file] = stock as unknown as [string, string, string];
  if (file === 'stockout.csv') return stockoutListKey(date);
  const drop = /^stockout-drop-([A-Za-z0-9._-]+)\.csv$/.exec(file);
  return drop ? stockoutDropListKey(date, drop[1]!) : undefined;
}

const safeName = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-120) || 'file';

/** The untouched export, kept whatever happens to its rows. */
export const rawKey = (batchId: string, fileName: string): string => `raw/${batchId}/${safeName(fileName)}`;

/** Rows of a batch that failed validation, with the reason (CSV). */
export const quarantineRowsKey = (table: string, source: string, batchId: string): string =>
  `quarantine/${table}/source=${source}/${batchId}.csv`;

/** A file that could not be read at all, kept untouched beside a note of why. */
export const quarantineFileKey = (batchId: string, fileName: string): string =>
  `quarantine/files/${batchId}/${safeName(fileName)}`;
export const quarantineFileReasonKey = (batchId: string): string => `quarantine/files/${batchId}/reason.txt`;

/**
 * The commit record of a batch: one row of `batch_commits`, written by ingest after every other file
 * of the batch. Readers see a batch's curated and contacts rows only while this object exists, so it
 * is the first thing to delete when a batch is taken back, and the last thing ingest writes but the
 * manifest.
 */
export const batchCommitKey = (batchId: string): string =>
  dataFileKey(batchCommits, {}, safeValue('batch id', batchId));

/** The batch id (32 hex digits) a data file is named after (`<batch>.parquet`, `<batch>-<part>.parquet`). */
export function batchIdOfDataFile(key: string): string | undefined {
  return /\/([0-9a-f]{32})(?:-[^/]*)?\.parquet$/.exec(key)?.[1];
}

/**
 * A compaction's file in one partition of a batch table: the partition's committed rows, each with
 * its batch id kept (lake/compaction.ts). Not named after a batch, so batch listings pass it by.
 */
export const compactedFileKey = (
  spec: TableSpec,
  partition: Readonly<Record<string, string>>,
  compactionId: string,
): string => dataFileKey(spec, partition, `${COMPACTED}${safeValue('compaction id', compactionId)}`);

/** The compaction id a compacted file is named after, or undefined for any other key. */
export function compactionIdOfFile(key: string): string | undefined {
  return /\/compacted-([0-9a-f]{32})\.parquet$/.exec(key)?.[1];
}
const COMPACTED = 'compacted-';

/**
 * The versions a compaction took out of a partition because a later export superseded them: kept
 * outside every table's location (no query reads them), so that taking back the later batch can
 * bring them back. `<zone>/archive/<table>/<partition>/compacted-<compaction>.parquet`: in its
 * table's zone, so whoever may read the table may read its old versions, and nobody else.
 */
export const archivedVersionsKey = (compactedKey: string): string => {
  const zone = compactedKey.indexOf('/');
  return `${compactedKey.slice(0, zone)}/archive/${compactedKey.slice(zone + 1)}`;
};

/** Where a table's archived versions are: `<zone>/archive/<table>/`. */
export const archivePrefix = (spec: TableSpec): string => `${spec.zone}/archive/${spec.name}/`;

/** A compaction's record: one object, the whole of `compactions` once it is written (see tables.ts). */
export const compactionRecordKey = (compactionId: string): string =>
  dataFileKey(compactions, {}, safeValue('compaction id', compactionId));

/** Commit records merged by a compaction into one object: `curated/batch_commits/merged-<id>.parquet`. */
export const mergedCommitsKey = (compactionId: string): string =>
  dataFileKey(batchCommits, {}, `merged-${safeValue('compaction id', compactionId)}`);

/** Held while a compaction or a forget rewrites the lake's files, so that only one does at a time. */
export const maintenanceLockKey = '_locks/maintenance.json';
export const maintenanceLockPrefix = '_locks/';

/** Written last by ingest (after the commit record): a batch with a manifest is complete, and is skipped when it arrives again. */
export const batchManifestKey = (batchId: string): string => `_manifests/batches/${batchId}.json`;

/** Per-lake secret for pseudonymous ids when none is configured. */
export const idKeyKey = '_config/id-key';

/** Rows of one half of a paired export (Taobao), kept until the other half arrives: JSON per batch. */
const STAGING = 'staging/';
export const stagingPrefix = (name: string): string => `${STAGING}${name}/`;
export const stagingKey = (name: string, batchId: string): string => `${stagingPrefix(name)}${batchId}.json`;

/**
 * The claim, created once, of the ingest that lands the orders two staged batches (one of each half)
 * have in common; the same key whichever half builds it.
 */
export function joinClaimKey(
  a: { name: string; batchId: string },
  b: { name: string; batchId: string },
): string {
  const [first, second] = a.name < b.name ? [a, b] : [b, a];
  const part = (h: { name: string; batchId: string }) =>
    `${safeValue('staging name', h.name)}_${safeValue('batch id', h.batchId)}`;
  return `${STAGING}joins/${part(first)}__${part(second)}.json`;
}

/** Where the Athena engine UNLOADs the results of named queries, to read them back (scratch). */
export const athenaUnloadPrefix = 'athena/unload/';
/**
 * ... for a stage whose queries return contact details (the churn-recall stage's recall_contacts):
 * under restricted/, so only roles that may read contacts can read the results.
 */
export const restrictedUnloadPrefix = 'restricted/athena/unload/';

/**
 * A model stage's metrics in a run of the AWS state machine, for the step that writes the run's
 * diagnostics partition: in the lake, not in the state (a product stage's metrics at 1M order lines
 * are more than the 256 KiB a state may pass on). Scratch under athena/ (its 7-day lifecycle).
 */
export const stageMetricsPrefix = 'athena/runs/stage_metrics/';
export const stageMetricsKey = (run: string, stage: string): string =>
  `${stageMetricsPrefix}run=${safeValue('run', run)}/${safeValue('stage', stage)}.json`;

/** The daily report of an as-of date: one self-contained HTML page. */
export const reportKey = (asOf: string): string => `reports/dt=${asOf}/index.html`;

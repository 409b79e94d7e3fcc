/**
 * Every lake key is built here, so the local folder and the bucket share one layout (DESIGN.md):
 * raw/, curated/<table>/<hive partitions>/, restricted/, quarantine/, models/, alerts/, reports/.
 */
import type { TableSpec } from '../schemas/table.ts';

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

/** Extra files stored beside a partition's data (a CRM CSV next to the alert Parquet). */
export function partitionFileKey(
  spec: TableSpec,
  partition: Readonly<Record<string, string>>,
  file: string,
): string {
  return `${tablePrefix(spec)}${partitionPath(spec, partition)}/${file}`;
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

/** Written last by ingest: a batch with a manifest is complete, and is skipped when it arrives again. */
export const batchManifestKey = (batchId: string): string => `_manifests/batches/${batchId}.json`;

/** Per-lake secret for pseudonymous ids when none is configured. */
export const idKeyKey = '_config/id-key';

/** Rows of one half of a paired export (Taobao), kept until the other half arrives: JSON per batch. */
export const stagingPrefix = (name: string): string => `staging/${name}/`;
export const stagingKey = (name: string, batchId: string): string => `${stagingPrefix(name)}${batchId}.json`;

/** The daily report of an as-of date: one self-contained HTML page. */
export const reportKey = (asOf: string): string => `reports/dt=${asOf}/index.html`;

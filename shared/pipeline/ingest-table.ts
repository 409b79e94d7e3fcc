/**
 * Ingest of the non-order tables (products, inventory, traffic, exchange rates): parse, validate,
 * quarantine, and write one Parquet file per partition. These files are catalogue- or day-sized, so
 * rows are gathered in memory and written once.
 */
import { type CsvLayout, readCsvFile } from '../csv/file-source.ts';
import {
  type FormatContext,
  feedRecord,
  type TableFormat,
  type TableRow,
  type TableRowSink,
} from '../formats/format.ts';
import { dataFileKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { encodeTable, rowsToColumns } from '../lake/parquet.ts';
import type { TableSpec } from '../schemas/table.ts';
import { fxRates, inventory, products, traffic } from '../schemas/tables.ts';
import { localDate } from '../time.ts';
import type { RangeResult } from './ingest-range.ts';
import { QuarantineLog } from './quarantine-log.ts';

export interface TableJob {
  path: string;
  file: string;
  layout: CsvLayout;
  header: string[];
  headerLine: number;
  batchId: string;
  exportedAt: number;
  ingestedAt: number;
  /** Shop time zone: the `dt` partition of inventory snapshots. */
  shopTimeZone: string;
  context: FormatContext;
}

const SPECS: Record<TableFormat['table'], TableSpec> = {
  products,
  inventory,
  traffic,
  fx_rates: fxRates,
};

export async function ingestTableFile(
  lake: Lake,
  format: TableFormat,
  job: TableJob,
): Promise<RangeResult & { rows: TableRow[] }> {
  const spec = SPECS[format.table];
  const partitions = new Map<string, { values: Record<string, string>; rows: TableRow[] }>();
  const quarantine = new QuarantineLog(job.file);
  const warnings: string[] = [];
  let rowsRead = 0;
  let rowsLanded = 0;
  const partitionOf = (row: TableRow): Record<string, string> => {
    const values: Record<string, string> = { source: format.source };
    if (spec === inventory) values.dt = localDate(Number(row.snapshot_ts), job.shopTimeZone);
    if (spec === traffic) values.dt = String(row.date);
    return values;
  };
  const sink: TableRowSink = {
    accept(row) {
      const full: TableRow = { ...row, batch_id: job.batchId, exported_at: job.exportedAt };
      const values = partitionOf(full);
      const key = JSON.stringify(values);
      let p = partitions.get(key);
      if (!p) {
        p = { values, rows: [] };
        partitions.set(key, p);
      }
      p.rows.push(full);
      rowsLanded++;
    },
    reject(r) {
      quarantine.add(r);
    },
    warn(message) {
      warnings.push(message);
    },
  };
  const mapper = format.open(job.header, job.context, sink);
  await readCsvFile(job.path, job.layout, (records) => {
    for (const rec of records) {
      if (rec.line <= job.headerLine) continue;
      rowsRead++;
      feedRecord(mapper, rec, sink);
    }
  });
  mapper.finish(sink);
  const files: string[] = [];
  for (const p of partitions.values()) {
    const key = dataFileKey(spec, p.values, job.batchId);
    await lake.put(key, await encodeTable(spec, rowsToColumns(spec, p.rows)));
    files.push(key);
  }
  return {
    rows: [...partitions.values()].flatMap((p) => p.rows),
    rowsRead,
    bytePathRows: undefined,
    rowsLanded,
    quarantine: quarantine.lines,
    reasons: quarantine.reasons,
    warnings,
    missingRate: [],
    contactKeys: new Int32Array(0),
    partitions: files.map((f) => f.slice(0, f.lastIndexOf('/'))),
    files,
    contactFiles: [],
  };
}

/**
 * The work of ingest over one byte range of an export: parse, map, validate, pseudonymise, buffer and
 * write curated Parquet and contacts. Runs in-process, or in a worker thread per half of a large file.
 * What it returns (quarantine lines, reason counts, warnings) is merged by ingest.ts.
 */
import type { Config } from '../config.ts';
import { type ByteRange, type CsvLayout, readCsvFile } from '../csv/file-source.ts';
import type { CsvRecord } from '../csv/parser.ts';
import {
  feedRecord,
  type MappedOrderLine,
  type OrderLineSink,
  type OrdersFormat,
  type RowRejection,
  waitingForPartner,
} from '../formats/format.ts';
import { GenericByteRows } from '../formats/generic-bytes.ts';
import { formatNamed } from '../formats/registry.ts';
import { Pseudonymiser } from '../identity.ts';
import { dataFileKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { encodeTable, rowsToColumns } from '../lake/parquet.ts';
import { contacts as contactsSpec, orderLines } from '../schemas/tables.ts';
import { readByteLines } from './byte-lines.ts';
import { collectGarbage } from './collect-garbage.ts';
import { CuratedWriter } from './curated-writer.ts';
import { holdAt } from './hold.ts';
import { IdSet } from './id-set.ts';
import { OrderLineLander } from './order-line-lander.ts';
import { QuarantineLog, type ReasonCount } from './quarantine-log.ts';

export type { ReasonCount } from './quarantine-log.ts';

import { RateBook, type RateGap, type RateRows } from './fx.ts';
import { stageAndJoin } from './staging.ts';

export interface RangeJob {
  path: string;
  file: string;
  layout: CsvLayout;
  range: ByteRange;
  /** The range starts the file: records up to the header's line are not data. */
  skipHeader: boolean;
  header: string[];
  /** Physical line of the header (2 after a `sep=,` line). */
  headerLine: number;
  formatName: string;
  /** Time zone of the export's offset-less timestamps. */
  timeZone: string;
  /** Exchange rates into the reporting currency. */
  rates: RateRows;
  batchId: string;
  /** Stem of every file this range writes (`<batch>` or `<batch>-p<part>`). */
  fileStem: string;
  idKey: string;
  exportedAt: number;
  ingestedAt: number;
  config: Config;
  flushRows: number;
}

export interface RangeResult {
  rowsRead: number;
  /** Rows the byte path read (undefined: the range was read field by field). */
  bytePathRows: number | undefined;
  rowsLanded: number;
  /** CSV lines (file, line, column, reason, record), in file order. */
  quarantine: string[];
  reasons: ReasonCount[];
  warnings: string[];
  missingRate: [string, RateGap][];
  /** Keys of the customers whose contact rows this range wrote (IdSet.keys()). */
  contactKeys: Int32Array;
  partitions: string[];
  files: string[];
  /** Keys of the contacts files this range wrote. */
  contactFiles: string[];
}

export async function ingestRange(
  job: RangeJob,
  lake: Lake,
  onProgress?: (bytesRead: number, rows: number) => void,
): Promise<RangeResult> {
  const { config, file, batchId } = job;
  const format = formatNamed(job.formatName) as OrdersFormat;
  const source = format.source;
  const rates = new RateBook(job.rates, config.reportingCurrency);
  // A paired format's orders (read in-process: never split), and the line each was staged on.
  const staged = new Map<string, readonly Record<string, string>[]>();
  const stagedOn = new Map<string, number>();
  const ids = new Pseudonymiser(job.idKey);
  const { exportedAt, ingestedAt } = job;
  const writer = new CuratedWriter(lake, orderLines, job.fileStem, job.flushRows);
  const lander = new OrderLineLander(writer.buffer, {
    ids,
    rates,
    reportingCurrency: config.reportingCurrency,
    shopTimeZone: config.timeZone,
    source,
    batchId,
    exportedAt,
    ingestedAt,
  });
  let contactFlushes = 0;
  const contactFiles: string[] = [];
  const contacted = new IdSet();
  const quarantine = new QuarantineLog(file);
  const warnings: string[] = [];
  let rowsRead = 0;
  let bytePathRows = 0;

  // The line being read: contact details carry it, so among one batch's rows the latest line wins.
  let line = 0;
  const sink: OrderLineSink = {
    accept(m: MappedOrderLine) {
      lander.accept(m, line);
    },
    reject(r: RowRejection) {
      quarantine.add(r);
    },
    warn(message: string) {
      warnings.push(message);
    },
    stage(orderId, rows) {
      staged.set(orderId, rows);
      stagedOn.set(orderId, line);
    },
  };

  // Contacts are written with each flush, so a file with millions of customers holds few at a time.
  const flushContacts = async () => {
    const rows = lander.takeContacts();
    if (rows.length === 0) return;
    const key = dataFileKey(
      contactsSpec,
      { source },
      `${job.fileStem}-${String(contactFlushes++).padStart(4, '0')}`,
    );
    // Uncompressed: its columns are near-unique ids, e-mails and phones, which gzip halves at about
    // 60 MB/s, some 0.2 s per 100,000 customers at the end of each part, on the critical path.
    await lake.put(key, await encodeTable(contactsSpec, rowsToColumns(contactsSpec, rows), 'UNCOMPRESSED'));
    contactFiles.push(key);
    for (const r of rows) contacted.add(r.customer_id as string);
  };

  const ctx = {
    timeZone: job.timeZone,
    currency: config.shopCurrency,
    reportingCurrency: config.reportingCurrency,
    exportedAt,
  };
  const mapper = format.open(job.header, ctx, sink);
  const skipThrough = job.skipHeader ? job.headerLine : 0;
  const onRecords = (records: CsvRecord[]) => {
    for (const rec of records) {
      if (rec.line <= skipThrough) continue;
      rowsRead++;
      line = rec.line;
      feedRecord(mapper, rec, sink);
    }
  };
  let held = false;
  const flushIfFull = async () => {
    if (!held && rowsRead > 0) {
      held = true;
      await holdAt('parse');
    }
    if (writer.full) {
      await writer.flush();
      await flushContacts();
      collectGarbage();
      await holdAt('write');
    }
  };
  const onBytes = (bytes: number) => onProgress?.(bytes, rowsRead);
  // Large generic files take the byte path (UTF-8 only: its bytes are the Parquet strings' bytes).
  const byteRows =
    config.ingestBytePath && format.name === 'generic' && job.layout.encoding === 'utf-8'
      ? GenericByteRows.open(job.header, job.layout.delimiter, ctx)
      : undefined;
  if (byteRows) {
    await readByteLines(
      job.path,
      job.range,
      job.layout.delimiter,
      skipThrough,
      {
        take(buf, start, end, at) {
          if (!byteRows.read(buf, start, end)) return false;
          rowsRead++;
          bytePathRows++;
          lander.acceptBytes(buf, byteRows, at);
          return true;
        },
        records: onRecords,
        betweenChunks: flushIfFull,
      },
      onBytes,
    );
  } else {
    await readCsvFile(
      job.path,
      job.layout,
      async (records) => {
        onRecords(records);
        await flushIfFull();
      },
      onBytes,
      job.range,
    );
  }
  mapper.finish(sink);
  const pairing = format.pairing;
  if (pairing) {
    const joins = await stageAndJoin(lake, pairing, batchId, exportedAt, staged, (id, own, partner) => {
      line = stagedOn.get(id) ?? line;
      pairing.join(id, own, partner, ctx, sink);
    });
    if (joins.waiting) sink.warn(waitingForPartner(pairing, joins.waiting));
    if (joins.landedByPartner) {
      sink.warn(
        `${joins.landedByPartner} order(s) are landed by the ingest of their ${pairing.partnerTitle}, which ran at the same time`,
      );
    }
  }
  await writer.flush();
  await flushContacts();
  return {
    rowsRead,
    bytePathRows: byteRows ? bytePathRows : undefined,
    rowsLanded: lander.rowsLanded,
    quarantine: quarantine.lines,
    reasons: quarantine.reasons,
    warnings,
    missingRate: [...lander.missingRate],
    contactKeys: contacted.keys(),
    partitions: [...writer.partitionsTouched],
    files: writer.written,
    contactFiles,
  };
}

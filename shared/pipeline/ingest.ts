/**
 * Ingest: one export file -> raw/ (untouched), curated order lines (Parquet, by source and order
 * date), restricted contacts, and quarantine/ for rows that fail validation. Idempotent: the batch id
 * is the file's content hash and a batch with a manifest is skipped when it arrives again.
 */
import { basename } from 'node:path';
import type { Config } from '../config.ts';
import { readCsvFile, readHeader, scanFile } from '../csv/file-source.ts';
import { csvLine } from '../csv/writer.ts';
import { UnreadableFileError } from '../errors.ts';
import type { MappedOrderLine, OrderLineSink, RowRejection } from '../formats/format.ts';
import { checkFormat, detectFormat, formatNamed } from '../formats/registry.ts';
import { roundMoney } from '../formats/values.ts';
import { Pseudonymiser, resolveIdKey } from '../identity.ts';
import {
  batchManifestKey,
  dataFileKey,
  quarantineFileKey,
  quarantineFileReasonKey,
  quarantineRowsKey,
  rawKey,
} from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { encodeTable, rowsToColumns } from '../lake/parquet.ts';
import { contacts as contactsSpec, orderLines } from '../schemas/tables.ts';
import { zoneOffsetMs } from '../time.ts';
import { CuratedWriter } from './curated-writer.ts';
import type { Log } from './log.ts';

export interface IngestRequest {
  /** Local path of the export file. */
  path: string;
  /** Name to record (defaults to the path's base name). */
  fileName?: string;
  /** Force a format instead of detecting it. */
  source?: string;
  /** When the export was made (epoch ms); defaults to the caller's notion, e.g. the file time. */
  exportedAt: number;
}

export interface IngestProgress {
  file: string;
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

export interface IngestDeps {
  lake: Lake;
  config: Config;
  log: Log;
  now?: () => number;
  onProgress?: (p: IngestProgress) => void;
}

export interface ReasonCount {
  column: string;
  reason: string;
  count: number;
}

export interface IngestReport {
  file: string;
  batchId: string;
  source: string;
  status: 'ingested' | 'skipped';
  rowsRead: number;
  rowsLanded: number;
  rowsQuarantined: number;
  reasons: ReasonCount[];
  partitions: number;
  filesWritten: number;
  contacts: number;
  warnings: string[];
  quarantineKey: string | null;
  rawKey: string;
  seconds: number;
}

const QUARANTINE_HEADER = ['file', 'line', 'column', 'reason', 'record'];

/** Groups reasons without the quoted value, so 1,000 bad dates make one line of the summary. */
const reasonKind = (reason: string): string => reason.replace(/: ".*$/s, '').replace(/"[^"]*"/g, '"…"');

export async function ingestFile(deps: IngestDeps, req: IngestRequest): Promise<IngestReport> {
  const { lake, config, log } = deps;
  const now = deps.now ?? Date.now;
  const started = now();
  const file = req.fileName ?? basename(req.path);
  const scan = await scanFile(req.path);
  const { batchId } = scan;
  const raw = rawKey(batchId, file);

  const manifest = await lake.get(batchManifestKey(batchId));
  if (manifest) {
    const previous = JSON.parse(Buffer.from(manifest).toString('utf8')) as IngestReport;
    return { ...previous, file, status: 'skipped', seconds: (now() - started) / 1000 };
  }

  await lake.putFile(raw, req.path);

  const rejectFile = async (reason: string): Promise<never> => {
    await lake.putFile(quarantineFileKey(batchId, file), req.path);
    await lake.put(quarantineFileReasonKey(batchId), `${file}: ${reason}\n`);
    throw new UnreadableFileError(
      file,
      `${reason} (file kept in ${lake.location}/${quarantineFileKey(batchId, file)})`,
    );
  };

  if (scan.bytes === 0) return rejectFile('the file is empty');
  if (scan.encodingProblem) return rejectFile(`${scan.encodingProblem}; storepulse reads UTF-8 exports`);
  const header = await readHeader(req.path, ',');
  if (!header || header.fields.every((h) => h.trim() === '')) return rejectFile('no header line');

  let format: ReturnType<typeof formatNamed>;
  try {
    format = req.source ? formatNamed(req.source) : detectFormat(file, header.fields);
    if (req.source) checkFormat(file, header.fields, format);
  } catch (err) {
    const reason = err instanceof UnreadableFileError ? err.message.slice(file.length + 2) : String(err);
    return rejectFile(reason);
  }
  const source = format.name;
  log.info(`${file}: ${format.title}, batch ${batchId}`);

  const idKey = await resolveIdKey(lake, config);
  const ids = new Pseudonymiser(idKey);
  const ingestedAt = Math.floor(now());
  const exportedAt = Math.floor(req.exportedAt);
  const writer = new CuratedWriter(lake, orderLines, batchId, config.ingestFlushRows);
  const buf = writer.buffer;
  const C = Object.fromEntries(orderLines.columns.map((c) => [c.name, buf.columnIndex(c.name)])) as Record<
    string,
    number
  >;
  const orderDate = dayCache(config.timeZone);
  const contactRows = new Map<string, Record<string, unknown>>();
  const quarantine: string[] = [];
  const reasons = new Map<string, ReasonCount>();
  const warnings: string[] = [];
  const missingRate = new Map<string, number>();
  let rowsRead = 0;
  let rowsLanded = 0;

  const sink: OrderLineSink = {
    accept(m: MappedOrderLine) {
      const customerId = m.customer_ref ? ids.id(source, m.customer_ref) : null;
      if (customerId && (m.email || m.phone)) {
        contactRows.set(customerId, {
          customer_id: customerId,
          source_customer_ref: m.customer_ref,
          email: m.email,
          phone: m.phone,
          exported_at: exportedAt,
          batch_id: batchId,
        });
      }
      const net = roundMoney(m.quantity * m.unit_price - m.discount - m.refund_amount);
      let netRc: number | null = null;
      if (m.currency === config.reportingCurrency) netRc = net;
      else missingRate.set(m.currency, (missingRate.get(m.currency) ?? 0) + 1);
      const dt = orderDate(m.order_ts);
      rowsLanded++;
      const row = buf.startRow(dt, () => ({ source, dt }));
      buf.setString(C.order_id!, row, m.order_id);
      buf.setString(C.line_id!, row, m.line_id);
      buf.setString(C.customer_id!, row, customerId);
      buf.setNumber(C.order_ts!, row, m.order_ts);
      buf.setNumber(C.paid_ts!, row, m.paid_ts);
      buf.setString(C.status!, row, m.status);
      buf.setString(C.sku!, row, m.sku);
      buf.setString(C.product_name!, row, m.product_name);
      buf.setString(C.category!, row, m.category);
      buf.setNumber(C.quantity!, row, m.quantity);
      buf.setNumber(C.unit_price!, row, m.unit_price);
      buf.setNumber(C.discount!, row, m.discount);
      buf.setNumber(C.refund_amount!, row, m.refund_amount);
      buf.setString(C.currency!, row, m.currency);
      buf.setNumber(C.net_amount!, row, net);
      buf.setNumber(C.net_amount_rc!, row, netRc);
      buf.setString(C.channel!, row, m.channel);
      buf.setString(C.country!, row, m.country);
      buf.setString(C.warehouse!, row, m.warehouse);
      buf.setString(C.referral_id!, row, m.referral_id);
      buf.setNumber(C.exported_at!, row, exportedAt);
      buf.setNumber(C.ingested_at!, row, ingestedAt);
      buf.setString(C.batch_id!, row, batchId);
    },
    reject(r: RowRejection) {
      quarantine.push(csvLine([file, r.line, r.column, r.reason, csvLine(r.record).trimEnd()], true));
      const kind = reasonKind(r.reason);
      const key = `${r.column}\u0000${kind}`;
      const entry = reasons.get(key) ?? { column: r.column, reason: kind, count: 0 };
      entry.count++;
      reasons.set(key, entry);
    },
    warn(message: string) {
      warnings.push(message);
      log.warn(`${file}: ${message}`);
    },
  };

  const mapper = format.open(header.fields, { timeZone: config.timeZone }, sink);
  let lastProgress = now();
  let skippedHeader = false;
  await readCsvFile(
    req.path,
    format.delimiter,
    async (records) => {
      for (const rec of records) {
        if (!skippedHeader) {
          skippedHeader = true;
          continue;
        }
        rowsRead++;
        if (rec.unterminated) {
          sink.reject({
            line: rec.line,
            column: '*',
            reason: 'file ends inside a quoted field',
            record: rec.fields,
          });
          continue;
        }
        mapper.row(rec.fields, rec.line, sink);
      }
      if (writer.full) await writer.flush();
    },
    (bytesRead) => {
      if (deps.onProgress && now() - lastProgress >= 1000) {
        lastProgress = now();
        deps.onProgress({ file, bytesRead, totalBytes: scan.bytes, rows: rowsRead });
      }
    },
  );
  mapper.finish(sink);
  await writer.flush();

  for (const [currency, count] of missingRate) {
    sink.warn(
      `${count} line(s) in ${currency}: no exchange rate to ${config.reportingCurrency}, so net_amount_rc is null for them`,
    );
  }
  if (contactRows.size) {
    const key = dataFileKey(contactsSpec, { source }, batchId);
    await lake.put(
      key,
      await encodeTable(contactsSpec, rowsToColumns(contactsSpec, [...contactRows.values()])),
    );
  }
  let quarantineKey: string | null = null;
  if (quarantine.length) {
    quarantineKey = quarantineRowsKey(orderLines.name, source, batchId);
    await lake.put(quarantineKey, csvLine(QUARANTINE_HEADER) + quarantine.join(''));
  }
  const report: IngestReport = {
    file,
    batchId,
    source,
    status: 'ingested',
    rowsRead,
    rowsLanded,
    rowsQuarantined: quarantine.length,
    reasons: [...reasons.values()].sort((a, b) => b.count - a.count),
    partitions: writer.partitionsTouched.size,
    filesWritten: writer.written.length,
    contacts: contactRows.size,
    warnings,
    quarantineKey,
    rawKey: raw,
    seconds: (now() - started) / 1000,
  };
  // The manifest goes last: its presence means every file of the batch is in place.
  await lake.put(batchManifestKey(batchId), JSON.stringify(report, null, 2));
  return report;
}

/** `YYYY-MM-DD` of an instant in the shop time zone, cached per local day (ingest asks per row). */
function dayCache(timeZone: string): (utcMs: number) => string {
  const DAY = 86_400_000;
  const cache = new Map<number, string>();
  return (utcMs) => {
    const day = Math.floor((utcMs + zoneOffsetMs(utcMs, timeZone)) / DAY);
    let s = cache.get(day);
    if (s === undefined) {
      s = new Date(day * DAY).toISOString().slice(0, 10);
      cache.set(day, s);
    }
    return s;
  };
}

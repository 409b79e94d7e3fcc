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
import { encodeTable } from '../lake/parquet.ts';
import { rowsToColumns } from '../schemas/arrow.ts';
import { contacts as contactsSpec, orderLines } from '../schemas/tables.ts';
import { localDate } from '../time.ts';
import type { Log } from './log.ts';
import { PartitionBuffer } from './partition-buffer.ts';

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
  const buffer = new PartitionBuffer(lake, orderLines, batchId, config.ingestFlushRows);
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
      const dt = localDate(m.order_ts, config.timeZone);
      rowsLanded++;
      buffer.add(
        { source, dt },
        {
          ...m,
          customer_id: customerId,
          net_amount: net,
          net_amount_rc: netRc,
          exported_at: exportedAt,
          ingested_at: ingestedAt,
          batch_id: batchId,
        },
      );
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
      if (buffer.full) await buffer.flush();
    },
    (bytesRead) => {
      if (deps.onProgress && now() - lastProgress >= 1000) {
        lastProgress = now();
        deps.onProgress({ file, bytesRead, totalBytes: scan.bytes, rows: rowsRead });
      }
    },
  );
  mapper.finish(sink);
  await buffer.flush();

  for (const [currency, count] of missingRate) {
    sink.warn(
      `${count} line(s) in ${currency}: no exchange rate to ${config.reportingCurrency}, so net_amount_rc is null for them`,
    );
  }
  if (contactRows.size) {
    const key = dataFileKey(contactsSpec, { source }, batchId);
    await lake.put(key, encodeTable(contactsSpec, rowsToColumns(contactsSpec, [...contactRows.values()])));
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
    partitions: buffer.partitionsTouched.size,
    filesWritten: buffer.written.length,
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

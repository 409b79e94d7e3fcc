/**
 * Ingest: one export file -> raw/ (untouched), curated order lines (Parquet, by source and order
 * date), restricted contacts, and quarantine/ for rows that fail validation. Idempotent: the batch id
 * is the file's content hash and a batch with a manifest is skipped when it arrives again.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { StockoutAlert } from '../alerts/stockout.ts';
import type { Config } from '../config.ts';
import { readHead, scanFile } from '../csv/file-source.ts';
import { csvLine } from '../csv/writer.ts';
import { InvalidLineError, StorepulseError, UnreadableFileError } from '../errors.ts';
import type { ExportFormat } from '../formats/format.ts';
import { checkFormat, detectFormat, formatNamed, missingNeededColumns } from '../formats/registry.ts';
import { resolveIdKey } from '../identity.ts';
import { dtRange, removeBatchFiles, writeCommit } from '../lake/commits.ts';
import {
  batchCommitKey,
  batchManifestKey,
  quarantineFileKey,
  quarantineFileReasonKey,
  quarantineRowsKey,
  rawKey,
  tablePrefix,
} from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { contacts } from '../schemas/tables.ts';
import { forgetBatch } from './batches.ts';
import type { RateGap } from './fx.ts';
import { loadRates } from './fx-rates.ts';
import { holdAt } from './hold.ts';
import { IdSet } from './id-set.ts';
import { ingestRange, type RangeJob, type RangeResult, type ReasonCount } from './ingest-range.ts';
import { ingestTableFile } from './ingest-table.ts';
import type { Log } from './log.ts';
import { RangeWorker } from './range-worker.ts';
import { evaluateStockOnArrival } from './stock-on-arrival.ts';

export interface IngestRequest {
  /** Local path of the export file. */
  path: string;
  /** Name to record (defaults to the path's base name). */
  fileName?: string;
  /** Force a format instead of detecting it. */
  source?: string;
  /** When the export was made (epoch ms); defaults to the caller's notion, e.g. the file time. */
  exportedAt: number;
  /** The file is already in the lake at this raw/ key (an S3 drop): it is not copied again. */
  rawKey?: string;
  /** The day a report without dates covers (Amazon's Business Report), YYYY-MM-DD. */
  reportDate?: string;
  /**
   * Set when the file must not be read (its stated export time is invalid): it is quarantined whole
   * with this reason, unless the same bytes were already ingested.
   */
  rejectReason?: string;
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
  /** Given a way to stop the work in other threads (the CLI, on an interrupt). */
  registerStop?: (stop: () => Promise<void>) => void;
  /** Told the batch id as soon as it is known (the CLI cleans up after an interrupt with it). */
  onBatch?: (batchId: string, file: string) => void;
  /** Told of stockout warnings raised when an inventory snapshot arrives (SNS in AWS). */
  onStockout?: (date: string, alerts: readonly StockoutAlert[], csvKey: string) => Promise<void>;
}

export type { ReasonCount } from './ingest-range.ts';

export interface IngestReport {
  file: string;
  batchId: string;
  source: string;
  /** The table the file's rows land in. */
  table: string;
  status: 'ingested' | 'skipped';
  rowsRead: number;
  rowsLanded: number;
  rowsQuarantined: number;
  /** Rows read straight from the bytes (generic UTF-8 files); the rest went field by field. */
  bytePathRows?: number;
  reasons: ReasonCount[];
  partitions: number;
  filesWritten: number;
  /** Customers whose contact details (platform reference, e-mail, phone) were stored. */
  contacts: number;
  warnings: string[];
  quarantineKey: string | null;
  rawKey: string;
  /**
   * The batch's commit record (`batch_commits`), written before this manifest. Absent in manifests
   * of an earlier version, which had none (the next ingest or run writes one for them).
   */
  commitKey?: string;
  /** Inventory snapshots: stockout warnings raised on arrival. */
  stockoutWarnings?: number;
  /** ... and the CSV of them (lists/stockout/). */
  stockoutListKey?: string;
  seconds: number;
}

const QUARANTINE_HEADER = ['file', 'line', 'column', 'reason', 'record'];

export async function ingestFile(deps: IngestDeps, req: IngestRequest): Promise<IngestReport> {
  const { lake, config } = deps;
  const started = (deps.now ?? Date.now)();
  const size = (await stat(req.path)).size;
  // A file large enough to be read on two threads gets its worker now: it boots during the scan.
  const root = lake.localRoot;
  const worker =
    config.ingestWorkers > 1 && size >= config.ingestParallelMinBytes && root !== undefined
      ? new RangeWorker(root)
      : undefined;
  // An interrupted command stops the worker thread before it cleans up.
  if (worker) deps.registerStop?.(() => worker.close());
  try {
    return await ingestWith(deps, req, started, firstPartShare(size), worker);
  } finally {
    await worker?.close();
  }
}

async function ingestWith(
  deps: IngestDeps,
  req: IngestRequest,
  started: number,
  firstShare: number,
  worker: RangeWorker | undefined,
): Promise<IngestReport> {
  const { lake, config, log } = deps;
  const now = deps.now ?? Date.now;
  const file = req.fileName ?? basename(req.path);
  const scan = await scanFile(req.path, firstShare);
  const { batchId } = scan;
  const raw = req.rawKey ?? rawKey(batchId, file);
  deps.onBatch?.(batchId, file);

  const manifest = await lake.get(batchManifestKey(batchId));
  if (manifest) {
    const previous = JSON.parse(Buffer.from(manifest).toString('utf8')) as IngestReport;
    return { ...previous, file, status: 'skipped', seconds: (now() - started) / 1000 };
  }

  // The raw copy runs beside the parsing (the kernel copies); it is awaited before anything says the
  // file was taken: the manifest, or the quarantine of an unreadable file.
  const rawCopy = req.rawKey ? Promise.resolve() : lake.putFile(raw, req.path);
  rawCopy.catch(() => {}); // awaited below; a failure is reported there, not as unhandled

  const rejectFile = async (reason: string): Promise<never> => {
    await rawCopy;
    await lake.putFile(quarantineFileKey(batchId, file), req.path);
    await lake.put(quarantineFileReasonKey(batchId), `${file}: ${reason}\n`);
    throw new UnreadableFileError(
      file,
      `${reason} (file kept in ${lake.location}/${quarantineFileKey(batchId, file)})`,
    );
  };

  if (req.rejectReason !== undefined) return rejectFile(req.rejectReason);
  if (scan.bytes === 0) return rejectFile('the file is empty');
  const encoding = scan.encoding;
  if (!encoding) {
    return rejectFile(`${scan.encodingProblem}; storepulse reads UTF-8, UTF-16 and GBK/GB18030`);
  }
  const head = await readHead(req.path, encoding);
  if (!head || head.header.fields.every((h) => h.trim() === '')) return rejectFile('no header line');
  const header = head.header;

  let format: ExportFormat;
  try {
    format = req.source ? formatNamed(req.source) : detectFormat(file, header.fields);
    if (req.source) checkFormat(file, header.fields, format);
  } catch (err) {
    const reason = err instanceof UnreadableFileError ? err.message.slice(file.length + 2) : String(err);
    return rejectFile(reason);
  }
  const needed = missingNeededColumns(format, header.fields);
  if (needed.length) {
    return rejectFile(
      `read as a ${format.title} (--source ${format.name}), it lacks the column(s) ${needed.join(', ')}, which its rows cannot be read without`,
    );
  }
  const source = format.source;
  log.info(`${file}: ${format.title} (${encoding}), batch ${batchId}`);
  const timeZone = config.sourceTimeZones[source] ?? format.defaultTimeZone ?? config.timeZone;
  const exportedAt = Math.floor(req.exportedAt);
  const ingestedAt = Math.floor(now());
  // The delimiter the header line uses: Excel's "Unicode text" saves any export tab-separated.
  const layout = { encoding, delimiter: head.delimiter, quoting: format.quoting };

  // A failure while the rows are read and written that is not the lake's (a bug: a value no mapper
  // should have let through, a writer that refuses its input) fails this file cleanly: what it wrote
  // is taken back and the file is kept whole in quarantine, so nothing is half landed.
  const readFailed = async (err: unknown): Promise<never> => {
    // A failure of the lake (or a stop) is no fault of the file: it is raised, and a retry completes it.
    if (
      lakeFailures.has(err as object) ||
      (err instanceof StorepulseError && !(err instanceof InvalidLineError))
    )
      throw err;
    log.warn(
      `${file}: reading failed (${err instanceof Error ? err.message : String(err)}); taking back what it wrote`,
    );
    await forgetBatch(lake, batchId);
    return rejectFile(
      `could not be read: ${err instanceof Error ? err.message : String(err)} (a storepulse bug: please report it with the file)`,
    );
  };

  if (format.table !== 'order_lines') {
    const result = await ingestTableFile(marked(lake), format, {
      path: req.path,
      file,
      layout,
      header: header.fields,
      headerLine: header.line,
      batchId,
      exportedAt,
      ingestedAt,
      shopTimeZone: config.timeZone,
      context: {
        timeZone,
        currency: config.shopCurrency,
        reportingCurrency: config.reportingCurrency,
        exportedAt,
        ...(req.reportDate ? { reportDate: req.reportDate } : {}),
      },
    }).catch(readFailed);
    const report = await finishBatch(deps, {
      file,
      batchId,
      source,
      raw,
      started,
      table: format.table,
      results: [result],
      rawCopy,
    });
    if (format.table === 'inventory' && result.rows.length) {
      // A stock count re-evaluates stock risk now; a failure here loses nothing (the daily run redoes it).
      try {
        const arrival = await evaluateStockOnArrival(lake, config, log, batchId, result.rows);
        report.stockoutWarnings = arrival.alerts.length;
        if (arrival.csvKey) report.stockoutListKey = arrival.csvKey;
        if (arrival.csvKey && deps.onStockout)
          await deps.onStockout(arrival.date, arrival.alerts, arrival.csvKey);
      } catch (err) {
        log.warn(
          `${file}: stock risk on arrival failed (${String(err)}); the daily run will evaluate the snapshot`,
        );
      }
    }
    return report;
  }

  const idKey = await resolveIdKey(lake, config);
  const base: Omit<RangeJob, 'range' | 'skipHeader' | 'fileStem'> = {
    path: req.path,
    file,
    layout,
    header: header.fields,
    headerLine: header.line,
    formatName: format.name,
    timeZone,
    batchId,
    idKey,
    exportedAt,
    ingestedAt,
    config,
    flushRows: config.ingestFlushRows,
    rates: await loadRates(lake, config.reportingCurrency),
  };
  // A large file whose rows stand alone is read in two parts on two threads, split here.
  const middle = worker && format.splittable(header.fields) ? scan.middle : undefined;
  const progressBytes = [0, 0];
  const progressRows = [0, 0];
  let lastProgress = now();
  const progress = (part: number) => (bytes: number, rows: number) => {
    progressBytes[part] = bytes;
    progressRows[part] = rows;
    if (deps.onProgress && now() - lastProgress >= 1000) {
      lastProgress = now();
      deps.onProgress({
        file,
        bytesRead: progressBytes[0]! + progressBytes[1]!,
        totalBytes: scan.bytes,
        rows: progressRows[0]! + progressRows[1]!,
      });
    }
  };
  let results: RangeResult[];
  if (worker && middle) {
    // Each part buffers its share of the flush size (and 5 % slack, as lines differ in length):
    // together they hold what one thread would, and a file within the flush size is written in
    // one go per part (a file per partition and part).
    const flushRows = (share: number) => Math.ceil(config.ingestFlushRows * share * 1.05);
    // This thread reads the first part while the worker thread, booted during the scan, reads the rest.
    // Both are let finish before a failure of either is handled (its clean-up must not race a write).
    results = await settleAll([
      ingestRange(
        {
          ...base,
          flushRows: flushRows(firstShare),
          range: { start: 0, end: middle.offset, firstLine: 1 },
          skipHeader: true,
          fileStem: `${batchId}-p0`,
        },
        marked(lake),
        progress(0),
      ),
      worker.run(
        {
          ...base,
          flushRows: flushRows(1 - firstShare),
          range: { start: middle.offset, end: undefined, firstLine: middle.line },
          skipHeader: false,
          fileStem: `${batchId}-p1`,
        },
        progress(1),
      ),
    ]).catch(readFailed);
  } else {
    results = [
      await ingestRange(
        { ...base, range: { start: 0, end: undefined, firstLine: 1 }, skipHeader: true, fileStem: batchId },
        marked(lake),
        progress(0),
      ).catch(readFailed),
    ];
  }
  return finishBatch(deps, { file, batchId, source, raw, started, table: 'order_lines', results, rawCopy });
}

/** Errors the lake raised while a file was read (not the file's fault, never a reason to refuse it). */
const lakeFailures = new WeakSet<object>();

/** The lake, its failures marked so a failed read can tell them from its own. */
function marked(lake: Lake): Lake {
  const mark = (err: unknown) => {
    if (typeof err === 'object' && err !== null) lakeFailures.add(err);
    return err;
  };
  return new Proxy(lake, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const out = value.apply(target, args);
          return out instanceof Promise ? out.catch((err) => Promise.reject(mark(err))) : out;
        } catch (err) {
          throw mark(err);
        }
      };
    },
  });
}

/** Promise.all that waits for every promise before it rejects with the first failure. */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

interface BatchResults {
  file: string;
  batchId: string;
  source: string;
  raw: string;
  started: number;
  table: string;
  results: RangeResult[];
  /** The copy of the export into raw/, in flight while the file was read. */
  rawCopy: Promise<void>;
}

/** Customers with contact rows across the parts (a customer may have lines in both). */
function distinctContacts(results: readonly RangeResult[]): number {
  const ids = new IdSet();
  for (const r of results) ids.addKeys(r.contactKeys);
  return ids.size;
}

/** Merges what the parts of a file report, writes the quarantine file and, last, the manifest. */
async function finishBatch(deps: IngestDeps, b: BatchResults): Promise<IngestReport> {
  const { lake, config, log } = deps;
  const now = deps.now ?? Date.now;
  const { file, batchId, source, raw, started, results } = b;
  await b.rawCopy;

  const reasons = new Map<string, ReasonCount>();
  const missingRate = new Map<string, RateGap>();
  const warnings: string[] = [];
  for (const r of results) {
    for (const q of r.reasons) {
      const key = `${q.column}\u0000${q.reason}`;
      const entry = reasons.get(key) ?? { ...q, count: 0 };
      entry.count += q.count;
      reasons.set(key, entry);
    }
    for (const [currency, gap] of r.missingRate) {
      const seen = missingRate.get(currency);
      missingRate.set(
        currency,
        seen
          ? {
              lines: seen.lines + gap.lines,
              from: seen.from < gap.from ? seen.from : gap.from,
              to: seen.to > gap.to ? seen.to : gap.to,
            }
          : { ...gap },
      );
    }
    for (const w of r.warnings) if (!warnings.includes(w)) warnings.push(w);
  }
  for (const [currency, gap] of missingRate) {
    warnings.push(
      `${gap.lines} line(s) in ${currency} dated ${gap.from}..${gap.to}: no exchange rate to ${config.reportingCurrency} ` +
        'on or up to 7 days before those dates, so net_amount_rc is null for them (ingest a rates file first: README "Currencies")',
    );
  }
  for (const w of warnings) log.warn(`${file}: ${w}`);
  const quarantined = results.reduce((a, r) => a + r.quarantine.length, 0);
  let quarantineKey: string | null = null;
  if (quarantined) {
    quarantineKey = quarantineRowsKey(b.table, source, batchId);
    await lake.put(
      quarantineKey,
      csvLine(QUARANTINE_HEADER) + results.map((r) => r.quarantine.join('')).join(''),
    );
  }
  const report: IngestReport = {
    file,
    batchId,
    source,
    table: b.table,
    status: 'ingested',
    rowsRead: results.reduce((a, r) => a + r.rowsRead, 0),
    rowsLanded: results.reduce((a, r) => a + r.rowsLanded, 0),
    rowsQuarantined: quarantined,
    ...(results.some((r) => r.bytePathRows !== undefined)
      ? { bytePathRows: results.reduce((a, r) => a + (r.bytePathRows ?? 0), 0) }
      : {}),
    reasons: [...reasons.values()].sort((a, b) => b.count - a.count),
    partitions: new Set(results.flatMap((r) => r.partitions)).size,
    filesWritten: results.reduce((a, r) => a + r.files.length, 0),
    // A customer in both halves of a file is one contact.
    contacts: distinctContacts(results),
    warnings,
    quarantineKey,
    rawKey: raw,
    commitKey: batchCommitKey(batchId),
    seconds: (now() - started) / 1000,
  };
  // Files of this batch this attempt did not write are an interrupted earlier attempt's (e.g. with
  // another flush size): removed before the commit would make them visible. Only the partitions
  // this attempt touched can hold them (the same rows land in the same partitions).
  const written = new Set(results.flatMap((r) => [...r.files, ...r.contactFiles]));
  const touched = new Set(results.flatMap((r) => r.files.map((f) => f.slice(0, f.lastIndexOf('/') + 1))));
  if (results.some((r) => r.contactFiles.length)) touched.add(`${tablePrefix(contacts)}source=${source}/`);
  const stale = await removeBatchFiles(lake, batchId, { keep: written, under: [...touched] });
  if (stale.length) log.info(`${file}: removed ${stale.length} file(s) an interrupted ingest of it left`);
  await holdAt('commit');
  // The commit record makes every row of the batch visible at once; the manifest (skip this file
  // when it comes again) follows it.
  await writeCommit(lake, {
    batch_id: batchId,
    source,
    table_name: b.table,
    file,
    rows_landed: report.rowsLanded,
    rows_quarantined: report.rowsQuarantined,
    committed_at: Math.floor(now()),
    ...dtRange(results.flatMap((r) => r.partitions)),
    rows_without_rate: [...missingRate.values()].reduce((n, g) => n + g.lines, 0),
  });
  await lake.put(batchManifestKey(batchId), JSON.stringify(report, null, 2));
  return report;
}

/**
 * Share of a large file's lines read on ingest's own thread. The worker thread boots during the scan
 * and starts its part about half a second after this thread on a 200 MB file (at once on a 2 GB one,
 * whose scan takes 3 s), but this thread reads lines 6-15 % more slowly than the worker in the same
 * run (measured at 1M and 10M lines; the cause is not pinned down), so it takes a little less than
 * half plus a small head start: 50 % of the lines of a 200 MB file, 48 % of a 2 GB one. Fitted so
 * both parts end within about 0.2 s (1M lines) and 1.5 s (10M) of each other; a split at half the
 * bytes left the worker idle for 5 s at the end of a 2 GB file.
 */
function firstPartShare(bytes: number): number {
  return Math.min(0.56, 0.478 + HEAD_START_BYTES / Math.max(bytes, 1));
}
const HEAD_START_BYTES = 4.5 * 1024 * 1024;

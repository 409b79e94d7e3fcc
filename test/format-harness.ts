/**
 * Maps an export file the way ingest reads it (encoding from the bytes, header sniffing, detection,
 * the streaming parser) but into memory, so a test can compare canonical rows without a lake.
 */
import { readCsvFile, readHead, scanFile } from '../shared/csv/file-source.ts';
import { UnreadableFileError } from '../shared/errors.ts';
import {
  type FormatContext,
  feedRecord,
  type MappedOrderLine,
  type RecordEnd,
  type RowRejection,
  type TableRow,
  waitingForPartner,
} from '../shared/formats/format.ts';
import { detectFormat, missingNeededColumns } from '../shared/formats/registry.ts';

/** One order's rows staged by one half of a paired export (Taobao). */
export interface StagedOrder {
  exportedAt: number;
  rows: readonly Record<string, string>[];
}

export interface Mapped {
  format: string;
  encoding: string;
  lines: MappedOrderLine[];
  rows: TableRow[];
  rejected: RowRejection[];
  warnings: string[];
  staged: Map<string, StagedOrder>;
}

export async function mapFile(
  path: string,
  opts: Partial<FormatContext> & { partner?: ReadonlyMap<string, StagedOrder> } = {},
): Promise<Mapped> {
  const scan = await scanFile(path);
  if (!scan.encoding) throw new UnreadableFileError(path, scan.encodingProblem ?? 'unknown encoding');
  const found = await readHead(path, scan.encoding);
  if (!found || found.header.fields.every((h) => h.trim() === ''))
    throw new UnreadableFileError(path, 'no header line');
  const format = detectFormat(path, found.header.fields);
  const missing = missingNeededColumns(format, found.header.fields);
  if (missing.length) throw new UnreadableFileError(path, `lacks the column(s) ${missing.join(', ')}`);
  const out: Mapped = {
    format: format.name,
    encoding: scan.encoding,
    lines: [],
    rows: [],
    rejected: [],
    warnings: [],
    staged: new Map(),
  };
  const ctx: FormatContext = {
    timeZone: opts.timeZone ?? format.defaultTimeZone ?? 'UTC',
    currency: opts.currency ?? 'USD',
    reportingCurrency: 'USD',
    exportedAt: opts.exportedAt ?? Date.UTC(2026, 10, 23, 12),
    ...(opts.reportDate ? { reportDate: opts.reportDate } : {}),
    ...(opts.partner ? { partner: opts.partner } : {}),
  };
  const sink = {
    accept: (r: MappedOrderLine & TableRow) =>
      (format.table === 'order_lines' ? out.lines : out.rows).push(r),
    reject: (r: RowRejection) => out.rejected.push(r),
    warn: (w: string) => out.warnings.push(w),
    stage: (id: string, rows: readonly Record<string, string>[]) =>
      out.staged.set(id, { exportedAt: ctx.exportedAt, rows }),
  };
  // Both mapper kinds take the same sink shape; the union needs one call site per kind.
  const mapper: {
    row(fields: readonly string[], line: number, s: typeof sink, end?: RecordEnd): void;
    finish(s: typeof sink): void;
    readonly groupsRows?: boolean;
  } =
    format.table === 'order_lines'
      ? format.open(found.header.fields, ctx, sink)
      : format.open(found.header.fields, ctx, sink);
  await readCsvFile(
    path,
    { encoding: scan.encoding, delimiter: found.delimiter, quoting: format.quoting },
    (records) => {
      for (const r of records) {
        if (r.line <= found.header.line) continue;
        feedRecord(mapper, r, sink);
      }
    },
  );
  mapper.finish(sink);
  // A paired half is joined with the partner's staged rows as ingest does once the file is read.
  if (format.table === 'order_lines' && format.pairing) {
    let waiting = 0;
    for (const [id, own] of out.staged) {
      const partner = opts.partner?.get(id);
      if (partner) format.pairing.join(id, own.rows, partner.rows, ctx, sink);
      else waiting++;
    }
    if (waiting) sink.warn(waitingForPartner(format.pairing, waiting));
  }
  return out;
}

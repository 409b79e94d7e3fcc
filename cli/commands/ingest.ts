import { stat } from 'node:fs/promises';
import { UnreadableFileError, UsageError } from '../../shared/errors.ts';
import { FORMATS } from '../../shared/formats/registry.ts';
import { sweepLake } from '../../shared/lake/commits.ts';
import { type IngestProgress, type IngestReport, ingestFile } from '../../shared/pipeline/ingest.ts';
import { parseIsoDate } from '../../shared/time.ts';
import { type Command, LAKE_HELP, LAKE_OPTIONS, str } from '../command.ts';
import { lakeContext } from '../context.ts';
import { cleanUpInterrupted, type InterruptState, StoppableLake } from '../interrupt.ts';
import { type CliIo, stderrLog } from '../io.ts';
import { describeSweep } from '../sweep.ts';

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

export function progressPrinter(io: CliIo): (p: IngestProgress) => void {
  return (p) => {
    const pct = p.totalBytes ? Math.floor((100 * p.bytesRead) / p.totalBytes) : 100;
    const line = `${p.file}: ${pct}% (${mb(p.bytesRead)} of ${mb(p.totalBytes)} MB, ${p.rows.toLocaleString('en-US')} rows)`;
    io.err(io.interactive ? `\r${line}\u001b[K` : `${line}\n`);
  };
}

export function describeReport(r: IngestReport): string {
  if (r.status === 'skipped') {
    return `${r.file}: already ingested (batch ${r.batchId}); nothing changed\n`;
  }
  const lines = [
    `${r.file}: ${r.source} -> ${r.table}, ${r.rowsLanded.toLocaleString('en-US')} rows landed in ${r.partitions} partition(s), ` +
      `${r.rowsQuarantined.toLocaleString('en-US')} quarantined (${r.seconds.toFixed(1)} s)`,
  ];
  for (const q of r.reasons.slice(0, 10)) lines.push(`  ${q.count} x ${q.column}: ${q.reason}`);
  if (r.reasons.length > 10) lines.push(`  ... and ${r.reasons.length - 10} more kinds of problem`);
  if (r.stockoutWarnings) {
    lines.push(
      `  stockout warnings raised on arrival: ${r.stockoutWarnings} (table stockout, triggered_by inventory_drop)` +
        (r.stockoutListKey ? `; list: ${r.stockoutListKey}` : ''),
    );
  }
  if (r.quarantineKey) lines.push(`  rejected rows with their reasons: ${r.quarantineKey}`);
  return `${lines.join('\n')}\n`;
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'land marketplace exports in the lake as canonical Parquet',
  help: `Usage: storepulse ingest FILE... [options]

Detects each file's format from its header and its encoding from its bytes (UTF-8, UTF-16 with
BOM, GBK/GB18030), validates every row, and writes good rows to curated/<table>/ (Parquet, by
source and date). Rows that fail go to quarantine/ with the line, column and reason; the original
file is kept under raw/. Ingesting the same file again changes nothing. Ingest exchange rates before
orders in other currencies. Exits 1 when a file could not be read at all (unknown format, unknown
encoding, empty).

Formats (--source NAME):
${FORMATS.map((f) => `  ${f.name.padEnd(24)} ${f.title}`).join('\n')}

Options:
${LAKE_HELP}
  --source NAME        skip detection and read the files as this format
  --exported-at TIME   when the export was made (ISO-8601); default the file's modification time
  --date YYYY-MM-DD    the day a report without dates covers (Amazon Business Report);
                       default the day before the export
  -h, --help           this help
`,
  options: {
    ...LAKE_OPTIONS,
    source: { type: 'string' },
    'exported-at': { type: 'string' },
    date: { type: 'string' },
  },
  async run(values, files, io) {
    if (files.length === 0) throw new UsageError('ingest needs at least one FILE');
    const source = str(values.source);
    if (source && !FORMATS.some((f) => f.name === source)) {
      throw new UsageError(`unknown --source "${source}"; known: ${FORMATS.map((f) => f.name).join(', ')}`);
    }
    const exportedAtFlag = str(values['exported-at']);
    const exportedAtGiven = exportedAtFlag === undefined ? undefined : Date.parse(exportedAtFlag);
    if (exportedAtGiven !== undefined && Number.isNaN(exportedAtGiven)) {
      throw new UsageError(`--exported-at "${exportedAtFlag}" is not an ISO-8601 time`);
    }
    const reportDate = str(values.date);
    if (reportDate !== undefined && parseIsoDate(reportDate) === undefined) {
      throw new UsageError(`--date "${reportDate}" is not a date (YYYY-MM-DD)`);
    }
    const context = lakeContext(values);
    const { config } = context;
    const log = stderrLog(io);
    // Leftovers of writers that died (an interrupted ingest) are swept first, once old enough.
    const swept = describeSweep(await sweepLake(context.lake));
    if (swept) io.err(swept);

    // Ctrl-C or SIGTERM: no more writes, the interrupted file's files taken back, a word, exit 130/143.
    const lake = new StoppableLake(context.lake);
    const state: InterruptState = { done: [], stops: [] };
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      if (io.interactive) io.err('\r\u001b[K');
      void cleanUpInterrupted(lake, state, signal)
        .then((message) => io.err(message))
        .catch((err: unknown) =>
          io.err(`storepulse ingest: interrupted (${signal}); clean-up failed: ${String(err)}\n`),
        )
        .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await ingestAll(files, { lake, config, log, io, state, source, reportDate, exportedAtGiven });
    } catch (err) {
      // After a signal, the failures of stopped work (refused writes, a terminated worker) are
      // expected: the clean-up reports and exits.
      if (stopping) return new Promise<number>(() => {});
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

async function ingestAll(
  files: readonly string[],
  o: {
    lake: StoppableLake;
    config: ReturnType<typeof lakeContext>['config'];
    log: ReturnType<typeof stderrLog>;
    io: CliIo;
    state: InterruptState;
    source: string | undefined;
    reportDate: string | undefined;
    exportedAtGiven: number | undefined;
  },
): Promise<number> {
  const { lake, config, log, io, state, source, reportDate, exportedAtGiven } = o;
  let failed = 0;
  for (const path of files) {
    state.current = { file: path };
    try {
      const info = await stat(path).catch((cause) => {
        throw new UnreadableFileError(path, 'cannot open the file', { cause });
      });
      if (!info.isFile()) throw new UnreadableFileError(path, 'not a file');
      const report = await ingestFile(
        {
          lake,
          config,
          log,
          onProgress: progressPrinter(io),
          onBatch: (batchId) => {
            state.current = { file: path, batchId };
          },
          registerStop: (stop) => state.stops.push(stop),
        },
        {
          path,
          ...(source ? { source } : {}),
          ...(reportDate ? { reportDate } : {}),
          exportedAt: Math.floor(exportedAtGiven ?? info.mtimeMs),
        },
      );
      if (io.interactive) io.err('\r\u001b[K');
      io.out(describeReport(report));
      state.done.push(path);
    } catch (err) {
      if (!(err instanceof UnreadableFileError)) throw err;
      failed++;
      io.err(`error: ${err.message}\n`);
    }
    state.current = undefined;
  }
  return failed ? 1 : 0;
}

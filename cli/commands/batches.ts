import { UsageError } from '../../shared/errors.ts';
import { listBatches } from '../../shared/pipeline/batches.ts';
import { type Command, LAKE_HELP, LAKE_OPTIONS, str } from '../command.ts';
import { lakeContext } from '../context.ts';
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from '../output.ts';

const COLUMNS = ['batch', 'file', 'source', 'table', 'rows', 'quarantined', 'state', 'when'];

export const batchesCommand: Command = {
  name: 'batches',
  summary: 'list the batches (ingested files) in the lake, newest first',
  help: `Usage: storepulse batches [options]

Lists every batch in the lake, newest first: one per ingested file, with its batch id (the file's
content hash), file name, format (source), table, rows landed and quarantined, its state, and when it
was ingested. States: committed (complete, counted by every reader), uncommitted (files of an ingest
that stopped part-way; counted by no reader), unreadable (the file is kept under quarantine/files/),
raw-only (only the raw copy is left: forgotten without --raw, or an ingest that has just begun).
"storepulse forget BATCH" removes one; the start of an id is enough when no other id starts so.

Options:
  --format table|csv|json   output format (default table; table shows the first 12 characters of
                            each id, csv and json the whole id)
${LAKE_HELP}
  -h, --help                this help
`,
  options: { ...LAKE_OPTIONS, format: { type: 'string', short: 'f', default: 'table' } },
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError('batches takes no arguments');
    const format = str(values.format) as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) {
      throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${format}"`);
    }
    const { lake } = lakeContext(values);
    const batches = await listBatches(lake);
    const rows = batches.map((b) => ({
      batch: format === 'table' ? b.batchId.slice(0, 12) : b.batchId,
      file: b.file,
      source: b.source,
      table: b.table,
      rows: b.rowsLanded,
      quarantined: b.rowsQuarantined,
      state: b.state,
      when: b.when === null ? null : new Date(b.when).toISOString().replace(/\.\d+Z$/, 'Z'),
    }));
    if (format === 'table' && rows.length === 0) {
      io.err(`no batches in ${lake.location}; "storepulse ingest FILE" adds one\n`);
      return 0;
    }
    io.out(formatRows(format, COLUMNS, rows));
    return 0;
  },
};

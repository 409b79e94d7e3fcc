import { UsageError } from '../../shared/errors.ts';
import type { TableSpec } from '../../shared/schemas/table.ts';
import { QUERYABLE_TABLES } from '../../shared/schemas/tables.ts';
import type { SqlEngine } from '../../shared/sql/engine.ts';
import { type Command, LAKE_HELP, LAKE_OPTIONS, str } from '../command.ts';
import { lakeContext, requireLake } from '../context.ts';
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from '../output.ts';

/**
 * Model and alert tables keep one partition per run date, so a query over a table reads every run
 * (a count after two runs counts each customer twice). `<table>_latest` is the table's latest run.
 */
export const LATEST_VIEWS: readonly { name: string; table: TableSpec }[] = QUERYABLE_TABLES.filter(
  (t) => (t.zone === 'models' || t.zone === 'alerts') && t.partitionKeys.some((k) => k.name === 'dt'),
).map((table) => ({ name: `${table.name}_latest`, table }));

async function createLatestViews(engine: SqlEngine): Promise<void> {
  for (const { name, table } of LATEST_VIEWS)
    await engine.query(
      `create or replace view ${name} as select * from ${table.name} where dt = (select max(dt) from ${table.name})`,
    );
}

export const queryCommand: Command = {
  name: 'query',
  summary: 'run SQL over the lake (DuckDB)',
  help: `Usage: storepulse query [options] "SQL"

Runs a SQL statement with DuckDB over the lake's Parquet files. Every table is a view named as the
table, with its partition keys (source, dt) as columns:
  ${QUERYABLE_TABLES.map((t) => t.name).join(', ')}
order_lines shows the latest export of each order line; order_lines_versions shows every version.
Model and alert tables keep every run (one dt partition per run date): to read only the latest run,
use its view (or filter dt yourself):
${LATEST_VIEWS.map((v) => `  ${v.name.padEnd(24)} the latest run of ${v.table.name}`).join('\n')}
Results go to stdout, messages to stderr.

Options:
  --format table|csv|json   output format (default table); csv has one header line (RFC 4180),
                            json is an array of objects, one per row
${LAKE_HELP}
  -h, --help                this help

Example:
  storepulse query --format table "select segment, count(*) as customers from rfm_latest group by 1 order by 2 desc"
`,
  options: { ...LAKE_OPTIONS, format: { type: 'string', short: 'f', default: 'table' } },
  async run(values, positionals, io) {
    if (positionals.length !== 1) {
      throw new UsageError('query takes exactly one SQL statement (quote it: storepulse query "select ...")');
    }
    const format = str(values.format) as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) {
      throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${format}"`);
    }
    requireLake(values);
    const { openEngine } = lakeContext(values);
    const engine = await openEngine();
    try {
      await createLatestViews(engine);
      const { columns, rows } = await engine.query(positionals[0]!);
      io.out(formatRows(format, columns, rows));
    } finally {
      await engine.close();
    }
    return 0;
  },
};

/**
 * The views analysts and the pipeline query, declared once for both SQL tiers: DuckDB creates them
 * locally (duckdb.ts) and the stack declares them in Glue for Athena (infra/constructs/catalog.ts).
 * A batch table's files are registered apart (`storepulse_files`), and its name is the view of its
 * committed rows: no reader sees a batch before its commit record exists, and then all of it.
 */
import { SOURCES } from '../formats/registry.ts';
import { LAKE_FIRST_DAY } from '../formats/values.ts';
import { allColumns, type ColumnSpec, type ColumnType, type TableSpec } from '../schemas/table.ts';
import {
  batchCommits,
  COMMITTED_TABLES,
  compactions,
  fxRates,
  orderLines,
  storedTableName,
} from '../schemas/tables.ts';
import { columnList } from './columns.ts';
import { orderLinesViewSql } from './order-lines-view.ts';
import { loadSql, quoteIdent, raw, renderSql, sqlString, stringList } from './render.ts';

/** The records every view of committed rows reads besides its table: a reader of one needs them. */
export const VIEW_RECORDS: readonly TableSpec[] = [batchCommits, compactions];

/** The Glue database analysts and the pipeline query: model and alert tables, and the views below. */
export const GLUE_DATABASE = 'storepulse';

/**
 * The Glue database of the batch tables' files as written, every batch's rows whether committed or
 * not. Nothing queries it but the views of GLUE_DATABASE: a reader there never sees a half batch.
 */
export const GLUE_FILES_DATABASE = 'storepulse_files';

/** Column types as Trino names them, for a view's declared columns (Glue `timestamp` reads as timestamp(3)). */
export const TRINO_TYPES: Record<ColumnType, string> = {
  string: 'varchar',
  int32: 'integer',
  double: 'double',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp(3)',
};

export interface GlueView {
  name: string;
  doc: string;
  /** The view's query, with names resolved in GLUE_DATABASE. */
  sql: string;
  columns: readonly ColumnSpec[];
  /** The relations the query reads, as it names them: it can be created once they exist. */
  reads: readonly string[];
}

/**
 * The views of GLUE_DATABASE, as DuckDB has them locally (duckdb.ts): each batch table under its own
 * name, keeping the rows whose batch has a commit record, and `order_lines`, the latest version of
 * each committed line with net_amount_rc converted at read time. Filters on dt and source still
 * prune: the commit filter is a semi-join on batch_id.
 */
export function glueViews(reportingCurrency: string): GlueView[] {
  const views: GlueView[] = COMMITTED_TABLES.map((spec) => ({
    name: storedTableName(spec),
    doc: `${spec.doc} Committed batches only.`.slice(0, 2048),
    sql: committedRowsSql(spec),
    columns: allColumns(spec),
    reads: [`${GLUE_FILES_DATABASE}.${storedTableName(spec)}`, ...VIEW_RECORDS.map(storedTableName)],
  }));
  views.push({
    name: 'order_lines',
    doc: 'The latest exported version of each committed order line; net_amount_rc converted at read time.',
    sql: withoutComments(orderLinesViewSql(reportingCurrency)),
    columns: allColumns(orderLines),
    reads: [storedTableName(orderLines), storedTableName(fxRates)],
  });
  return views;
}

/**
 * A batch table's committed rows. A row counts while its batch has a commit record, and while the
 * file it is read from counts: a batch's own file until a compaction absorbs it (the record's
 * `absorbed` members, per partition), a compacted file while a record names its compaction `live`.
 * Rows keep their batch id through compaction, so taking a batch back hides its rows at once
 * wherever they were rewritten. The filters are semi- and anti-joins: dt and source still prune.
 */
function committedRowsSql(spec: TableSpec): string {
  const files = `${GLUE_FILES_DATABASE}.${storedTableName(spec)}`;
  const records = storedTableName(compactions);
  const fileGroup = [
    ...spec.partitionKeys.map((k) => quoteIdent(k.name)),
    'coalesce(compaction_id, batch_id)',
  ].join(" || '/' || ");
  return (
    `select ${columnList(spec)} from ${files} ` +
    `where batch_id in (select batch_id from ${storedTableName(batchCommits)}) ` +
    `and (compaction_id is null or compaction_id in (select member from ${records} where kind = 'live')) ` +
    `and ${fileGroup} not in (select member from ${records} where kind = 'absorbed' and table_name = ${sqlString(spec.name)})`
  );
}

/** The key a compaction record's `absorbed` member gives a file: its partition values and group id. */
export const absorbedMember = (partitionValues: readonly string[], group: string): string =>
  [...partitionValues, group].join('/');

/**
 * Drops whole-line `--` comments and trailing blank space: Athena stores a view's text as given, and
 * a statement merged into a WITH clause must not end inside a comment.
 */
export const withoutComments = (sql: string): string =>
  sql
    .split('\n')
    .filter((l) => !/^\s*--/.test(l))
    .join('\n')
    .trim();

/**
 * The daily run's snapshot of the order history: the `order_lines` view's rows up to the as-of date,
 * read once per run. In AWS it is UNLOADed under `athena/runs/order_lines/run=<run id>/` and read
 * through the Glue table ORDER_LINES_RUNS (partition projection `injected`: a query must name its run).
 */
export function orderLinesSnapshotSql(asOf: string, bounds?: HistoryBounds): string {
  // Without bounds (no committed order lines) the snapshot covers all the lake could hold: empty.
  return renderSql('order_lines_snapshot', loadSql('order_lines_snapshot'), {
    columns: raw(columnList(orderLines)),
    as_of: asOf,
    first_day: bounds?.first ?? LAKE_FIRST_DAY,
    sources: stringList(bounds?.sources ?? SOURCES),
  });
}

/** Where a table's committed rows lie (lake/commits.ts historyBounds). */
export interface HistoryBounds {
  first: string;
  sources: readonly string[];
  /** Order lines stored without a reporting-currency amount; undefined where records do not say. */
  withoutRate?: number | undefined;
}

/** The Glue table of the run snapshots (in GLUE_FILES_DATABASE) and their lake prefix. */
export const ORDER_LINES_RUNS = 'order_lines_runs';
export const orderLinesRunsPrefix = 'athena/runs/order_lines/';
export const orderLinesRunPrefix = (run: string): string => `${orderLinesRunsPrefix}run=${run}/`;

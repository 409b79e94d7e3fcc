/**
 * The `order_lines` view both SQL tiers read (order_lines_latest.sql): the latest version of each
 * line, with net_amount_rc converted at read time from `fx_rates` into the reporting currency.
 */
import { allColumns } from '../schemas/table.ts';
import { orderLines } from '../schemas/tables.ts';
import { columnList } from './columns.ts';
import { loadSql, quoteIdent, raw, renderSql } from './render.ts';

/** The view's columns: the schema's, with net_amount_rc the amount converted at read time. */
const viewColumns = (): string =>
  allColumns(orderLines)
    .map((c) => (c.name === 'net_amount_rc' ? `converted_rc as ${quoteIdent(c.name)}` : quoteIdent(c.name)))
    .join(', ');

/** The view's SELECT for a reporting currency (the view reads `order_lines_versions` and `fx_rates`). */
export function orderLinesViewSql(reportingCurrency: string): string {
  return renderSql('order_lines_latest', loadSql('order_lines_latest'), {
    columns: raw(columnList(orderLines)),
    view_columns: raw(viewColumns()),
    reporting_currency: reportingCurrency,
  });
}

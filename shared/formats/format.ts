/**
 * A marketplace export format: how to recognise its header and how to map its rows onto a canonical
 * table (order lines, or products / inventory / traffic / exchange rates). Formats know the schemas,
 * never the lake: they push rows and rejections into a sink.
 */
import type { OrderStatus } from '../schemas/tables.ts';
import { AMOUNT_LIMIT, COUNT_LIMIT, lakeTimeReason } from './values.ts';

/** An order line as a format maps it, before identity and amounts are settled by ingest. */
export interface MappedOrderLine {
  order_id: string;
  line_id: string;
  /** The platform's own buyer reference (id or e-mail); pseudonymised by ingest. Null: no buyer. */
  customer_ref: string | null;
  email: string | null;
  phone: string | null;
  /** The buyer's name where the export gives one (restricted, like e-mail and phone). */
  name?: string | null;
  order_ts: number;
  paid_ts: number | null;
  status: OrderStatus;
  sku: string | null;
  product_name: string | null;
  category: string | null;
  quantity: number;
  unit_price: number;
  discount: number;
  refund_amount: number;
  currency: string;
  channel: string | null;
  country: string | null;
  warehouse: string | null;
  referral_id: string | null;
}

export interface RowRejection {
  /** Physical line where the record starts. */
  line: number;
  column: string;
  reason: string;
  record: readonly string[];
}

export interface OrderLineSink {
  accept(row: MappedOrderLine): void;
  reject(rejection: RowRejection): void;
  warn(message: string): void;
  /**
   * Keeps an order's rows (checked) for the join with the partner report of a paired export
   * (Taobao's 订单报表 and 宝贝报表), which ingest does once the file is read: see `Pairing`.
   */
  stage?(orderId: string, rows: readonly Record<string, string>[]): void;
}

/**
 * One half of a paired export. Its mapper only stages each order's rows; ingest keeps them in the
 * lake and joins them with the partner's staged rows (`join`) whichever half arrives first, or both
 * at once.
 */
export interface Pairing {
  /** Staging name of this half, and of the partner's. */
  readonly self: string;
  readonly partner: string;
  /** The partner report, for messages: `item report (宝贝报表)`. */
  readonly partnerTitle: string;
  /** Maps one order's rows from this half and from the partner to order lines. */
  join(
    orderId: string,
    own: readonly Record<string, string>[],
    partner: readonly Record<string, string>[],
    ctx: FormatContext,
    sink: OrderLineSink,
  ): void;
}

/** What ingest says of the orders of a paired half whose partner has not arrived. */
export const waitingForPartner = (pairing: Pairing, orders: number): string =>
  `${orders} order(s) wait for their ${pairing.partnerTitle}; their lines land when it is ingested`;

export interface FormatContext {
  /** Shop time zone, for timestamps the export gives without an offset. */
  readonly timeZone: string;
  /** Currency of exports that name none. */
  readonly currency: string;
  /** Currency the models report in (what exchange rates convert into). */
  readonly reportingCurrency: string;
  /** When the export was made: the snapshot time of a stock report that carries none. */
  readonly exportedAt: number;
  /** The day a report without dates covers (`--date`), YYYY-MM-DD. */
  readonly reportDate?: string;
}

/** How a record ended, as the parser saw it (CsvRecord has these flags). */
export interface RecordEnd {
  /** The file ended inside a quoted field: the record swallowed the rest of the file. */
  readonly unterminated?: true;
  /** The file ended in this record with no line break: its last field may be cut short. */
  readonly unfinished?: true;
}

export interface OrderRowMapper {
  /**
   * Maps one record (its fields in header order). `end`: how the record ended; only a mapper that
   * groups rows (`groupsRows`) is handed unterminated records, to reject their whole order.
   */
  row(fields: readonly string[], line: number, sink: OrderLineSink, end?: RecordEnd): void;
  /** Called at end of file, for formats that group rows into orders. */
  finish(sink: OrderLineSink): void;
  /** True for the grouped-order rule (grouped-orders.ts): it takes damaged records itself. */
  readonly groupsRows?: boolean;
}

/** A record the file ended inside of: rejected whole, never mapped. */
export const unterminatedProblem = (fields: readonly string[], line: number): RowRejection => ({
  line,
  column: '*',
  reason: 'file ends inside a quoted field',
  record: fields,
});

/**
 * Hands one parsed record to a mapper, as every reader does (ingest, its worker, the test harness):
 * a record the file ended inside of is rejected alone unless the mapper groups rows into orders, in
 * which case it takes its order down with it.
 */
export function feedRecord<S extends { reject(r: RowRejection): void }>(
  mapper: {
    row(fields: readonly string[], line: number, sink: S, end?: RecordEnd): void;
    readonly groupsRows?: boolean;
  },
  rec: { fields: string[]; line: number } & RecordEnd,
  sink: S,
): void {
  if (rec.unterminated && !mapper.groupsRows) {
    sink.reject(unterminatedProblem(rec.fields, rec.line));
    return;
  }
  mapper.row(rec.fields, rec.line, sink, rec);
}

interface FormatBase {
  /** The `--source` flag value. */
  readonly name: string;
  /** The `source=` partition value and the namespace of customer ids (Taobao's two reports share one). */
  readonly source: string;
  readonly title: string;
  /** Where in the platform the file is downloaded (README, error messages). */
  readonly download: string;
  readonly delimiter: ',' | '\t';
  /** False for flat files that never quote (Amazon): `"` is then an ordinary character. */
  readonly quoting: boolean;
  /** Columns whose presence identifies the format (matched case-insensitively, trimmed). */
  readonly requiredColumns: readonly string[];
  /** Further columns the format reads; detection prefers the format that knows more of a header. */
  readonly optionalColumns?: readonly string[];
  /**
   * Share of a header's columns the format must know to match (generic layouts: a marketplace file
   * that lost a column must not pass as a generic file because it has a `sku`).
   */
  readonly minKnownShare?: number;
  /** Time zone of offset-less timestamps when config names none for this source (China: Asia/Shanghai). */
  readonly defaultTimeZone?: string;
  /**
   * Columns the format cannot read its rows without that detection does not ask for, each by its
   * accepted names (WooCommerce's quantity is `Quantity` or `Quantity (- Refund)`). A file without
   * one is refused whole, naming it, instead of every row going to quarantine.
   */
  readonly neededColumns?: readonly (readonly string[])[];
}

export interface OrdersFormat extends FormatBase {
  readonly table: 'order_lines';
  open(header: readonly string[], ctx: FormatContext, sink: OrderLineSink): OrderRowMapper;
  /** True when every row stands alone (no grouping, no numbering across rows): the file may be read in parts. */
  splittable(header: readonly string[]): boolean;
  /** For one half of a paired export: how it is staged and joined with the other half. */
  readonly pairing?: Pairing;
}

/** A canonical row of a non-order table, keyed by column name (partition values included). */
export type TableRow = Record<string, string | number | null>;

export interface TableRowSink {
  accept(row: TableRow): void;
  reject(rejection: RowRejection): void;
  warn(message: string): void;
}

export interface TableRowMapper {
  row(fields: readonly string[], line: number, sink: TableRowSink, end?: RecordEnd): void;
  finish(sink: TableRowSink): void;
}

/** An export that fills products, inventory, traffic or exchange rates. */
export interface TableFormat extends FormatBase {
  readonly table: 'products' | 'inventory' | 'traffic' | 'fx_rates';
  open(header: readonly string[], ctx: FormatContext, sink: TableRowSink): TableRowMapper;
}

export type ExportFormat = OrdersFormat | TableFormat;

/** Header names are compared trimmed and case-insensitively. */
export const normaliseHeader = (h: string): string => h.trim().toLowerCase();

/** Index of each wanted column in the header, or -1. */
export function columnIndex(header: readonly string[], names: readonly string[]): Map<string, number> {
  const norm = header.map(normaliseHeader);
  return new Map(names.map((n) => [n, norm.indexOf(normaliseHeader(n))]));
}

/** A row's field count does not match the header's: the record cannot be read column by column. */
export function widthProblem(fields: readonly string[], width: number, line: number): RowRejection {
  return {
    line,
    column: '*',
    reason: `row has ${fields.length} fields, the header has ${width}`,
    record: fields,
  };
}

/**
 * Why a mapped line cannot be stored, or undefined: the values every order line must have before it
 * reaches a buffer (finite, in range, the required text present). Mappers check their lines with it
 * (a line that fails rejects its order); the lander asserts it, so a mapper bug fails the file
 * cleanly instead of writing Infinity or a null into a required column.
 */
export function unlandable(m: MappedOrderLine): RowProblemOf | undefined {
  if (!m.order_id) return { column: 'order id', reason: 'empty' };
  if (!m.line_id) return { column: 'line id', reason: 'empty' };
  if (!Number.isFinite(m.order_ts)) return { column: 'order time', reason: 'not a time' };
  const when = lakeTimeReason(m.order_ts);
  if (when) return { column: 'order time', reason: when };
  if (m.paid_ts !== null && !Number.isFinite(m.paid_ts)) return { column: 'paid time', reason: 'not a time' };
  if (!Number.isInteger(m.quantity) || m.quantity < 0 || m.quantity > COUNT_LIMIT)
    return { column: 'quantity', reason: `not a whole number of units in range: ${m.quantity}` };
  for (const [column, v] of [
    ['unit price', m.unit_price],
    ['discount', m.discount],
    ['refund', m.refund_amount],
  ] as const) {
    if (!Number.isFinite(v) || v < 0 || v > AMOUNT_LIMIT)
      return { column, reason: `not an amount from 0 to ${AMOUNT_LIMIT.toExponential()}: ${v}` };
  }
  if (!/^[A-Z]{3}$/.test(m.currency))
    return { column: 'currency', reason: `not a currency code: ${m.currency}` };
  return undefined;
}

/** A column and a reason, as rejections name them. */
export interface RowProblemOf {
  column: string;
  reason: string;
}

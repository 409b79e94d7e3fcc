/**
 * A marketplace export format: how to recognise its header and how to map its rows onto canonical
 * order lines. Formats know the schemas, never the lake: they push rows and rejections into a sink.
 */
import type { OrderStatus } from '../schemas/tables.ts';

/** An order line as a format maps it, before identity and amounts are settled by ingest. */
export interface MappedOrderLine {
  order_id: string;
  line_id: string;
  /** The platform's own buyer reference (id or e-mail); pseudonymised by ingest. Null: no buyer. */
  customer_ref: string | null;
  email: string | null;
  phone: string | null;
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
}

export interface FormatContext {
  /** Shop time zone, for timestamps the export gives without an offset. */
  readonly timeZone: string;
}

export interface OrderRowMapper {
  /** Maps one record (its fields in header order). */
  row(fields: readonly string[], line: number, sink: OrderLineSink): void;
  /** Called at end of file, for formats that group rows into orders. */
  finish(sink: OrderLineSink): void;
}

export interface OrdersFormat {
  /** Source name: the `source=` partition value and the `--source` flag. */
  readonly name: string;
  readonly title: string;
  readonly delimiter: string;
  /** Columns whose presence identifies the format (matched case-insensitively, trimmed). */
  readonly requiredColumns: readonly string[];
  open(header: readonly string[], ctx: FormatContext, sink: OrderLineSink): OrderRowMapper;
  /** True when every row stands alone (no grouping, no numbering across rows): the file may be read in parts. */
  splittable(header: readonly string[]): boolean;
}

/** Header names are compared trimmed and case-insensitively. */
export const normaliseHeader = (h: string): string => h.trim().toLowerCase();

/** Index of each wanted column in the header, or -1. */
export function columnIndex(header: readonly string[], names: readonly string[]): Map<string, number> {
  const norm = header.map(normaliseHeader);
  return new Map(names.map((n) => [n, norm.indexOf(normaliseHeader(n))]));
}

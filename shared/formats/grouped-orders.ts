/**
 * The shape most marketplace order exports share: one row per line item, rows of an order next to
 * each other, order-level fields either repeated on every row (Amazon, JD, TikTok, WooCommerce) or
 * only on the first (Shopify). A format parses a row into its order part and its line part; this
 * mapper groups the rows, takes the order part once (so a repeated total is never counted twice),
 * allocates order-level discounts and refunds to lines by line value, and rejects a whole order
 * when one of its rows is bad: a partial order would misstate the order and its allocations.
 */
import type { OrderStatus } from '../schemas/tables.ts';
import { type MappedOrderLine, type OrderLineSink, type OrderRowMapper, widthProblem } from './format.ts';
import { CellError, roundMoney } from './values.ts';

/** Order-level fields, read once per order. */
export interface OrderHead {
  customerRef: string | null;
  email: string | null;
  phone: string | null;
  status: OrderStatus;
  paidTs: number | null;
  currency: string;
  /** Order-level seller discount, allocated to lines by value. */
  orderDiscount: number;
  /** Order-level refund, allocated to refunded lines by value (to every line when none is marked). */
  orderRefund: number;
  channel: string | null;
  country: string | null;
  warehouse: string | null;
  referralId: string | null;
}

export interface OrderLinePart {
  orderTs: number;
  lineId: string | null;
  sku: string | null;
  productName: string | null;
  category: string | null;
  quantity: number;
  unitPrice: number;
  /** Discount the export gives for this line itself. */
  discount: number;
  refund: number;
  /** A line status that overrides the order's (an item cancelled or refunded within a kept order). */
  status: OrderStatus | null;
}

export interface RowProblem {
  column: string;
  reason: string;
}

export interface ParsedRow {
  orderId: string;
  /** Undefined on a continuation row that carries no order-level fields. */
  head: OrderHead | RowProblem | undefined;
  line: OrderLinePart | RowProblem;
}

const isProblem = (v: unknown): v is RowProblem => typeof v === 'object' && v !== null && 'reason' in v;

/** Splits an order-level amount over lines in proportion to their value; the last line takes the rounding. */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (total === 0 || weights.length === 0) return weights.map(() => 0);
  const sum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w, i) => (sum > 0 ? roundMoney((total * w) / sum) : i === 0 ? total : 0));
  const allocated = shares.slice(0, -1).reduce((a, b) => a + b, 0);
  shares[shares.length - 1] = roundMoney(total - allocated);
  return shares;
}

interface Pending {
  orderId: string;
  head: OrderHead | undefined;
  lines: OrderLinePart[];
  problem: ({ line: number } & RowProblem) | undefined;
  records: { line: number; fields: readonly string[] }[];
}

/**
 * Rejects every row of an order for the problem of one: that row names the column and reason, the
 * others say which row took their order down.
 */
export function rejectOrder(
  sink: Pick<OrderLineSink, 'reject'>,
  orderId: string,
  problem: { line: number } & RowProblem,
  records: readonly { line: number; fields: readonly string[] }[],
): void {
  for (const r of records) {
    const own = r.line === problem.line;
    sink.reject({
      line: r.line,
      column: own ? problem.column : '*',
      reason: own
        ? problem.reason
        : `order ${orderId} rejected: ${problem.column} on line ${problem.line}: ${problem.reason}`,
      record: r.fields,
    });
  }
}

const REFUNDED: ReadonlySet<OrderStatus> = new Set(['refunded', 'partially_refunded']);

export function groupedOrderMapper(
  parse: (fields: readonly string[], line: number) => ParsedRow | ({ orderId: string } & RowProblem),
  width: number,
): OrderRowMapper {
  let current: Pending | undefined;
  // Line numbers continue when an order's rows are not next to each other.
  const linesSoFar = new Map<string, number>();

  const flush = (sink: OrderLineSink) => {
    const order = current;
    current = undefined;
    if (!order) return;
    const problem =
      order.problem ??
      (order.head
        ? undefined
        : {
            line: order.records[0]?.line ?? 0,
            column: '*',
            reason: 'no row of the order has its order fields',
          });
    if (problem) {
      rejectOrder(sink, order.orderId, problem, order.records);
      return;
    }
    const head = order.head!;
    const gross = order.lines.map((l) => l.quantity * l.unitPrice);
    const discounts = allocate(head.orderDiscount, gross);
    const marked = order.lines.map((l) => (l.status && REFUNDED.has(l.status) ? 1 : 0));
    const anyMarked = marked.some((m) => m === 1);
    const refunds = allocate(
      head.orderRefund,
      gross.map((g, i) => (anyMarked ? g * marked[i]! : g)),
    );
    let n = linesSoFar.get(order.orderId) ?? 0;
    order.lines.forEach((l, i) => {
      n++;
      const row: MappedOrderLine = {
        order_id: order.orderId,
        line_id: l.lineId ?? String(n),
        customer_ref: head.customerRef,
        email: head.email,
        phone: head.phone,
        order_ts: l.orderTs,
        paid_ts: head.paidTs,
        status: l.status ?? head.status,
        sku: l.sku,
        product_name: l.productName,
        category: l.category,
        quantity: l.quantity,
        unit_price: l.unitPrice,
        discount: roundMoney(l.discount + (discounts[i] ?? 0)),
        refund_amount: roundMoney(l.refund + (refunds[i] ?? 0)),
        currency: head.currency,
        channel: head.channel,
        country: head.country,
        warehouse: head.warehouse,
        referral_id: head.referralId,
      };
      sink.accept(row);
    });
    linesSoFar.set(order.orderId, n);
  };

  return {
    row(fields, line, sink) {
      // Extra empty fields are allowed: Taobao ends every row with a comma the header lacks.
      if (fields.length < width || fields.slice(width).some((f) => f.trim() !== '')) {
        sink.reject(widthProblem(fields, width, line));
        return;
      }
      let parsed: ParsedRow | ({ orderId: string } & RowProblem);
      try {
        parsed = parse(fields, line);
      } catch (err) {
        if (!(err instanceof CellError)) throw err;
        parsed = { orderId: err.orderId, column: err.column, reason: err.reason };
      }
      if (!parsed.orderId) {
        sink.reject({ line, column: 'order id', reason: 'empty order id', record: fields });
        return;
      }
      if (!current || current.orderId !== parsed.orderId) {
        flush(sink);
        current = { orderId: parsed.orderId, head: undefined, lines: [], problem: undefined, records: [] };
      }
      const order = current;
      order.records.push({ line, fields });
      if (order.problem) return;
      if ('reason' in parsed) {
        order.problem = { line, column: parsed.column, reason: parsed.reason };
        return;
      }
      if (isProblem(parsed.head)) {
        order.problem = { line, ...parsed.head };
        return;
      }
      if (isProblem(parsed.line)) {
        order.problem = { line, ...parsed.line };
        return;
      }
      if (parsed.head && !order.head) order.head = parsed.head;
      order.lines.push(parsed.line);
    },
    finish(sink) {
      flush(sink);
    },
  };
}

/**
 * The shape most marketplace order exports share: one row per line item, rows of an order next to
 * each other, order-level fields either repeated on every row (Amazon, JD, TikTok, WooCommerce) or
 * only on the first (Shopify). A format parses a row into its order part and its line part; this
 * mapper groups the rows, takes the order part once (so a repeated total is never counted twice),
 * allocates order-level discounts and refunds to lines by line value.
 *
 * It is also the one place of the rule for bad rows in a grouped format (`orderGrouper`): a fault of
 * any kind in a row — a bad value, a wrong number of fields, a quote the file ends inside, a row a
 * truncated file cuts short, a line whose values cannot be stored — rejects its whole order, every
 * row of it in quarantine naming the fault. A partial order would misstate the order and its
 * allocations. A row whose order cannot be told (no order id, or a damaged row whose id cell may
 * have moved) takes down the orders on both sides of it, since it may belong to either.
 */
import type { OrderStatus } from '../schemas/tables.ts';
import {
  type MappedOrderLine,
  type OrderLineSink,
  type OrderRowMapper,
  type RecordEnd,
  unlandable,
} from './format.ts';
import type { HeaderMap } from './header-map.ts';
import { CellError, clip, roundMoney } from './values.ts';

/** Order-level fields, read once per order. */
export interface OrderHead {
  customerRef: string | null;
  email: string | null;
  phone: string | null;
  /** The buyer's name, where the export gives one. */
  name?: string | null;
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
  /** Undefined on a continuation row that carries no order-level fields. */
  head: OrderHead | RowProblem | undefined;
  line: OrderLinePart | RowProblem;
}

const isProblem = (v: unknown): v is RowProblem =>
  typeof v === 'object' && v !== null && 'reason' in v && 'column' in v;

/** Splits an order-level amount over lines in proportion to their value; the last line takes the rounding. */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (total === 0 || weights.length === 0) return weights.map(() => 0);
  const sum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w, i) => (sum > 0 ? roundMoney((total * w) / sum) : i === 0 ? total : 0));
  const allocated = shares.slice(0, -1).reduce((a, b) => a + b, 0);
  shares[shares.length - 1] = roundMoney(total - allocated);
  return shares;
}

const REFUNDED: ReadonlySet<OrderStatus> = new Set(['refunded', 'partially_refunded']);

/** A grouped layout read through a HeaderMap: its width, and the order id at `key`. */
export function headerLayout<K extends string>(
  h: HeaderMap<K>,
  key: K,
  more: Partial<Pick<GroupedLayout, 'trailingEmptyField' | 'keyed' | 'orderId'>> = {},
): GroupedLayout {
  return { width: h.width, orderIdColumn: h.column(key), orderId: (f) => h.get(f, key), ...more };
}

/** Where a grouped format's rows say which order they belong to. */
export interface GroupedLayout {
  /** Fields in the header. */
  readonly width: number;
  /**
   * Rows end with one empty field the header lacks (Taobao's item report writes a comma at the end of
   * every data row): each row must have it, so a row that lost a field is not taken for one without.
   */
  readonly trailingEmptyField?: boolean;
  /** The row's order id, cleaned; '' when the cell is empty or missing. */
  orderId(fields: readonly string[]): string;
  /** Index of the order id's column in the header. */
  readonly orderIdColumn: number;
  /**
   * Rows of one order may be anywhere in the file: orders are kept to the end of the file (small
   * reports: Taobao's item report). Otherwise an order ends where the next one starts.
   */
  readonly keyed?: boolean;
}

/** A problem and the line it is on. */
type LineProblem = { line: number } & RowProblem;

interface Group<R> {
  id: string;
  rows: { line: number; value: R }[];
  /** Every record of the order, with its own fault if it has one. */
  records: { line: number; fields: readonly string[]; fault?: RowProblem }[];
  /** The first problem: the order is rejected when set. */
  problem: LineProblem | undefined;
}

/**
 * Rejects every record of an order: a record with a fault of its own names it, the others say which
 * row took their order down.
 */
function rejectGroup<R>(sink: Pick<OrderLineSink, 'reject'>, g: Group<R>, problem: LineProblem): void {
  for (const r of g.records) {
    sink.reject({
      line: r.line,
      column: r.fault ? r.fault.column : '*',
      reason: r.fault
        ? r.fault.reason
        : `order ${clip(g.id)} rejected: ${problem.column} on line ${problem.line}: ${problem.reason}`,
      record: r.fields,
    });
  }
}

/** Why a row's field count is wrong for the layout, or undefined. */
function widthFault(layout: GroupedLayout, fields: readonly string[]): string | undefined {
  const n = fields.length;
  const w = layout.width;
  if (!layout.trailingEmptyField) return n === w ? undefined : `row has ${n} fields, the header has ${w}`;
  if (n === w + 1 && fields[w]!.trim() === '') return undefined;
  return `row has ${n} fields; rows have the header's ${w} and an empty one after them`;
}

/**
 * The grouped-order rule over any row shape `R`: groups records into orders (by `layout`), parses
 * each with `parse` (a problem, or a thrown CellError, is a fault), and hands each order without a
 * fault to `complete`, which lands it whole or returns the problem that rejects it whole (it must
 * not land a part first).
 */
export function orderGrouper<R>(
  layout: GroupedLayout,
  parse: (fields: readonly string[], line: number) => R | RowProblem,
  complete: (
    orderId: string,
    rows: readonly { line: number; value: R }[],
    sink: OrderLineSink,
  ) => LineProblem | undefined,
): OrderRowMapper {
  const groups = new Map<string, Group<R>>();
  /** The group of the previous record, and its id. */
  let previous: Group<R> | undefined;
  /** A record whose order could not be told: the next order that starts is rejected with it. */
  let orphan: LineProblem | undefined;

  const finishGroup = (g: Group<R>, sink: OrderLineSink) => {
    groups.delete(g.id);
    const problem = g.problem ?? complete(g.id, g.rows, sink);
    if (problem) rejectGroup(sink, g, problem);
  };
  const takeDown = (g: Group<R>, problem: LineProblem) => {
    g.problem ??= problem;
  };
  const groupOf = (id: string, sink: OrderLineSink): Group<R> => {
    let g = groups.get(id);
    if (g) return g;
    // Rows of an order are next to each other: an order ends where another one starts.
    if (!layout.keyed) for (const open of groups.values()) finishGroup(open, sink);
    g = { id, rows: [], records: [], problem: undefined };
    groups.set(id, g);
    return g;
  };

  return {
    groupsRows: true,
    row(fields, line, sink, end?: RecordEnd) {
      const structural = end?.unterminated ? 'file ends inside a quoted field' : widthFault(layout, fields);
      let fault: RowProblem | undefined = structural ? { column: '*', reason: structural } : undefined;
      let value: R | undefined;
      if (!fault) {
        try {
          const parsed = parse(fields, line);
          if (isProblem(parsed)) fault = parsed;
          else value = parsed;
        } catch (err) {
          if (!(err instanceof CellError)) throw err;
          fault = { column: err.column, reason: err.reason };
        }
      }
      let id = layout.orderId(fields);
      const record = { line, fields, ...(fault ? { fault } : {}) };
      // The file ends in this record's order id cell: the id may be cut short. It is the previous
      // order's row when that id begins so (rows of an order are next to each other), else its own.
      const idCut = (end?.unterminated || end?.unfinished) && layout.orderIdColumn >= fields.length - 1;
      if (idCut && previous?.id.startsWith(id)) id = previous.id;
      // No id, or a damaged row whose id cell may be another column's value: its order is unknown.
      const unknown = !idCut && (!id || (structural !== undefined && id !== previous?.id));
      if (unknown || !id) {
        const own: RowProblem = fault ?? { column: 'order id', reason: 'empty' };
        const why = !id
          ? 'no order id'
          : `damaged row whose order id cell may hold another column (${own.reason})`;
        if (previous) {
          previous.records.push({ line, fields, fault: own });
          takeDown(previous, { line, column: own.column, reason: `${why}: it may be a row of this order` });
        } else {
          sink.reject({ line, ...own, record: fields });
        }
        orphan = { line, column: '*', reason: `${why}: it may be a row of this order` };
        return;
      }
      const g = groupOf(id, sink);
      if (orphan) {
        // The row of unknown order sat between two rows of this order: it was this order's.
        if (g !== previous) takeDown(g, orphan);
        orphan = undefined;
      }
      previous = g;
      g.records.push(record);
      if (fault) takeDown(g, { line, ...fault });
      else if (!g.problem) g.rows.push({ line, value: value as R });
    },
    finish(sink) {
      for (const g of [...groups.values()]) finishGroup(g, sink);
      groups.clear();
      previous = undefined;
      orphan = undefined;
    },
  };
}

/**
 * The grouped-order rule for formats whose rows parse into an order part and a line part: each
 * order's lines are built (order part taken once, discounts and refunds allocated), checked with
 * `unlandable`, and landed all together or rejected all together.
 */
export function groupedOrderMapper(
  parse: (fields: readonly string[], line: number) => ParsedRow | RowProblem,
  layout: GroupedLayout,
): OrderRowMapper {
  // Line numbers continue when an order's rows are not next to each other.
  const linesSoFar = new Map<string, number>();
  return orderGrouper<{ head: OrderHead | undefined; line: OrderLinePart }>(
    layout,
    (fields, line) => {
      const parsed = parse(fields, line);
      if (isProblem(parsed)) return parsed;
      if (isProblem(parsed.head)) return parsed.head;
      if (isProblem(parsed.line)) return parsed.line;
      return { head: parsed.head, line: parsed.line };
    },
    (orderId, rows, sink) => {
      const head = rows.find((r) => r.value.head)?.value.head;
      if (!head) {
        return { line: rows[0]?.line ?? 0, column: '*', reason: 'no row of the order has its order fields' };
      }
      const lines = rows.map((r) => r.value.line);
      const gross = lines.map((l) => l.quantity * l.unitPrice);
      const discounts = allocate(head.orderDiscount, gross);
      const marked = lines.map((l) => (l.status && REFUNDED.has(l.status) ? 1 : 0));
      const anyMarked = marked.some((m) => m === 1);
      const refunds = allocate(
        head.orderRefund,
        gross.map((g, i) => (anyMarked ? g * marked[i]! : g)),
      );
      let n = linesSoFar.get(orderId) ?? 0;
      const mapped = lines.map((l, i): MappedOrderLine => {
        n++;
        return {
          order_id: orderId,
          line_id: l.lineId ?? String(n),
          customer_ref: head.customerRef,
          email: head.email,
          phone: head.phone,
          name: head.name ?? null,
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
      });
      // Checked before any lands: an order lands whole or not at all.
      for (let i = 0; i < mapped.length; i++) {
        const p = unlandable(mapped[i]!);
        if (p) return { line: rows[i]!.line, ...p };
      }
      for (const m of mapped) sink.accept(m);
      linesSoFar.set(orderId, n);
      return undefined;
    },
  );
}

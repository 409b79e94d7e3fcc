/**
 * Shopify orders export (Admin > Orders > Export, `orders_export_1.csv`). One row per line item;
 * order-level columns (Financial Status, Paid at, Currency, totals, Refunded Amount, addresses) are
 * filled on an order's first row only. Order-level discount and refund are allocated to lines by line
 * value, so summing lines never double-counts. A bad row rejects its whole order: a partial order
 * would misstate both the order and its allocations. Layout: ../shared/marketplace-layouts.md §1.
 */
import type { OrderStatus } from '../schemas/tables.ts';
import {
  columnIndex,
  type FormatContext,
  type MappedOrderLine,
  type OrderLineSink,
  type OrdersFormat,
} from './format.ts';
import { allocate, rejectOrder } from './grouped-orders.ts';
import { clip, isBad, parseCount, parseNonNegative, parseTimestamp } from './values.ts';

const REQUIRED = [
  'Name',
  'Email',
  'Financial Status',
  'Created at',
  'Lineitem quantity',
  'Lineitem name',
  'Lineitem price',
  'Lineitem sku',
] as const;
const OPTIONAL = [
  'Paid at',
  'Fulfillment Status',
  'Currency',
  'Discount Amount',
  'Cancelled at',
  'Refunded Amount',
  'Source',
  'Location',
  'Shipping Country',
  'Billing Country',
  'Phone',
  'Billing Phone',
  'Shipping Phone',
] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

interface OrderHead {
  name: string;
  email: string | null;
  phone: string | null;
  status: OrderStatus;
  paidTs: number | null;
  currency: string;
  discount: number;
  refund: number;
  channel: string | null;
  warehouse: string | null;
  country: string | null;
}

interface PendingLine {
  line: number;
  fields: readonly string[];
  orderTs: number;
  quantity: number;
  price: number;
  sku: string | null;
  productName: string | null;
}

interface PendingOrder {
  name: string;
  head: OrderHead | undefined;
  lines: PendingLine[];
  /** First problem found in the order; the whole order is rejected when set. */
  problem: { line: number; column: string; reason: string } | undefined;
  records: { line: number; fields: readonly string[] }[];
}

/** Shopify's financial status, with Cancelled at and fulfilment, onto the canonical status. */
function canonicalStatus(
  financial: string,
  fulfillment: string,
  cancelled: boolean,
): OrderStatus | undefined {
  if (cancelled) return 'cancelled';
  switch (financial) {
    case 'paid':
      return fulfillment === 'fulfilled' ? 'shipped' : 'paid';
    case 'partially_refunded':
      return 'partially_refunded';
    case 'refunded':
      return 'refunded';
    case 'pending':
    case 'authorized':
    case 'partially_paid':
      return 'pending';
    case 'voided':
    case 'expired':
      return 'cancelled';
    default:
      return undefined;
  }
}

export const shopifyOrders: OrdersFormat = {
  table: 'order_lines',
  name: 'shopify',
  source: 'shopify',
  title: 'Shopify orders export',
  download: 'Shopify admin > Orders > Export > All orders, CSV for Excel or plain CSV',
  delimiter: ',',
  quoting: true,
  requiredColumns: REQUIRED,
  // An order's rows belong together (order-level fields on its first row only).
  splittable: () => false,
  open(header, ctx: FormatContext, _sink) {
    const idx = columnIndex(header, [...REQUIRED, ...OPTIONAL]);
    const pos = (c: Column) => idx.get(c) ?? -1;
    const width = header.length;
    const cols = Object.fromEntries([...REQUIRED, ...OPTIONAL].map((c) => [c, pos(c)])) as Record<
      Column,
      number
    >;
    let current: PendingOrder | undefined;

    const flush = (sink: OrderLineSink) => {
      const order = current;
      current = undefined;
      if (!order) return;
      if (order.problem || !order.head) {
        const p = order.problem ?? {
          line: order.records[0]?.line ?? 0,
          column: 'Financial Status',
          reason: 'missing',
        };
        rejectOrder(sink, order.name, p, order.records);
        return;
      }
      const head = order.head;
      const gross = order.lines.map((l) => l.quantity * l.price);
      const discounts = allocate(head.discount, gross);
      const refunds = allocate(head.refund, gross);
      order.lines.forEach((l, i) => {
        const row: MappedOrderLine = {
          order_id: head.name,
          line_id: String(i + 1),
          customer_ref: head.email,
          email: head.email,
          phone: head.phone,
          order_ts: l.orderTs,
          paid_ts: head.paidTs,
          status: head.status,
          sku: l.sku,
          product_name: l.productName,
          category: null,
          quantity: l.quantity,
          unit_price: l.price,
          discount: discounts[i] ?? 0,
          refund_amount: refunds[i] ?? 0,
          currency: head.currency,
          channel: head.channel,
          country: head.country,
          warehouse: head.warehouse,
          referral_id: null,
        };
        sink.accept(row);
      });
    };

    const parseHead = (
      get: (c: Column) => string,
      name: string,
    ): OrderHead | { column: string; reason: string } => {
      const financial = get('Financial Status').toLowerCase();
      const cancelled = get('Cancelled at') !== '';
      const status = canonicalStatus(financial, get('Fulfillment Status').toLowerCase(), cancelled);
      if (!status) {
        return {
          column: 'Financial Status',
          reason: financial
            ? `unknown financial status "${clip(financial)}"`
            : "empty on the order's first row",
        };
      }
      const paidRaw = get('Paid at');
      const paidTs = paidRaw ? parseTimestamp(paidRaw, ctx.timeZone) : null;
      if (isBad(paidTs)) return { column: 'Paid at', reason: paidTs.reason };
      const currency = get('Currency').toUpperCase();
      if (!/^[A-Z]{3}$/.test(currency)) {
        return {
          column: 'Currency',
          reason: currency ? `not an ISO 4217 code: "${clip(currency)}"` : 'empty',
        };
      }
      const amount = (c: Column) => {
        const raw = get(c);
        return raw ? parseNonNegative(raw, 'amount') : 0;
      };
      const discount = amount('Discount Amount');
      if (isBad(discount)) return { column: 'Discount Amount', reason: discount.reason };
      const refund = amount('Refunded Amount');
      if (isBad(refund)) return { column: 'Refunded Amount', reason: refund.reason };
      const email = get('Email').toLowerCase();
      return {
        name,
        email: email || null,
        phone: get('Phone') || get('Billing Phone') || get('Shipping Phone') || null,
        status,
        paidTs,
        currency,
        discount,
        refund,
        channel: get('Source') || null,
        warehouse: get('Location') || null,
        country: get('Shipping Country') || get('Billing Country') || null,
      };
    };

    return {
      row(fields, line, sink) {
        const get = (c: Column): string => {
          const i = cols[c];
          return i < 0 ? '' : (fields[i] ?? '').trim();
        };
        const name = get('Name');
        if (fields.length !== width || !name) {
          // A record we cannot place in an order stands alone.
          const reason = !name
            ? 'empty order name'
            : `row has ${fields.length} fields, the header has ${width}`;
          sink.reject({ line, column: !name ? 'Name' : '*', reason, record: fields });
          return;
        }
        if (!current || current.name !== name) {
          flush(sink);
          current = { name, head: undefined, lines: [], problem: undefined, records: [] };
          const head = parseHead(get, name);
          if ('reason' in head) current.problem = { line, ...head };
          else current.head = head;
        }
        const order = current;
        order.records.push({ line, fields });
        if (order.problem) return;
        const orderTs = parseTimestamp(get('Created at'), ctx.timeZone);
        const quantity = parseCount(get('Lineitem quantity'), 'whole number of units');
        const price = parseNonNegative(get('Lineitem price'), 'price');
        if (isBad(orderTs)) {
          order.problem = { line, column: 'Created at', reason: orderTs.reason };
          return;
        }
        if (isBad(quantity)) {
          order.problem = { line, column: 'Lineitem quantity', reason: quantity.reason };
          return;
        }
        if (isBad(price)) {
          order.problem = { line, column: 'Lineitem price', reason: price.reason };
          return;
        }
        order.lines.push({
          line,
          fields,
          orderTs,
          quantity,
          price,
          sku: get('Lineitem sku') || null,
          productName: get('Lineitem name') || null,
        });
      },
      finish(sink) {
        flush(sink);
      },
    };
  },
};

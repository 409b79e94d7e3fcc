/**
 * The storepulse generic orders CSV (README "Generic orders CSV"): one row per order line, required
 * columns in any order, optional ones may be absent, extra columns are ignored with a warning.
 */
import { ORDER_STATUSES, type OrderStatus } from '../schemas/tables.ts';
import { columnIndex, type MappedOrderLine, normaliseHeader, type OrdersFormat } from './format.ts';
import { clip, isBad, parseCount, parseCurrency, parseNonNegative, parseTimestamp } from './values.ts';

const REQUIRED = [
  'order_id',
  'customer_id',
  'order_ts',
  'sku',
  'quantity',
  'unit_price',
  'currency',
  'status',
] as const;
const OPTIONAL = [
  'line_id',
  'paid_ts',
  'product_name',
  'category',
  'discount',
  'refund_amount',
  'channel',
  'country',
  'warehouse',
  'referral_id',
  'email',
  'phone',
] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

const STATUS_BY_NAME = new Map<string, OrderStatus>(ORDER_STATUSES.map((s) => [s, s]));

export const genericOrders: OrdersFormat = {
  name: 'generic',
  title: 'storepulse generic orders CSV',
  delimiter: ',',
  requiredColumns: REQUIRED,
  open(header, ctx, sink) {
    const idx = columnIndex(header, [...REQUIRED, ...OPTIONAL]) as Map<Column, number>;
    const known = new Set<string>([...REQUIRED, ...OPTIONAL]);
    const extra = header.filter((h) => !known.has(normaliseHeader(h)));
    if (extra.length) sink.warn(`ignored columns not in the generic layout: ${extra.join(', ')}`);
    const at = (c: Column) => idx.get(c) ?? -1;
    const pos = Object.fromEntries([...REQUIRED, ...OPTIONAL].map((c) => [c, at(c)])) as Record<
      Column,
      number
    >;
    const width = header.length;
    const linesPerOrder = new Map<string, number>();

    return {
      row(fields, line, out) {
        const reject = (column: string, reason: string) =>
          out.reject({ line, column, reason, record: fields });
        if (fields.length !== width) {
          return reject('*', `row has ${fields.length} fields, the header has ${width}`);
        }
        const get = (c: Column): string => {
          const i = pos[c];
          return i < 0 ? '' : (fields[i] ?? '').trim();
        };
        const text = (c: Column): string | null => get(c) || null;

        // Position is counted over every record of the order, valid or not, so a line keeps its id
        // when a later export fixes a row that was quarantined.
        const orderId = get('order_id');
        let lineId = get('line_id');
        if (!lineId && orderId) {
          const n = (linesPerOrder.get(orderId) ?? 0) + 1;
          linesPerOrder.set(orderId, n);
          lineId = String(n);
        }
        for (const c of REQUIRED) {
          if (get(c) === '') return reject(c, 'required value is empty');
        }
        const orderTs = parseTimestamp(get('order_ts'), ctx.timeZone);
        if (isBad(orderTs)) return reject('order_ts', orderTs.reason);
        const paidRaw = get('paid_ts');
        const paidTs = paidRaw ? parseTimestamp(paidRaw, ctx.timeZone) : null;
        if (isBad(paidTs)) return reject('paid_ts', paidTs.reason);
        const quantity = parseCount(get('quantity'), 'whole number of units');
        if (isBad(quantity)) return reject('quantity', quantity.reason);
        const unitPrice = parseNonNegative(get('unit_price'), 'price');
        if (isBad(unitPrice)) return reject('unit_price', unitPrice.reason);
        const discountRaw = get('discount');
        const discount = discountRaw ? parseNonNegative(discountRaw, 'amount') : 0;
        if (isBad(discount)) return reject('discount', discount.reason);
        const refundRaw = get('refund_amount');
        const refund = refundRaw ? parseNonNegative(refundRaw, 'amount') : 0;
        if (isBad(refund)) return reject('refund_amount', refund.reason);
        const currency = parseCurrency(get('currency'));
        if (isBad(currency)) return reject('currency', currency.reason);
        const status = STATUS_BY_NAME.get(get('status').toLowerCase());
        if (!status) {
          return reject(
            'status',
            `unknown status "${clip(get('status'))}" (expected one of ${ORDER_STATUSES.join(', ')})`,
          );
        }
        const mapped: MappedOrderLine = {
          order_id: orderId,
          line_id: lineId,
          customer_ref: get('customer_id'),
          email: text('email'),
          phone: text('phone'),
          order_ts: orderTs,
          paid_ts: paidTs,
          status,
          sku: text('sku'),
          product_name: text('product_name'),
          category: text('category'),
          quantity,
          unit_price: unitPrice,
          discount,
          refund_amount: refund,
          currency,
          channel: text('channel'),
          country: text('country'),
          warehouse: text('warehouse'),
          referral_id: text('referral_id'),
        };
        out.accept(mapped);
      },
      finish() {},
    };
  },
};

/**
 * The storepulse generic orders CSV (README "Generic orders CSV"): one row per order line, required
 * columns in any order, optional ones may be absent, extra columns are ignored with a warning.
 */
import { ORDER_STATUSES, type OrderStatus } from '../schemas/tables.ts';
import { columnIndex, normaliseHeader, type OrdersFormat } from './format.ts';
import {
  clip,
  isBad,
  lakeTimeReason,
  parseCount,
  parseCurrency,
  parseNonNegative,
  parseTimestamp,
} from './values.ts';

export const GENERIC_REQUIRED = [
  'order_id',
  'customer_id',
  'order_ts',
  'sku',
  'quantity',
  'unit_price',
  'currency',
  'status',
] as const;
export const GENERIC_OPTIONAL = [
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
type Column = (typeof GENERIC_REQUIRED)[number] | (typeof GENERIC_OPTIONAL)[number];
const REQUIRED = GENERIC_REQUIRED;
const OPTIONAL = GENERIC_OPTIONAL;

const STATUS_BY_NAME = new Map<string, OrderStatus>(ORDER_STATUSES.map((s) => [s, s]));

/** A trimmed field, '' when the column is absent. */
const field = (fields: readonly string[], i: number): string => (i < 0 ? '' : (fields[i] ?? '').trim());
const text = (fields: readonly string[], i: number): string | null => field(fields, i) || null;

export const genericOrders: OrdersFormat = {
  table: 'order_lines',
  name: 'generic',
  source: 'generic',
  title: 'storepulse generic orders CSV',
  download: 'written by you, a POS or an ERP in this layout (README "Generic orders CSV")',
  delimiter: ',',
  quoting: true,
  requiredColumns: REQUIRED,
  optionalColumns: OPTIONAL,
  // With a line_id column rows stand alone; without one, lines are numbered by position in the order.
  splittable: (header) => header.some((h) => normaliseHeader(h) === 'line_id'),
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
    const required = REQUIRED.map((c) => [c, pos[c]] as const);

    return {
      // Written without per-row closures: this runs once per order line of every generic file.
      row(fields, line, out) {
        if (fields.length !== width) {
          out.reject({
            line,
            column: '*',
            reason: `row has ${fields.length} fields, the header has ${width}`,
            record: fields,
          });
          return;
        }
        // Position is counted over every record of the order, valid or not, so a line keeps its id
        // when a later export fixes a row that was quarantined.
        const orderId = field(fields, pos.order_id);
        let lineId = field(fields, pos.line_id);
        if (!lineId && orderId) {
          const n = (linesPerOrder.get(orderId) ?? 0) + 1;
          linesPerOrder.set(orderId, n);
          lineId = String(n);
        }
        let problem: string | undefined;
        let column = '';
        for (const [c, i] of required) {
          if (field(fields, i) === '') {
            column = c;
            problem = 'required value is empty';
            break;
          }
        }
        const orderTs = problem ? 0 : parseTimestamp(field(fields, pos.order_ts), ctx.timeZone);
        const paidRaw = field(fields, pos.paid_ts);
        const paidTs = paidRaw ? parseTimestamp(paidRaw, ctx.timeZone) : null;
        const quantity = parseCount(field(fields, pos.quantity), 'whole number of units');
        const unitPrice = parseNonNegative(field(fields, pos.unit_price), 'price');
        const discountRaw = field(fields, pos.discount);
        const discount = discountRaw ? parseNonNegative(discountRaw, 'amount') : 0;
        const refundRaw = field(fields, pos.refund_amount);
        const refund = refundRaw ? parseNonNegative(refundRaw, 'amount') : 0;
        const currency = parseCurrency(field(fields, pos.currency));
        const statusRaw = field(fields, pos.status);
        const status = STATUS_BY_NAME.get(statusRaw.toLowerCase());
        const when = isBad(orderTs) ? undefined : lakeTimeReason(orderTs);
        if (problem === undefined) {
          if (isBad(orderTs)) [column, problem] = ['order_ts', orderTs.reason];
          else if (when) [column, problem] = ['order_ts', when];
          else if (isBad(paidTs)) [column, problem] = ['paid_ts', paidTs.reason];
          else if (isBad(quantity)) [column, problem] = ['quantity', quantity.reason];
          else if (isBad(unitPrice)) [column, problem] = ['unit_price', unitPrice.reason];
          else if (isBad(discount)) [column, problem] = ['discount', discount.reason];
          else if (isBad(refund)) [column, problem] = ['refund_amount', refund.reason];
          else if (isBad(currency)) [column, problem] = ['currency', currency.reason];
          else if (!status) {
            column = 'status';
            problem = `unknown status "${clip(statusRaw)}" (expected one of ${ORDER_STATUSES.join(', ')})`;
          }
        }
        // The first problem, in column order, is the one reported; the test below repeats the checks
        // only so that TypeScript narrows the parsed values for the accept call.
        if (
          problem !== undefined ||
          isBad(orderTs) ||
          isBad(paidTs) ||
          isBad(quantity) ||
          isBad(unitPrice) ||
          isBad(discount) ||
          isBad(refund) ||
          isBad(currency) ||
          !status
        ) {
          out.reject({ line, column, reason: problem ?? 'invalid', record: fields });
          return;
        }
        out.accept({
          order_id: orderId,
          line_id: lineId,
          customer_ref: field(fields, pos.customer_id),
          email: text(fields, pos.email),
          phone: text(fields, pos.phone),
          order_ts: orderTs,
          paid_ts: paidTs,
          status,
          sku: text(fields, pos.sku),
          product_name: text(fields, pos.product_name),
          category: text(fields, pos.category),
          quantity,
          unit_price: unitPrice,
          discount,
          refund_amount: refund,
          currency,
          channel: text(fields, pos.channel),
          country: text(fields, pos.country),
          warehouse: text(fields, pos.warehouse),
          referral_id: text(fields, pos.referral_id),
        });
      },
      finish() {},
    };
  },
};

/**
 * TikTok Shop Seller Center order export (Orders > Manage orders > Export, CSV): UTF-8 with BOM, one
 * row per SKU, ids and times padded with a TAB. SKU-level prices and discounts are per line; the
 * order's refund (Order Refund Amount, repeated on every SKU row) is allocated to the returned lines.
 * Only the seller's discount is the shop's. No currency column: the shop currency from config.
 * Dates are day-first (`31/01/2026 18:00:00`) except in US files, which write a 12-hour clock
 * month-first (`01/31/2026 06:00:00 PM`): the clock tells which. Layout: marketplace-layouts.md §7.
 */
import type { OrderStatus } from '../../schemas/tables.ts';
import type { OrdersFormat } from '../format.ts';
import { groupedOrderMapper, headerLayout } from '../grouped-orders.ts';
import { HeaderMap } from '../header-map.ts';
import {
  type Bad,
  clip,
  must,
  optional,
  parseCount,
  parseDateTime,
  parseMoneyNonNegative,
} from '../values.ts';

const COLUMNS = {
  orderId: ['Order ID'],
  status: ['Order Status'],
  substatus: ['Order Substatus'],
  cancelType: ['Cancelation/Return Type', 'Cancellation/Return Type'],
  skuId: ['SKU ID'],
  sellerSku: ['Seller SKU'],
  product: ['Product Name'],
  quantity: ['Quantity'],
  returned: ['Sku Quantity of return'],
  unitPrice: ['SKU Unit Original Price'],
  sellerDiscount: ['SKU Seller Discount'],
  refund: ['Order Refund Amount'],
  created: ['Created Time'],
  paid: ['Paid Time'],
  warehouse: ['Warehouse Name'],
  buyer: ['Buyer Username'],
  phone: ['Phone #'],
  country: ['Country'],
  category: ['Product Category'],
  fulfillment: ['Fulfillment Type'],
} as const;

const STATUS: Record<string, OrderStatus> = {
  unpaid: 'pending',
  'on hold': 'pending',
  'awaiting shipment': 'paid',
  'awaiting collection': 'paid',
  'to ship': 'paid',
  'ready to ship': 'paid',
  shipped: 'shipped',
  'in transit': 'shipped',
  delivered: 'completed',
  completed: 'completed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

const dayOrder = (s: string) => (/[ap]\.?m\.?$/i.test(s) ? 'mdy' : 'dmy');

export const tiktokOrders: OrdersFormat = {
  table: 'order_lines',
  name: 'tiktok',
  source: 'tiktok',
  title: 'TikTok Shop orders export',
  download: 'TikTok Shop Seller Center > Orders > Manage orders > Export > CSV',
  delimiter: ',',
  quoting: true,
  requiredColumns: [
    'Order ID',
    'Order Status',
    'SKU ID',
    'Quantity',
    'SKU Unit Original Price',
    'Created Time',
  ],
  splittable: () => false,
  open(header, ctx) {
    const h = new HeaderMap(header, COLUMNS);
    const time = (s: string) => parseDateTime(s, ctx.timeZone, dayOrder(s));
    return groupedOrderMapper(
      (fields) => {
        const orderId = h.get(fields, 'orderId');
        const m = <T>(v: T | Bad, c: string) => must(v, c, orderId);
        const statusRaw = h.get(fields, 'status');
        let status = STATUS[statusRaw.toLowerCase()];
        if (!status) return { column: 'Order Status', reason: `unknown order status "${clip(statusRaw)}"` };
        const returnType = h.get(fields, 'cancelType').toLowerCase();
        const returned =
          m(
            optional(h.get(fields, 'returned'), (s) => parseCount(s)),
            'Sku Quantity of return',
          ) ?? 0;
        const quantity = m(parseCount(h.get(fields, 'quantity'), 'whole number of units'), 'Quantity');
        if (status === 'cancelled' && returnType.includes('refund')) status = 'refunded';
        let lineStatus: OrderStatus | null = null;
        if (returned > 0 && status !== 'cancelled') {
          lineStatus = returned >= quantity ? 'refunded' : 'partially_refunded';
        }
        const buyer = h.get(fields, 'buyer');
        return {
          head: {
            customerRef: buyer || null,
            email: null,
            phone: h.get(fields, 'phone') || null,
            status,
            paidTs: m(optional(h.get(fields, 'paid'), time), 'Paid Time'),
            currency: ctx.currency,
            orderDiscount: 0,
            orderRefund:
              m(
                optional(h.get(fields, 'refund'), (s) => parseMoneyNonNegative(s)),
                'Order Refund Amount',
              ) ?? 0,
            channel: 'tiktok',
            country: h.get(fields, 'country') || null,
            warehouse: h.get(fields, 'warehouse') || null,
            referralId: null,
          },
          line: {
            orderTs: m(time(h.get(fields, 'created')), 'Created Time'),
            lineId: null,
            sku: h.get(fields, 'sellerSku') || h.get(fields, 'skuId') || null,
            productName: h.get(fields, 'product') || null,
            category: h.get(fields, 'category') || null,
            quantity,
            unitPrice: m(
              parseMoneyNonNegative(h.get(fields, 'unitPrice'), 'price'),
              'SKU Unit Original Price',
            ),
            discount:
              m(
                optional(h.get(fields, 'sellerDiscount'), (s) => parseMoneyNonNegative(s)),
                'SKU Seller Discount',
              ) ?? 0,
            refund: 0,
            status: lineStatus,
          },
        };
      },
      headerLayout(h, 'orderId'),
    );
  },
};

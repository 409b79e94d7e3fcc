/**
 * Amazon Seller Central "All Orders" report (Reports > Fulfillment > All Orders, or the SP-API flat
 * file GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL): tab-separated, never quoted, one row per
 * order item with order fields repeated. Item price and promotion discounts are line totals. Amazon
 * gives no buyer identifier, so customer_id stays null: these lines feed the product models only.
 * Layout: ../shared/marketplace-layouts.md §2.
 */
import type { OrderStatus } from '../../schemas/tables.ts';
import type { OrdersFormat } from '../format.ts';
import { groupedOrderMapper, headerLayout } from '../grouped-orders.ts';
import { HeaderMap } from '../header-map.ts';
import { type Bad, clip, must, parseCount, parseCurrency, parseDateTime, parseMoney } from '../values.ts';

const COLUMNS = {
  orderId: ['amazon-order-id'],
  purchaseDate: ['purchase-date'],
  orderStatus: ['order-status'],
  fulfillment: ['fulfillment-channel'],
  salesChannel: ['sales-channel'],
  productName: ['product-name'],
  sku: ['sku'],
  itemStatus: ['item-status'],
  quantity: ['quantity'],
  currency: ['currency'],
  itemPrice: ['item-price'],
  itemDiscount: ['item-promotion-discount'],
  country: ['ship-country'],
} as const;

/** Order status words, including Amazon.in's "Shipped - …" detail states. */
function orderStatus(raw: string): OrderStatus | undefined {
  const s = raw.toLowerCase();
  if (s === 'cancelled' || s === 'canceled') return 'cancelled';
  if (s.startsWith('pending')) return 'pending';
  if (s === 'unshipped' || s === 'partiallyshipped') return 'paid';
  if (/returned|returning|rejected|lost in transit|damaged/.test(s)) return 'refunded';
  if (s === 'shipped - delivered to buyer') return 'completed';
  if (s.startsWith('shipped') || s === 'shipping') return 'shipped';
  return undefined;
}

export const amazonOrders: OrdersFormat = {
  table: 'order_lines',
  name: 'amazon',
  source: 'amazon',
  title: 'Amazon All Orders report',
  download: 'Seller Central > Reports > Fulfillment > All Orders (or Order Reports) > Download (.txt)',
  delimiter: '\t',
  quoting: false,
  requiredColumns: ['amazon-order-id', 'purchase-date', 'order-status', 'sku', 'quantity', 'item-price'],
  splittable: () => false,
  open(header, ctx) {
    const h = new HeaderMap(header, COLUMNS);
    return groupedOrderMapper(
      (fields) => {
        const orderId = h.get(fields, 'orderId');
        const m = <T>(v: T | Bad, c: string) => must(v, c, orderId);
        const statusRaw = h.get(fields, 'orderStatus');
        const status = orderStatus(statusRaw);
        if (!status) return { column: 'order-status', reason: `unknown order status "${clip(statusRaw)}"` };
        const itemCancelled = h.get(fields, 'itemStatus').toLowerCase() === 'cancelled';
        const quantity = m(parseCount(h.get(fields, 'quantity'), 'whole number of units'), 'quantity');
        // Empty money cells are common on pending and cancelled rows.
        const price = Math.abs(m(parseMoney(h.get(fields, 'itemPrice') || '0', 'price'), 'item-price'));
        const discount = Math.abs(
          m(parseMoney(h.get(fields, 'itemDiscount') || '0', 'amount'), 'item-promotion-discount'),
        );
        const lineStatus: OrderStatus = itemCancelled ? 'cancelled' : status;
        return {
          head: {
            customerRef: null,
            email: null,
            phone: null,
            status,
            paidTs: null,
            currency: m(parseCurrency(h.get(fields, 'currency') || ctx.currency), 'currency'),
            orderDiscount: 0,
            orderRefund: 0,
            channel: h.get(fields, 'salesChannel') || null,
            country: h.get(fields, 'country') || null,
            warehouse: h.get(fields, 'fulfillment') || null,
            referralId: null,
          },
          line: {
            orderTs: m(parseDateTime(h.get(fields, 'purchaseDate'), ctx.timeZone), 'purchase-date'),
            lineId: null,
            sku: h.get(fields, 'sku') || null,
            productName: h.get(fields, 'productName') || null,
            category: null,
            quantity,
            unitPrice: quantity > 0 ? price / quantity : price,
            discount,
            // A returned or lost item is refunded in full (refund amounts live in Amazon's returns report).
            refund: lineStatus === 'refunded' ? Math.max(0, price - discount) : 0,
            status: lineStatus,
          },
        };
      },
      headerLayout(h, 'orderId'),
    );
  },
};

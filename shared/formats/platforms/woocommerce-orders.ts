/**
 * WooCommerce orders as the common "Advanced Order Export For WooCommerce" plugin writes them with
 * its default columns: one row per product, order columns repeated on every product row (or left
 * blank on continuation rows, an older default). Item Cost is the line total after coupons divided
 * by quantity, so coupons are already out of the price; the order's refund is allocated by line
 * value unless the quantity column is already net of refunds. Status labels follow the site language (English, Spanish, Portuguese, German, French and
 * Chinese are known). No currency column by default: the shop currency from config.
 * Layout: ../shared/marketplace-layouts.md §8.
 */
import type { OrderStatus } from '../../schemas/tables.ts';
import type { OrdersFormat } from '../format.ts';
import { groupedOrderMapper, headerLayout, type OrderHead } from '../grouped-orders.ts';
import { HeaderMap } from '../header-map.ts';
import {
  type Bad,
  bad,
  clip,
  must,
  optional,
  parseCount,
  parseCurrency,
  parseDateTime,
  parseMoneyNonNegative,
} from '../values.ts';

const COLUMNS = {
  orderId: ['Order Number', 'Order ID'],
  status: ['Order Status'],
  date: ['Order Date'],
  paidDate: ['Paid Date', 'Date Paid'],
  email: ['Email (Billing)', 'Billing Email'],
  phone: ['Phone (Billing)', 'Billing Phone'],
  firstName: ['First Name (Billing)', 'Billing First Name'],
  lastName: ['Last Name (Billing)', 'Billing Last Name'],
  country: ['Country Code (Shipping)', 'Country Code (Billing)'],
  refund: ['Order Refund Amount'],
  currency: ['Currency', 'Order Currency'],
  sku: ['SKU'],
  itemNo: ['Item #'],
  name: ['Item Name'],
  netQuantity: ['Quantity (- Refund)'],
  quantity: ['Quantity'],
  itemCost: ['Item Cost'],
  category: ['Category', 'Product Categories'],
} as const;

const STATUS: Record<string, OrderStatus> = {};
const LABELS: [OrderStatus, string[]][] = [
  ['completed', ['completed', 'completado', 'completo', 'concluído', 'abgeschlossen', 'terminée', '已完成']],
  ['paid', ['processing', 'procesando', 'processando', 'in bearbeitung', 'en cours', '处理中']],
  [
    'pending',
    [
      'on hold',
      'on-hold',
      'en espera',
      'aguardando',
      'wartend',
      'en attente',
      '保留',
      'pending payment',
      'pendiente de pago',
      'pagamento pendente',
      'zahlung ausstehend',
      'attente paiement',
      '等待付款',
    ],
  ],
  [
    'cancelled',
    [
      'cancelled',
      'canceled',
      'cancelado',
      'storniert',
      'annulée',
      '已取消',
      'failed',
      'fallido',
      'malsucedido',
      'fehlgeschlagen',
      'échouée',
      '失败',
    ],
  ],
  ['refunded', ['refunded', 'reembolsado', 'rückerstattet', 'remboursée', '已退款']],
];
for (const [status, labels] of LABELS) for (const l of labels) STATUS[l] = status;

export const woocommerceOrders: OrdersFormat = {
  table: 'order_lines',
  name: 'woocommerce',
  source: 'woocommerce',
  title: 'WooCommerce orders (Advanced Order Export plugin)',
  download: 'WordPress admin > WooCommerce > Export Orders (Advanced Order Export For WooCommerce) > Export',
  delimiter: ',',
  quoting: true,
  requiredColumns: ['Order Number', 'Order Status', 'Order Date', 'Item Name', 'Item Cost'],
  neededColumns: [[...COLUMNS.netQuantity, ...COLUMNS.quantity]],
  splittable: () => false,
  open(header, ctx) {
    const h = new HeaderMap(header, COLUMNS);
    // `Quantity (- Refund)` already leaves refunded units out; allocating the order's refund again
    // would count it twice. Only with the plain `Quantity` column is the refund taken from the lines.
    const net = h.has('netQuantity');
    const qtyKey = net ? 'netQuantity' : 'quantity';
    // Continuation rows of the older layout leave the order columns blank: the date is the one of
    // the order's earlier row, never another order's.
    let lastDate = { orderId: '', date: '' };
    return groupedOrderMapper(
      (fields) => {
        const orderId = h.get(fields, 'orderId');
        const m = <T>(v: T | Bad, c: string) => must(v, c, orderId);
        const statusRaw = h.get(fields, 'status');
        const dateRaw = h.get(fields, 'date') || (lastDate.orderId === orderId ? lastDate.date : '');
        lastDate = { orderId, date: dateRaw };
        let head: OrderHead | undefined;
        if (statusRaw) {
          const status = STATUS[statusRaw.toLowerCase()];
          if (!status) return { column: 'Order Status', reason: `unknown order status "${clip(statusRaw)}"` };
          const email = h.get(fields, 'email').toLowerCase();
          head = {
            customerRef: email || null,
            email: email || null,
            phone: h.get(fields, 'phone') || null,
            name: [h.get(fields, 'firstName'), h.get(fields, 'lastName')].filter(Boolean).join(' ') || null,
            status,
            paidTs: m(
              optional(h.get(fields, 'paidDate'), (s) => parseDateTime(s, ctx.timeZone)),
              'Paid Date',
            ),
            currency: m(parseCurrency(h.get(fields, 'currency') || ctx.currency), 'Currency'),
            orderDiscount: 0,
            orderRefund: net
              ? 0
              : (m(
                  optional(h.get(fields, 'refund'), (s) => parseMoneyNonNegative(s)),
                  'Order Refund Amount',
                ) ?? 0),
            channel: 'web',
            country: h.get(fields, 'country') || null,
            warehouse: null,
            referralId: null,
          };
        }
        return {
          head,
          line: {
            orderTs: m(dateRaw ? parseDateTime(dateRaw, ctx.timeZone) : bad('empty'), 'Order Date'),
            lineId: null,
            sku: h.get(fields, 'sku') || null,
            productName: h.get(fields, 'name') || null,
            category: h.get(fields, 'category') || null,
            quantity: m(parseCount(h.get(fields, qtyKey), 'whole number of units'), h.name(header, qtyKey)),
            unitPrice: m(parseMoneyNonNegative(h.get(fields, 'itemCost'), 'price'), 'Item Cost'),
            discount: 0,
            refund: 0,
            status: null,
          },
        };
      },
      headerLayout(h, 'orderId'),
    );
  },
};

/**
 * Shopify orders export (Admin > Orders > Export, `orders_export_1.csv`). One row per line item;
 * order-level columns (Financial Status, Paid at, Currency, totals, Refunded Amount, addresses) are
 * filled on an order's first row only. Order-level discount and refund are allocated to lines by line
 * value, so summing lines never double-counts. Rows are grouped and checked by the grouped-order rule
 * (grouped-orders.ts): a bad row rejects its whole order. Layout: ../shared/marketplace-layouts.md §1.
 */
import type { OrderStatus } from '../schemas/tables.ts';
import type { FormatContext, OrdersFormat } from './format.ts';
import { groupedOrderMapper, headerLayout, type OrderHead } from './grouped-orders.ts';
import { HeaderMap } from './header-map.ts';
import {
  bad,
  clip,
  must,
  optional,
  parseCount,
  parseCurrency,
  parseMoneyNonNegative,
  parseTimestamp,
} from './values.ts';

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

const COLUMNS = {
  name: ['Name'],
  email: ['Email'],
  billingName: ['Billing Name'],
  shippingName: ['Shipping Name'],
  financial: ['Financial Status'],
  created: ['Created at'],
  quantity: ['Lineitem quantity'],
  lineName: ['Lineitem name'],
  price: ['Lineitem price'],
  sku: ['Lineitem sku'],
  paid: ['Paid at'],
  fulfillment: ['Fulfillment Status'],
  currency: ['Currency'],
  discount: ['Discount Amount'],
  cancelled: ['Cancelled at'],
  refunded: ['Refunded Amount'],
  source: ['Source'],
  location: ['Location'],
  shippingCountry: ['Shipping Country'],
  billingCountry: ['Billing Country'],
  phone: ['Phone'],
  billingPhone: ['Billing Phone'],
  shippingPhone: ['Shipping Phone'],
} as const;

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
  optionalColumns: Object.values(COLUMNS)
    .flat()
    .filter((c) => !(REQUIRED as readonly string[]).includes(c)),
  // An order's rows belong together (order-level fields on its first row only).
  splittable: () => false,
  open(header, ctx: FormatContext, sink) {
    const h = new HeaderMap(header, COLUMNS);
    // Every Shopify export has a Currency column; a file that lost it is read in the shop currency.
    const hasCurrency = h.has('currency');
    if (!hasCurrency) {
      sink.warn(
        `no Currency column: amounts are read in the shop currency ${ctx.currency} (STOREPULSE_SHOP_CURRENCY)`,
      );
    }
    const time = (s: string) => parseTimestamp(s, ctx.timeZone);
    const money = (s: string) => parseMoneyNonNegative(s);
    return groupedOrderMapper(
      (fields) => {
        const get = (k: keyof typeof COLUMNS) => h.get(fields, k);
        const line = {
          orderTs: must(time(get('created')), 'Created at'),
          lineId: null,
          sku: get('sku') || null,
          productName: get('lineName') || null,
          category: null,
          quantity: must(parseCount(get('quantity'), 'whole number of units'), 'Lineitem quantity'),
          unitPrice: must(parseMoneyNonNegative(get('price'), 'price'), 'Lineitem price'),
          discount: 0,
          refund: 0,
          status: null,
        };
        // Order-level fields are on the order's first row only; continuation rows leave them empty.
        const financial = get('financial').toLowerCase();
        if (!financial) return { head: undefined, line };
        const status = canonicalStatus(financial, get('fulfillment').toLowerCase(), get('cancelled') !== '');
        if (!status)
          return { column: 'Financial Status', reason: `unknown financial status "${clip(financial)}"` };
        const email = get('email').toLowerCase();
        const currencyRaw = hasCurrency ? get('currency') : ctx.currency;
        const head: OrderHead = {
          customerRef: email || null,
          email: email || null,
          phone: get('phone') || get('billingPhone') || get('shippingPhone') || null,
          name: get('billingName') || get('shippingName') || null,
          status,
          paidTs: must(optional(get('paid'), time), 'Paid at'),
          currency: currencyRaw
            ? must(parseCurrency(currencyRaw), 'Currency')
            : must<string>(bad("empty on the order's first row"), 'Currency'),
          orderDiscount: must(optional(get('discount'), money), 'Discount Amount') ?? 0,
          orderRefund: must(optional(get('refunded'), money), 'Refunded Amount') ?? 0,
          channel: get('source') || null,
          country: get('shippingCountry') || get('billingCountry') || null,
          warehouse: get('location') || null,
          referralId: null,
        };
        return { head, line };
      },
      headerLayout(h, 'name'),
    );
  },
};

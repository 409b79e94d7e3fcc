/**
 * eBay Seller Hub orders report (Orders > Download report, CSV): one row per sold item with the
 * buyer on every row, money written with its symbol (`$45.99`, `£12.00`, `AU $9.95`), dates like
 * `Jul-21-25`. eBay adds lines that are not records: a blank line or `sep=,` before the header and
 * `N record(s) downloaded` / `Seller ID : …` after the data; those are skipped, not quarantined.
 * The report has no status column: a shipped date means shipped, a paid date paid, else pending.
 * Layout: ../shared/marketplace-layouts.md §9 (multi-item cart rows not confirmed from a real file).
 */
import type { OrdersFormat } from '../format.ts';
import { groupedOrderMapper, headerLayout } from '../grouped-orders.ts';
import { HeaderMap } from '../header-map.ts';
import { type Bad, must, optional, parseCount, parseDateTime, parseMoneyNonNegative } from '../values.ts';

const COLUMNS = {
  record: ['Sales Record Number'],
  orderId: ['Order Number'],
  buyer: ['Buyer Username', 'User Id'],
  email: ['Buyer Email'],
  phone: ['Ship To Phone'],
  country: ['Ship To Country', 'Buyer Country'],
  itemNumber: ['Item Number'],
  title: ['Item Title'],
  label: ['Custom Label'],
  quantity: ['Quantity'],
  soldFor: ['Sold For', 'Sale Price'],
  saleDate: ['Sale Date'],
  paidDate: ['Paid On Date', 'Paid on Date'],
  shippedDate: ['Shipped On Date', 'Shipped on Date'],
  transactionId: ['Transaction ID'],
} as const;

/** Currencies a price prefix names without doubt; a bare `$` is the shop currency. */
const SYMBOLS: [RegExp, string][] = [
  [/^US ?\$/, 'USD'],
  [/^C ?\$/, 'CAD'],
  [/^AU ?\$/, 'AUD'],
  [/^£/, 'GBP'],
  [/^€|^EUR/, 'EUR'],
];

const FOOTER = /^(\d+ record\(s\) downloaded|seller id\s*:)/i;

export const ebayOrders: OrdersFormat = {
  table: 'order_lines',
  name: 'ebay',
  source: 'ebay',
  title: 'eBay orders report',
  download: 'Seller Hub > Orders > Download report (CSV, "All orders")',
  delimiter: ',',
  quoting: true,
  requiredColumns: [
    'Sales Record Number',
    'Order Number',
    'Buyer Username',
    'Quantity',
    'Sold For',
    'Sale Date',
  ],
  splittable: () => false,
  open(header, ctx, sink) {
    const h = new HeaderMap(header, COLUMNS);
    const time = (s: string) => parseDateTime(s, ctx.timeZone, 'mdy');
    const mapper = groupedOrderMapper(
      (fields) => {
        const orderId = h.get(fields, 'orderId');
        const m = <T>(v: T | Bad, c: string) => must(v, c, orderId);
        const soldRaw = h.get(fields, 'soldFor');
        const currency = SYMBOLS.find(([re]) => re.test(soldRaw))?.[1] ?? ctx.currency;
        const paidTs = m(optional(h.get(fields, 'paidDate'), time), 'Paid On Date');
        const shipped = h.get(fields, 'shippedDate') !== '';
        const buyer = h.get(fields, 'buyer');
        const email = h.get(fields, 'email').toLowerCase();
        return {
          head: {
            customerRef: buyer || null,
            email: email || null,
            phone: h.get(fields, 'phone') || null,
            status: shipped ? 'shipped' : paidTs !== null ? 'paid' : 'pending',
            paidTs,
            currency,
            orderDiscount: 0,
            orderRefund: 0,
            channel: 'ebay',
            country: h.get(fields, 'country') || null,
            warehouse: null,
            referralId: null,
          },
          line: {
            orderTs: m(time(h.get(fields, 'saleDate')), 'Sale Date'),
            lineId: h.get(fields, 'transactionId') || null,
            sku: h.get(fields, 'label') || h.get(fields, 'itemNumber') || null,
            productName: h.get(fields, 'title') || null,
            category: null,
            quantity: m(parseCount(h.get(fields, 'quantity'), 'whole number of units'), 'Quantity'),
            unitPrice: m(
              parseMoneyNonNegative(soldRaw.replace(/^(US|C|AU|EUR)\s*/, ''), 'price'),
              'Sold For',
            ),
            discount: 0,
            refund: 0,
            status: null,
          },
        };
      },
      headerLayout(h, 'orderId'),
    );
    let footer = 0;
    return {
      row(fields, line, out) {
        if (fields.length <= 2 && FOOTER.test((fields[0] ?? '').trim())) {
          footer++;
          return;
        }
        mapper.row(fields, line, out);
      },
      finish(out) {
        mapper.finish(out);
        if (footer) sink.warn(`skipped ${footer} report footer line(s) (record count, seller id)`);
      },
    };
  },
};

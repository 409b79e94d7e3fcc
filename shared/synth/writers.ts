/**
 * Writes generated orders in real export layouts: Shopify's orders export (79 columns, order-level
 * fields on an order's first row only, newest first) and the storepulse generic orders CSV.
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { csvLine } from '../csv/writer.ts';
import type { SynthOrder } from './orders.ts';

export const SHOPIFY_HEADER = [
  'Name',
  'Email',
  'Financial Status',
  'Paid at',
  'Fulfillment Status',
  'Fulfilled at',
  'Accepts Marketing',
  'Currency',
  'Subtotal',
  'Shipping',
  'Taxes',
  'Total',
  'Discount Code',
  'Discount Amount',
  'Shipping Method',
  'Created at',
  'Lineitem quantity',
  'Lineitem name',
  'Lineitem price',
  'Lineitem compare at price',
  'Lineitem sku',
  'Lineitem requires shipping',
  'Lineitem taxable',
  'Lineitem fulfillment status',
  'Billing Name',
  'Billing Street',
  'Billing Address1',
  'Billing Address2',
  'Billing Company',
  'Billing City',
  'Billing Zip',
  'Billing Province',
  'Billing Country',
  'Billing Phone',
  'Shipping Name',
  'Shipping Street',
  'Shipping Address1',
  'Shipping Address2',
  'Shipping Company',
  'Shipping City',
  'Shipping Zip',
  'Shipping Province',
  'Shipping Country',
  'Shipping Phone',
  'Notes',
  'Note Attributes',
  'Cancelled at',
  'Payment Method',
  'Payment Reference',
  'Refunded Amount',
  'Vendor',
  'Outstanding Balance',
  'Employee',
  'Location',
  'Device ID',
  'Id',
  'Tags',
  'Risk Level',
  'Source',
  'Lineitem discount',
  'Tax 1 Name',
  'Tax 1 Value',
  'Tax 2 Name',
  'Tax 2 Value',
  'Tax 3 Name',
  'Tax 3 Value',
  'Tax 4 Name',
  'Tax 4 Value',
  'Tax 5 Name',
  'Tax 5 Value',
  'Phone',
  'Receipt Number',
  'Duties',
  'Billing Province Name',
  'Shipping Province Name',
  'Payment ID',
  'Payment Terms Name',
  'Next Payment Due At',
  'Payment References',
] as const;

export const GENERIC_HEADER = [
  'order_id',
  'line_id',
  'customer_id',
  'order_ts',
  'paid_ts',
  'sku',
  'product_name',
  'category',
  'quantity',
  'unit_price',
  'discount',
  'refund_amount',
  'currency',
  'status',
  'channel',
  'country',
  'warehouse',
  'email',
  'phone',
] as const;

const money = (v: number): string => v.toFixed(2);
const pad = (n: number): string => String(n).padStart(2, '0');

/** Shopify's timestamp style: `2026-05-31 23:06:05 +0000`. */
export function shopifyTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

const FINANCIAL: Record<SynthOrder['status'], string> = {
  pending: 'pending',
  paid: 'paid',
  shipped: 'paid',
  completed: 'paid',
  cancelled: 'refunded',
  refunded: 'refunded',
  partially_refunded: 'partially_refunded',
};

export function shopifyRows(o: SynthOrder): string[][] {
  const c = o.customer;
  const subtotal = o.lines.reduce((a, l) => a + l.quantity * l.product.price, 0);
  const paidAt = o.status === 'pending' ? '' : shopifyTime(o.createdAt + 60_000);
  const fulfilled = o.status === 'shipped' || o.status === 'refunded' || o.status === 'partially_refunded';
  const name = `#${o.number}`;
  return o.lines.map((l, i) => {
    const row: Record<string, string> = {
      Name: name,
      Email: c.email,
      'Created at': shopifyTime(o.createdAt),
      'Lineitem quantity': String(l.quantity),
      'Lineitem name': l.product.name,
      'Lineitem price': money(l.product.price),
      'Lineitem compare at price': '',
      'Lineitem sku': l.product.sku,
      'Lineitem requires shipping': 'true',
      'Lineitem taxable': 'true',
      'Lineitem fulfillment status': fulfilled ? 'fulfilled' : 'pending',
      Vendor: l.product.vendor,
      'Lineitem discount': '0.00',
    };
    if (i === 0) {
      const billingName = `${c.firstName} ${c.lastName}`;
      Object.assign(row, {
        'Financial Status': FINANCIAL[o.status],
        'Paid at': paidAt,
        'Fulfillment Status': fulfilled
          ? 'fulfilled'
          : o.status === 'cancelled'
            ? 'restocked'
            : 'unfulfilled',
        'Fulfilled at': fulfilled ? shopifyTime(o.createdAt + 86_400_000) : '',
        'Accepts Marketing': c.index % 3 === 0 ? 'yes' : 'no',
        Currency: 'USD',
        Subtotal: money(subtotal),
        Shipping: money(o.shipping),
        Taxes: '0.00',
        Total: money(subtotal - o.discount + o.shipping),
        'Discount Code': o.discount ? 'WELCOME10' : '',
        'Discount Amount': money(o.discount),
        'Shipping Method': 'Standard',
        'Billing Name': billingName,
        'Billing Address1': `${10 + (c.index % 90)} Market Street`,
        'Billing City': 'Springfield',
        'Billing Zip': `'0${String(1000 + (c.index % 8999))}`,
        'Billing Country': c.country,
        'Billing Phone': c.phone,
        'Shipping Name': billingName,
        'Shipping Address1': `${10 + (c.index % 90)} Market Street`,
        'Shipping City': 'Springfield',
        'Shipping Country': c.country,
        'Note Attributes':
          o.number % 17 === 0 ? `gift_note: Happy birthday, ${c.firstName}!\nfrom: "Sam"` : '',
        'Cancelled at': o.status === 'cancelled' ? shopifyTime(o.createdAt + 3_600_000) : '',
        'Payment Method': 'Shopify Payments',
        'Refunded Amount': money(o.refund),
        'Outstanding Balance': '0.00',
        Location: 'Main warehouse',
        Id: String(5_000_000_000 + o.number),
        'Risk Level': 'Low',
        Source: o.number % 9 === 0 ? 'pos' : 'web',
        Phone: '',
      });
    }
    return SHOPIFY_HEADER.map((h) => row[h] ?? '');
  });
}

export function genericRows(o: SynthOrder, prefix: string): string[][] {
  const c = o.customer;
  const subtotal = o.lines.reduce((a, l) => a + l.quantity * l.product.price, 0);
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return o.lines.map((l, i) => {
    const share = subtotal > 0 ? (l.quantity * l.product.price) / subtotal : 0;
    return [
      `${prefix}${o.number}`,
      String(i + 1),
      `C${String(c.index).padStart(6, '0')}`,
      iso(o.createdAt),
      o.status === 'pending' ? '' : iso(o.createdAt + 60_000),
      l.product.sku,
      l.product.name,
      l.product.category,
      String(l.quantity),
      money(l.product.price),
      money(o.discount * share),
      money(o.refund * share),
      'USD',
      o.status,
      o.number % 4 === 0 ? 'app' : 'pos',
      c.country,
      'store-1',
      c.email,
      c.phone,
    ];
  });
}

/** A CSV file written through a stream, honouring backpressure. */
export class CsvFileWriter {
  private readonly out: WriteStream;
  private buffer = '';
  lines = 0;
  constructor(path: string, header: readonly string[]) {
    this.out = createWriteStream(path);
    this.buffer = csvLine(header);
  }
  async write(rows: readonly (readonly string[])[]): Promise<void> {
    for (const r of rows) {
      this.buffer += csvLine(r);
      this.lines++;
    }
    if (this.buffer.length > 1 << 20) await this.drain();
  }
  private async drain(): Promise<void> {
    if (!this.out.write(this.buffer)) await once(this.out, 'drain');
    this.buffer = '';
  }
  async close(): Promise<void> {
    await this.drain();
    this.out.end();
    await once(this.out, 'finish');
  }
}

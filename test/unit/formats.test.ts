import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../shared/csv/parser.ts';
import type {
  MappedOrderLine,
  OrderLineSink,
  OrdersFormat,
  RowRejection,
} from '../../shared/formats/format.ts';
import { detectFormat } from '../../shared/formats/registry.ts';
import { fixture } from '../helpers.ts';

/** Parses a fixture with the format its header is detected as, collecting what the sink gets. */
function mapFixture(name: string, timeZone = 'UTC') {
  const records = parseCsv(readFileSync(fixture('formats', name), 'utf8'));
  const header = records[0]!.fields;
  const format = detectFormat(name, header) as OrdersFormat;
  const accepted: MappedOrderLine[] = [];
  const rejected: RowRejection[] = [];
  const warnings: string[] = [];
  const sink: OrderLineSink = {
    accept: (r) => accepted.push(r),
    reject: (r) => rejected.push(r),
    warn: (w) => warnings.push(w),
  };
  const mapper = format.open(
    header,
    { timeZone, currency: 'USD', reportingCurrency: 'USD', exportedAt: Date.UTC(2026, 10, 23) },
    sink,
  );
  for (const rec of records.slice(1)) mapper.row(rec.fields, rec.line, sink);
  mapper.finish(sink);
  return { format: format.name, accepted, rejected, warnings };
}

const pick = (r: MappedOrderLine, keys: (keyof MappedOrderLine)[]) =>
  Object.fromEntries(keys.map((k) => [k, r[k]]));

describe('Shopify orders export', () => {
  const { format, accepted, rejected } = mapFixture('shopify_orders_export_1.csv');

  it('is detected from its header', () => expect(format).toBe('shopify'));

  it('maps every line item, carrying order-level fields to continuation rows', () => {
    expect(rejected).toEqual([]);
    expect(accepted.map((r) => [r.order_id, r.line_id, r.sku, r.status, r.customer_ref])).toEqual([
      ['#1003', '1', 'BL-48', 'shipped', 'alice@example.com'],
      ['#1003', '2', 'CU-01', 'shipped', 'alice@example.com'],
      ['#1002', '1', 'HC-1', 'partially_refunded', 'bob@example.com'],
      ['#1001', '1', 'USB-2', 'cancelled', 'alice@example.com'],
      ['#1000', '1', 'LB-1', 'pending', null],
      ['#1000', '2', 'GT-50', 'pending', null],
    ]);
  });

  it('converts store-offset timestamps to UTC', () => {
    expect(new Date(accepted[0]!.order_ts).toISOString()).toBe('2026-03-02T15:15:00.000Z');
    expect(new Date(accepted[0]!.paid_ts!).toISOString()).toBe('2026-03-02T15:16:02.000Z');
    expect(accepted[1]!.paid_ts).toBe(accepted[0]!.paid_ts);
    expect(accepted[4]!.paid_ts).toBeNull();
  });

  it('allocates order-level discount and refund by line value, never double-counting', () => {
    // #1003: lines worth 60 and 30 share a 10.00 discount -> 6.6667 and 3.3333.
    expect(accepted[0]!.discount).toBe(6.6667);
    expect(accepted[1]!.discount).toBe(3.3333);
    expect(accepted[0]!.discount + accepted[1]!.discount).toBeCloseTo(10, 10);
    expect(pick(accepted[2]!, ['refund_amount', 'unit_price', 'quantity'])).toEqual({
      refund_amount: 5,
      unit_price: 25,
      quantity: 1,
    });
    expect(accepted[3]!.refund_amount).toBe(12.5);
  });

  it('keeps quotes, commas and symbols in names, and reads contacts and channel', () => {
    expect(accepted[0]!.product_name).toBe('PawProof™ Throw Blanket - Beige / Large (48"L x 76"W)');
    expect(pick(accepted[0]!, ['phone', 'country', 'channel', 'warehouse', 'currency'])).toEqual({
      phone: '+1 555 0100',
      country: 'US',
      channel: 'web',
      warehouse: 'Main warehouse',
      currency: 'USD',
    });
    expect(accepted[2]!.phone).toBe('+1 555 0199');
    expect(pick(accepted[4]!, ['channel', 'warehouse', 'email'])).toEqual({
      channel: 'pos',
      warehouse: 'Store 1',
      email: null,
    });
  });

  it('reads the older 73-column header too', () => {
    const text = readFileSync(fixture('formats', 'shopify_orders_export_1.csv'), 'utf8');
    const records = parseCsv(text);
    const dropped = new Set([
      'Outstanding Balance',
      'Employee',
      'Location',
      'Device ID',
      'Payment ID',
      'Payment References',
    ]);
    const keep = records[0]!.fields.map((h, i) => (dropped.has(h) ? -1 : i)).filter((i) => i >= 0);
    expect(keep).toHaveLength(73);
    expect(
      detectFormat(
        'old.csv',
        keep.map((i) => records[0]!.fields[i]!),
      ).name,
    ).toBe('shopify');
  });
});

describe('generic orders CSV', () => {
  const { format, accepted, rejected, warnings } = mapFixture('generic_orders.csv', 'Asia/Shanghai');

  it('is detected with columns in any order and warns about extra columns', () => {
    expect(format).toBe('generic');
    expect(warnings).toEqual(['ignored columns not in the generic layout: gift_wrap']);
    expect(rejected).toEqual([]);
  });

  it('maps rows, numbering lines by position within the order when there is no line_id', () => {
    expect(accepted.map((r) => [r.order_id, r.line_id, r.status, r.currency])).toEqual([
      ['G-1', '1', 'completed', 'USD'],
      ['G-1', '2', 'completed', 'USD'],
      ['G-2', '1', 'refunded', 'USD'],
      ['G-3', '1', 'paid', 'EUR'],
    ]);
    expect(
      pick(accepted[0]!, [
        'product_name',
        'quantity',
        'unit_price',
        'discount',
        'email',
        'phone',
        'customer_ref',
      ]),
    ).toEqual({
      product_name: 'Tea, green',
      quantity: 2,
      unit_price: 10.5,
      discount: 1,
      email: 'one@example.com',
      phone: '+86 138 0000 0001',
      customer_ref: 'cust-1',
    });
  });

  it('reads offsets as given and bare times in the shop time zone', () => {
    expect(new Date(accepted[0]!.order_ts).toISOString()).toBe('2026-03-01T01:30:00.000Z');
    // "2026-03-02 18:00" in Asia/Shanghai (UTC+8)
    expect(new Date(accepted[2]!.order_ts).toISOString()).toBe('2026-03-02T10:00:00.000Z');
    // a bare date is midnight in the shop time zone
    expect(new Date(accepted[3]!.order_ts).toISOString()).toBe('2026-03-02T16:00:00.000Z');
  });
});

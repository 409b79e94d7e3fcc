/**
 * Every marketplace export from a fixture in its real layout and encoding (invented data; layouts
 * from ../shared/marketplace-layouts.md, see test/fixtures/formats/README.md): detected as itself,
 * mapped onto the canonical rows worked out by hand below.
 */
import { describe, expect, it } from 'vitest';
import type { MappedOrderLine } from '../../shared/formats/format.ts';
import { mapFile } from '../format-harness.ts';
import { fixture } from '../helpers.ts';

const f = (name: string) => fixture('formats', name);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const money = (l: MappedOrderLine) => [l.quantity, l.unit_price, l.discount, l.refund_amount];

describe('detection matrix: every fixture is detected as its own format, with its encoding', () => {
  const expected: [string, string, string][] = [
    ['shopify_orders_export_1.csv', 'shopify', 'utf-8'],
    ['shopify_products_export.csv', 'shopify-products', 'utf-8'],
    ['shopify_inventory_export.csv', 'shopify-inventory', 'utf-8'],
    ['amazon_all_orders.txt', 'amazon', 'utf-8'],
    ['amazon_fba_inventory.txt', 'amazon-fba-inventory', 'utf-8'],
    ['amazon_business_report.csv', 'amazon-business-report', 'utf-8'],
    ['taobao_ExportOrderList201707111200.csv', 'taobao-orders', 'gb18030'],
    ['taobao_ExportOrderDetailList201707111200.csv', 'taobao-items', 'gb18030'],
    ['jd_orders.csv', 'jd', 'gb18030'],
    ['pinduoduo_orders.csv', 'pinduoduo', 'utf-8'],
    ['douyin_orders.csv', 'douyin', 'utf-8'],
    ['tiktok_orders.csv', 'tiktok', 'utf-8'],
    ['woocommerce_orders.csv', 'woocommerce', 'utf-8'],
    ['ebay_orders.csv', 'ebay', 'utf-8'],
    ['generic_orders.csv', 'generic', 'utf-8'],
    ['generic_orders_utf16.txt', 'generic', 'utf-16le'],
    ['generic_products.csv', 'generic-products', 'utf-8'],
    ['generic_inventory.csv', 'generic-inventory', 'utf-8'],
    ['generic_traffic.csv', 'generic-traffic', 'utf-8'],
    ['fx_rates.csv', 'fx-rates', 'utf-8'],
  ];
  it.each(expected)('%s -> %s (%s), no row rejected', async (name, format, encoding) => {
    const m = await mapFile(f(name));
    expect([m.format, m.encoding]).toEqual([format, encoding]);
    expect(m.rejected).toEqual([]);
  });
});

describe('Amazon All Orders report (TSV, unquoted)', async () => {
  const m = await mapFile(f('amazon_all_orders.txt'));
  it('keeps raw quotes and commas in names, numbers lines of an order, has no buyer', () => {
    expect(m.lines.map((l) => [l.order_id, l.line_id, l.status, l.sku, l.customer_ref])).toEqual([
      ['112-0000001-0000001', '1', 'shipped', 'PC-1218', null],
      ['112-0000001-0000001', '2', 'cancelled', 'PC-1218', null],
      ['112-0000001-0000002', '1', 'pending', 'CI-10', null],
      ['171-0000001-0000003', '1', 'refunded', 'DL-1', null],
      ['112-0000001-0000004', '1', 'cancelled', 'YM-1', null],
    ]);
    expect(m.lines[0]!.product_name).toBe('Trendy Home 12" x 18" Pillow Cover, Linen');
  });
  it('reads item price as a line total and the promotion discount as positive', () => {
    // 2 units for 39.98 with a -5.00 promotion: unit 19.99, discount 5.
    expect(money(m.lines[0]!)).toEqual([2, 19.99, 5, 0]);
    // Returned to seller: refunded in full, in its own currency.
    expect([...money(m.lines[3]!), m.lines[3]!.currency, m.lines[3]!.country]).toEqual([
      1,
      25,
      0,
      25,
      'EUR',
      'DE',
    ]);
    expect(iso(m.lines[0]!.order_ts)).toBe('2026-03-02T05:05:21.000Z');
  });
});

describe('Taobao order report + item report (GBK), joined in either order', async () => {
  const orders = await mapFile(f('taobao_ExportOrderList201707111200.csv'));
  const items = await mapFile(f('taobao_ExportOrderDetailList201707111200.csv'));
  const joinedAfterItems = await mapFile(f('taobao_ExportOrderList201707111200.csv'), {
    partner: items.staged,
  });
  const joinedAfterOrders = await mapFile(f('taobao_ExportOrderDetailList201707111200.csv'), {
    partner: orders.staged,
  });

  it('makes no lines from one half alone, and says what it waits for', () => {
    expect(orders.lines).toEqual([]);
    expect(items.lines).toEqual([]);
    expect(orders.warnings).toEqual([expect.stringContaining('4 order(s) wait for their item report')]);
    expect(orders.staged.get('401827730129001')?.rows[0]?.phone).toBe('13925130165');
  });

  it('makes the same lines whichever half arrives second', () => {
    const key = (l: MappedOrderLine) => `${l.order_id}/${l.line_id}`;
    const a = [...joinedAfterItems.lines].sort((x, y) => key(x).localeCompare(key(y)));
    const b = [...joinedAfterOrders.lines].sort((x, y) => key(x).localeCompare(key(y)));
    expect(a).toEqual(b);
    expect(a).toHaveLength(6);
  });

  it('strips Excel guards, allocates the discount and refunds the closed item', () => {
    const l = joinedAfterItems.lines;
    const one = l.filter((x) => x.order_id === '401827730129001');
    // Lines worth 239 and 40 share 279 - 201.12 = 77.88 of discount by value.
    expect(one.map((x) => [x.sku, x.product_name, x.discount, x.status])).toEqual([
      ['SH-01', '棉麻衬衫', 66.7144, 'completed'],
      ['SC-02', '真丝围巾', 11.1656, 'completed'],
    ]);
    expect(one[0]!.customer_ref).toBe('tb_buyer_one');
    // Beijing time without a zone.
    expect(iso(one[0]!.order_ts)).toBe('2017-07-07T16:42:32.000Z');
    const four = l.filter((x) => x.order_id === '401827730129004');
    expect(four.map((x) => [x.sku, x.status, x.refund_amount])).toEqual([
      ['EP-1', 'completed', 0],
      ['EP-CASE', 'refunded', 30],
    ]);
    // Closed after payment: refunded; never paid: pending stays pending.
    expect(l.find((x) => x.order_id === '401827730129002')?.status).toBe('refunded');
    expect(l.find((x) => x.order_id === '401827730129003')?.paid_ts).toBeNull();
  });
});

describe('JD order export (GBK)', async () => {
  const m = await mapFile(f('jd_orders.csv'));
  it('allocates 订单金额 − 应付金额 over the lines by value, never twice', () => {
    const o = m.lines.filter((l) => l.order_id === '10000000001');
    expect(o.map((l) => [l.line_id, l.sku, ...money(l)])).toEqual([
      ['1', 'PB-10K', 2, 79, 14.4954, 0],
      ['2', 'CB-1M', 1, 60, 5.5046, 0],
    ]);
    expect(o[0]!.discount + o[1]!.discount).toBeCloseTo(20, 10);
  });
  it('maps statuses, (删除) orders as cancelled, and the buyer account', () => {
    expect(m.lines.map((l) => [l.order_id, l.status, l.customer_ref])).toEqual([
      ['10000000001', 'completed', 'jd_buyer_a'],
      ['10000000001', 'completed', 'jd_buyer_a'],
      ['10000000002', 'paid', 'jd_buyer_b'],
      ['10000000003', 'cancelled', 'jd_buyer_c'],
    ]);
  });
});

describe('Pinduoduo order export', async () => {
  const m = await mapFile(f('pinduoduo_orders.csv'));
  it('takes the group-buy id as referral, only the shop discount, no buyer', () => {
    expect(m.lines.map((l) => [l.order_id, l.status, l.referral_id, l.customer_ref, ...money(l)])).toEqual([
      ['231008-512345678901234', 'completed', 'G10001', null, 2, 19.9, 2, 0],
      ['231009-512345678901235', 'refunded', 'G10002', null, 1, 35.9, 0, 35.9],
      ['231010-512345678901236', 'paid', 'G10003', null, 3, 9.9, 0, 0],
    ]);
    expect(iso(m.lines[0]!.order_ts)).toBe('2023-10-08T02:12:33.000Z');
  });
});

describe('Douyin order export (BOM, TAB-guarded ids)', async () => {
  const m = await mapFile(f('douyin_orders.csv'));
  it('strips TAB guards, reads "-" as empty, maps traffic source and creator', () => {
    expect(m.lines.map((l) => [l.order_id, l.line_id, l.status, l.channel, l.referral_id])).toEqual([
      ['6917926768823643751', '6917926768823643751', 'completed', '直播', '71234567'],
      ['6917926768823643760', '6917926768823643761', 'shipped', '商品卡', null],
      ['6917926768823643760', '6917926768823643762', 'refunded', '商品卡', null],
    ]);
    expect(money(m.lines[0]!)).toEqual([1, 129, 20, 0]);
    expect(money(m.lines[2]!)).toEqual([1, 15, 0, 15]);
  });
});

describe('TikTok Shop orders export', async () => {
  const m = await mapFile(f('tiktok_orders.csv'), { timeZone: 'Asia/Bangkok', currency: 'THB' });
  it('reads day-first times with trailing TABs, in the shop currency', () => {
    expect(iso(m.lines[0]!.order_ts)).toBe('2026-03-14T11:05:11.000Z');
    expect(m.lines.every((l) => l.currency === 'THB')).toBe(true);
  });
  it('gives the repeated order refund once, to the returned line', () => {
    expect(m.lines.map((l) => [l.order_id, l.sku, l.status, ...money(l)])).toEqual([
      ['583870900000000001', 'TS-RED-M', 'completed', 2, 199, 20, 0],
      ['583870900000000001', 'CAP-1', 'refunded', 1, 150, 0, 150],
      ['583870900000000002', 'TS-RED-M', 'cancelled', 1, 199, 0, 0],
      ['583870900000000003', 'SOCK-3', 'paid', 1, 89, 5, 0],
    ]);
  });
});

describe('WooCommerce orders', async () => {
  const m = await mapFile(f('woocommerce_orders.csv'));
  it('maps labels (also translated), lower-cases the e-mail, never double-counts refunds', () => {
    expect(m.lines.map((l) => [l.order_id, l.line_id, l.status, l.customer_ref, ...money(l)])).toEqual([
      ['1041', '1', 'completed', 'ana@example.com', 2, 22.5, 0, 0],
      ['1041', '2', 'completed', 'ana@example.com', 1, 5, 0, 0],
      ['1042', '1', 'paid', 'joe@example.com', 3, 6, 0, 0],
      ['1043', '1', 'refunded', 'ana@example.com', 0, 12, 0, 0],
      ['1044', '1', 'cancelled', 'luis@example.com', 1, 22.5, 0, 0],
    ]);
    expect(m.lines[0]!.product_name).toBe('Ceramic Mug, "Blue"');
  });
});

describe('eBay orders report', async () => {
  const m = await mapFile(f('ebay_orders.csv'));
  it('skips the sep= line and the footer, reads $ and £ prices and Jul-21-25 dates', () => {
    expect(m.warnings).toEqual(['skipped 2 report footer line(s) (record count, seller id)']);
    expect(m.lines.map((l) => [l.order_id, l.line_id, l.status, l.currency, l.unit_price])).toEqual([
      ['12-34567-89012', '2750000000001', 'shipped', 'USD', 45.99],
      ['12-34567-89013', '2750000000002', 'pending', 'USD', 4],
      ['12-34567-89014', '2750000000003', 'paid', 'GBP', 6.5],
    ]);
    expect(iso(m.lines[0]!.order_ts)).toBe('2025-07-21T00:00:00.000Z');
  });
});

describe('product, stock and traffic reports', () => {
  it('Shopify products: variants carry their product fields down, image rows are skipped', async () => {
    const m = await mapFile(f('shopify_products_export.csv'));
    expect(m.rows.map((r) => [r.sku, r.name, r.category, r.brand, r.price, r.unit_cost])).toEqual([
      ['BL-48', 'PawProof™ Throw Blanket - Large (48"L x 76"W)', 'Throw Blankets', 'Cozy Co', 60, 21.5],
      ['BL-30', 'PawProof™ Throw Blanket - Small', 'Throw Blankets', 'Cozy Co', 40, null],
      ['CU-01', 'Cushion', 'Throw Pillows', 'Cozy Co', 15, 4],
    ]);
  });
  it('Shopify inventory: one row per variant x location, "not stocked" skipped, snapshot = export time', async () => {
    const at = Date.UTC(2026, 10, 23, 6);
    const m = await mapFile(f('shopify_inventory_export.csv'), { exportedAt: at });
    expect(m.rows).toEqual([
      {
        snapshot_ts: at,
        sku: 'BL-48',
        warehouse: 'Main Warehouse',
        on_hand: 44,
        inbound: 20,
        reserved: 3,
        unsellable: 1,
      },
      {
        snapshot_ts: at,
        sku: 'BL-30',
        warehouse: 'Main Warehouse',
        on_hand: 0,
        inbound: 0,
        reserved: 2,
        unsellable: 0,
      },
    ]);
  });
  it('Amazon FBA inventory: fulfillable + reserved on hand, the three inbound stages summed', async () => {
    const m = await mapFile(f('amazon_fba_inventory.txt'));
    expect(m.rows[0]).toMatchObject({
      sku: 'PC-1218',
      warehouse: 'amazon-fba',
      on_hand: 127,
      inbound: 60,
      reserved: 7,
      unsellable: 3,
    });
  });
  it('Amazon Business Report: formatted numbers, dated the day before the export unless told', async () => {
    const m = await mapFile(f('amazon_business_report.csv'), { exportedAt: Date.UTC(2026, 10, 23, 12) });
    expect(m.rows[0]).toMatchObject({
      date: '2026-11-22',
      sku: 'PC-1218',
      visits: 12131,
      page_views: 15002,
      orders: 1150,
      revenue: 12905.25,
    });
    const dated = await mapFile(f('amazon_business_report.csv'), { reportDate: '2026-11-01' });
    expect(dated.rows[0]!.date).toBe('2026-11-01');
    expect(dated.warnings).toEqual([]);
  });
  it('exchange rates default their target to the reporting currency', async () => {
    const m = await mapFile(f('fx_rates.csv'));
    expect(m.rows[0]).toEqual({ date: '2026-03-02', currency: 'EUR', rate: 1.08, reporting_currency: 'USD' });
  });
});

describe('README', () => {
  it('documents every generic layout column and lists every format', async () => {
    const { readFileSync } = await import('node:fs');
    const { FORMATS } = await import('../../shared/formats/registry.ts');
    const { genericInventory, genericProducts, genericTraffic, fxRatesCsv } = await import(
      '../../shared/formats/generic-tables.ts'
    );
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Generic products, inventory and traffic CSVs'));
    for (const f of [genericProducts, genericInventory, genericTraffic, fxRatesCsv]) {
      for (const c of [...f.requiredColumns, ...(f.optionalColumns ?? [])])
        expect(section).toContain(`\`${c}\``);
    }
    for (const f of FORMATS) expect(readme).toContain(`\`${f.name}\``);
  });
});

describe('detection of files that are mostly unknown columns', () => {
  it('does not take a marketplace file missing a column for a generic layout, and says how to force it', async () => {
    const { detectFormat } = await import('../../shared/formats/registry.ts');
    const header = ['sku', ...Array.from({ length: 12 }, (_, i) => `erp_field_${i}`)];
    expect(() => detectFormat('erp.csv', header)).toThrow(
      /Closest: .*; it has the columns of storepulse generic products CSV but mostly others \(if it is one: --source generic-products\)/,
    );
    // The generic orders layout keeps accepting extra columns (they are ignored with a warning).
    const orders = [
      'order_id',
      'customer_id',
      'order_ts',
      'sku',
      'quantity',
      'unit_price',
      'currency',
      'status',
    ];
    expect(detectFormat('o.csv', [...orders, ...Array.from({ length: 20 }, (_, i) => `x${i}`)]).name).toBe(
      'generic',
    );
  });
});

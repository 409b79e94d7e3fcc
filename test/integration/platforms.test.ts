/**
 * Platform exports through the whole ingest into a real lake, read back with DuckDB: the Taobao pair
 * joined whichever half lands first, exchange rates applied (with the weekend look-back and the
 * named gap), per-source time zones, products / inventory / traffic tables, Amazon's buyerless lines.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, ingest, sql, tempDir, tempLake, testConfig } from '../helpers.ts';

const f = (name: string) => fixture('formats', name);
const ORDERS = f('taobao_ExportOrderList201707111200.csv');
const ITEMS = f('taobao_ExportOrderDetailList201707111200.csv');

describe('Taobao order and item reports in the lake', () => {
  it('land the same order lines whichever report arrives first', async () => {
    const itemsFirst = await tempLake();
    const a1 = await ingest(itemsFirst, ITEMS);
    expect(a1.rowsLanded).toBe(0);
    expect(a1.warnings[0]).toMatch(/4 order\(s\) wait for their order report/);
    const a2 = await ingest(itemsFirst, ORDERS);
    expect(a2.rowsLanded).toBe(6);
    const ordersFirst = await tempLake();
    expect((await ingest(ordersFirst, ORDERS)).rowsLanded).toBe(0);
    expect((await ingest(ordersFirst, ITEMS)).rowsLanded).toBe(6);
    const q =
      'select order_id, line_id, customer_id, status, sku, quantity, unit_price, discount, refund_amount, net_amount, order_ts from order_lines order by 1, 2';
    const rows = await sql(itemsFirst, q);
    expect(await sql(ordersFirst, q)).toEqual(rows);
    expect(rows.map((r) => [r.order_id, r.sku, r.net_amount])).toEqual([
      ['401827730129001', 'SH-01', 172.2856],
      ['401827730129001', 'SC-02', 28.8344],
      ['401827730129002', 'CUP-1', 0],
      ['401827730129003', 'BAG-1', 59],
      ['401827730129004', 'EP-1', 120],
      ['401827730129004', 'EP-CASE', 0],
    ]);
  });

  it('keeps the buyer pseudonymous and the phone only in the restricted contacts', async () => {
    const lake = await tempLake();
    await ingest(lake, ORDERS);
    await ingest(lake, ITEMS);
    const curated = JSON.stringify(await sql(lake, 'select * from order_lines'));
    expect(curated).not.toMatch(/13925130165|tb_buyer_one/);
    expect(await lake.list('restricted/contacts/source=taobao/')).not.toEqual([]);
  });
});

describe('exchange rates', () => {
  it('convert each line with its day (or the last rate within 7 days) and name what is missing', async () => {
    const lake = await tempLake();
    const dir = await tempDir();
    await writeFile(join(dir, 'rates.csv'), 'date,currency,rate\n2026-03-06,EUR,1.10\n2026-03-09,EUR,1.20\n');
    await writeFile(
      join(dir, 'orders.csv'),
      [
        'order_id,customer_id,order_ts,sku,quantity,unit_price,currency,status',
        'E-1,c1,2026-03-06T12:00:00Z,S,1,10.00,EUR,paid', // its own day: 11.00
        'E-2,c1,2026-03-08T12:00:00Z,S,1,10.00,EUR,paid', // Sunday: Friday's rate, 11.00
        'E-3,c1,2026-03-09T12:00:00Z,S,2,10.00,EUR,paid', // Monday: 24.00
        'E-4,c1,2026-02-20T12:00:00Z,S,1,10.00,EUR,paid', // before any rate: null
        'J-1,c2,2026-03-09T12:00:00Z,S,1,1000,JPY,paid', // no JPY rates: null
        '',
      ].join('\n'),
    );
    expect((await ingest(lake, join(dir, 'rates.csv'))).table).toBe('fx_rates');
    const r = await ingest(lake, join(dir, 'orders.csv'));
    expect(r.warnings).toEqual([
      expect.stringMatching(/^1 line\(s\) in EUR dated 2026-02-20\.\.2026-02-20: no exchange rate to USD/),
      expect.stringMatching(/^1 line\(s\) in JPY dated 2026-03-09\.\.2026-03-09: no exchange rate/),
    ]);
    expect(await sql(lake, 'select order_id, net_amount, net_amount_rc from order_lines order by 1')).toEqual(
      [
        { order_id: 'E-1', net_amount: 10, net_amount_rc: 11 },
        { order_id: 'E-2', net_amount: 10, net_amount_rc: 11 },
        { order_id: 'E-3', net_amount: 20, net_amount_rc: 24 },
        { order_id: 'E-4', net_amount: 10, net_amount_rc: null },
        { order_id: 'J-1', net_amount: 1000, net_amount_rc: null },
      ],
    );
  });
});

describe('per-source time zones and the non-order tables', () => {
  it('reads TikTok times in the zone configured for it, dating partitions in the shop zone', async () => {
    const lake = await tempLake();
    const config = testConfig({ sourceTimeZones: { tiktok: 'Asia/Bangkok' }, shopCurrency: 'THB' });
    await ingest(lake, f('tiktok_orders.csv'), { config });
    const rows = await sql(
      lake,
      "select strftime(order_ts, '%Y-%m-%d %H:%M:%S') as ts, dt, currency from order_lines where order_id = '583870900000000003'",
    );
    // 23:59:59 in Bangkok is 16:59:59 UTC, still the 16th in the UTC shop.
    expect(rows).toEqual([{ ts: '2026-03-16 16:59:59', dt: '2026-03-16', currency: 'THB' }]);
  });

  it('lands products, inventory and traffic from platform and generic files, queryable by SQL', async () => {
    const lake = await tempLake();
    for (const name of [
      'shopify_products_export.csv',
      'generic_products.csv',
      'shopify_inventory_export.csv',
      'amazon_fba_inventory.txt',
      'generic_inventory.csv',
      'amazon_business_report.csv',
      'generic_traffic.csv',
    ]) {
      const r = await ingest(lake, f(name), { exportedAt: Date.UTC(2026, 10, 23, 6) });
      expect(r.rowsQuarantined).toBe(0);
    }
    expect(await sql(lake, 'select source, count(*)::int as n from products group by 1 order by 1')).toEqual([
      { source: 'generic', n: 2 },
      { source: 'shopify', n: 3 },
    ]);
    expect(
      await sql(
        lake,
        'select source, dt, sum(on_hand)::int as on_hand from inventory group by all order by 1',
      ),
    ).toEqual([
      { source: 'amazon', dt: '2026-11-23', on_hand: 131 },
      { source: 'generic', dt: '2026-11-23', on_hand: 128 },
      { source: 'shopify', dt: '2026-11-23', on_hand: 44 },
    ]);
    expect(
      await sql(lake, 'select source, dt, sum(visits)::int as visits from traffic group by all order by 1'),
    ).toEqual([
      { source: 'amazon', dt: '2026-11-22', visits: 12441 },
      { source: 'generic', dt: '2026-11-22', visits: 4800 },
    ]);
  });
});

describe('exports without a buyer', () => {
  it('land with a null customer and are counted, not modelled, by the daily run', async () => {
    const lake = await tempLake();
    await ingest(lake, f('amazon_all_orders.txt'));
    const rows = await sql(
      lake,
      'select count(*)::int as n, count(customer_id)::int as with_buyer from order_lines',
    );
    expect(rows).toEqual([{ n: 5, with_buyer: 0 }]);
  });
});

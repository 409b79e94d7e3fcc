/**
 * The product models through the daily run on a small lake, and the stockout warning raised when an
 * inventory snapshot arrives: at once, marked inventory_drop, and not again under the cooldown.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalLake } from '../../shared/lake/local.ts';
import { runDaily } from '../../shared/pipeline/daily-run.ts';
import { ingestFile } from '../../shared/pipeline/ingest.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { addDays } from '../../shared/time.ts';
import { ingest, sql, tempDir, tempLake, testConfig } from '../helpers.ts';

const AS_OF = '2026-11-23';
const run = (lake: LocalLake, date: string) =>
  runDaily(
    {
      lake,
      config: testConfig(),
      log: silentLog,
      openEngine: (t) => DuckDbEngine.open(lake, t ? { tables: t } : {}),
    },
    date,
  );

describe('stock risk and stockout warnings', () => {
  it('fills the product tables, and warns on a low snapshot at once, once per cooldown', async () => {
    const lake = await tempLake();
    const dir = await tempDir();
    // FAST sells 5 a day, SLOW 1 every other day, for 120 days, from the main warehouse.
    const orders = ['order_id,customer_id,order_ts,sku,quantity,unit_price,currency,status,warehouse'];
    for (let d = 0; d < 120; d++) {
      const ts = `${addDays(AS_OF, -d)}T12:00:00Z`;
      orders.push(`F${d},c${d % 9},${ts},FAST,5,10,USD,paid,WH1`);
      if (d % 2 === 0) orders.push(`S${d},c${d % 7},${ts},SLOW,1,4,USD,paid,WH1`);
    }
    await writeFile(join(dir, 'orders.csv'), `${orders.join('\n')}\n`);
    await writeFile(
      join(dir, 'products.csv'),
      'sku,name,category,unit_cost,lead_time_days,shelf_life_days\nFAST,Fast one,Tea,4,7,\nSLOW,Slow one,Tea,2,,30\n',
    );
    await writeFile(
      join(dir, 'stock.csv'),
      `snapshot_ts,sku,warehouse,on_hand,inbound,reserved\n${AS_OF}T06:00:00Z,FAST,WH1,400,0,0\n${AS_OF}T06:00:00Z,SLOW,WH1,100,0,0\n`,
    );
    for (const f of ['orders.csv', 'products.csv', 'stock.csv']) await ingest(lake, join(dir, f));
    const summary = await run(lake, AS_OF);

    expect(await sql(lake, 'select sku, abc_class from abc order by sku')).toEqual([
      { sku: 'FAST', abc_class: 'A' },
      { sku: 'SLOW', abc_class: 'C' },
    ]);
    expect((await sql(lake, "select count(*)::int as n from demand_forecast where sku = 'FAST'"))[0]!.n).toBe(
      28,
    );
    const fast = (
      await sql(
        lake,
        "select round(daily_demand, 1) as d, round(reorder_point)::int as rop, warning, lead_time_source from stock_risk where sku = 'FAST'",
      )
    )[0];
    // A steady 5 a day: no forecast error, so no safety stock; ROP = 7 days x 5.
    expect(fast).toEqual({ d: 5, rop: 35, warning: false, lead_time_source: 'product' });
    const slow = (
      await sql(
        lake,
        "select lead_time_source, expected_waste, promotion is not null as promo from stock_risk where sku = 'SLOW'",
      )
    )[0];
    // 100 units at about half a unit a day for a 30-day shelf life: about 80 expire; C-class overstock.
    expect(slow).toMatchObject({ lead_time_source: 'default', promo: true });
    expect(Number(slow!.expected_waste)).toBeGreaterThan(70);
    expect(summary.summaries.product.stockout.alerts).toBe(0);
    expect(summary.summaries.product.product.meanMase).not.toBeNull();
    expect(
      (await sql(lake, "select count(*)::int as n from channel_mix where source = 'generic'"))[0]!.n,
    ).toBe(1);

    // The next morning's count: FAST is nearly gone. The warning comes with the ingest.
    const next = addDays(AS_OF, 1);
    await writeFile(
      join(dir, 'stock2.csv'),
      `snapshot_ts,sku,warehouse,on_hand,inbound,reserved\n${next}T06:00:00Z,FAST,WH1,12,0,0\n`,
    );
    // The notifier (SNS in AWS) is told at once, with the warnings and their CSV.
    const told: { date: string; skus: string[]; csvKey: string }[] = [];
    const report = await ingestFile(
      {
        lake,
        config: testConfig(),
        log: silentLog,
        onStockout: async (date, alerts, csvKey) => {
          told.push({ date, skus: alerts.map((a) => a.sku), csvKey });
        },
      },
      { path: join(dir, 'stock2.csv'), exportedAt: Date.UTC(2026, 10, 24, 7) },
    );
    expect(report.stockoutWarnings).toBe(1);
    expect(told).toEqual([
      {
        date: next,
        skus: ['FAST'],
        csvKey: expect.stringMatching(/^lists\/stockout\/dt=2026-\d\d-\d\d\/stockout-drop-\w+\.csv$/),
      },
    ]);
    const alerts = await sql(
      lake,
      'select dt, severity, sku, triggered_by, expected_stockout_date::varchar as out from stockout',
    );
    expect(alerts).toEqual([
      { dt: next, severity: 'critical', sku: 'FAST', triggered_by: 'inventory_drop', out: addDays(next, 3) },
    ]);
    expect(await lake.list(`lists/stockout/dt=${next}/`)).toEqual([told[0]!.csvKey]);
    // Only Parquet inside the table's location (Athena reads every file there).
    expect(await lake.list(`alerts/stockout/dt=${next}/`)).toEqual([
      expect.stringMatching(/\/drop-\w+\.parquet$/),
    ]);
    // The daily run of that day does not warn about FAST again (cooldown).
    const second = await run(lake, next);
    expect(second.summaries.product.stockout.alerts).toBe(0);
    expect(second.summaries.product.product.warnings).toBe(1);
  });
});

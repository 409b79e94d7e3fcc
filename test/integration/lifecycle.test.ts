import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalLake } from '../../shared/lake/local.ts';
import { runDaily } from '../../shared/pipeline/daily-run.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { ingest, sql, tempDir, tempLake, testConfig } from '../helpers.ts';

// A hand-built lake, as of 2026-03-31 (each order 100.00 unless cancelled / pending):
// A: Jan 10 (Coffee), Jan 25 (Coffee), Mar 30 (Tea)   B: Jan 15, Feb 20   C: Feb 5   D: Mar 20 pending
const ORDERS = `order_id,line_id,customer_id,order_ts,sku,category,quantity,unit_price,currency,status,channel
A1,1,A,2026-01-10,S1,Coffee,1,100,USD,completed,web
A2,1,A,2026-01-25,S1,Coffee,1,100,USD,completed,web
A3,1,A,2026-03-30,S2,Tea,1,100,USD,paid,web
B1,1,B,2026-01-15,S1,Coffee,1,100,USD,completed,app
B2,1,B,2026-02-20,S1,Coffee,1,100,USD,completed,app
C1,1,C,2026-02-05,S1,Coffee,1,100,USD,completed,web
D1,1,D,2026-03-20,S1,Coffee,1,100,USD,pending,web
`;

describe('AARRR, AIPL, FAST and GROW on a small hand-built lake', async () => {
  // One lake for the whole suite (the helpers' temp folders last one test).
  const dir = await mkdtemp(join(tmpdir(), 'storepulse-lifecycle-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'orders.csv');
  await writeFile(path, ORDERS);
  const lake = new LocalLake(join(dir, 'lake'));
  await ingest(lake, path);
  await runDaily(
    {
      lake,
      config: testConfig(),
      log: silentLog,
      openEngine: (t) => DuckDbEngine.open(lake, t ? { tables: t } : {}),
    },
    '2026-03-31',
  );

  it('fills the cohort matrix: retention and cumulative revenue per customer, with empty months', async () => {
    const rows = await sql(
      lake,
      "select cohort_month, month_index, cohort_customers, active_customers, retention_pct, revenue, cumulative_revenue_per_customer from aarrr_cohorts where dt = '2026-03-31' order by 1, 2",
    );
    expect(rows).toEqual([
      {
        cohort_month: '2026-01',
        month_index: 0,
        cohort_customers: 2,
        active_customers: 2,
        retention_pct: 100,
        revenue: 300,
        cumulative_revenue_per_customer: 150,
      },
      {
        cohort_month: '2026-01',
        month_index: 1,
        cohort_customers: 2,
        active_customers: 1,
        retention_pct: 50,
        revenue: 100,
        cumulative_revenue_per_customer: 200,
      },
      {
        cohort_month: '2026-01',
        month_index: 2,
        cohort_customers: 2,
        active_customers: 1,
        retention_pct: 50,
        revenue: 100,
        cumulative_revenue_per_customer: 250,
      },
      {
        cohort_month: '2026-02',
        month_index: 0,
        cohort_customers: 1,
        active_customers: 1,
        retention_pct: 100,
        revenue: 100,
        cumulative_revenue_per_customer: 100,
      },
      {
        cohort_month: '2026-02',
        month_index: 1,
        cohort_customers: 1,
        active_customers: 0,
        retention_pct: 0,
        revenue: 0,
        cumulative_revenue_per_customer: 100,
      },
    ]);
  });

  it('counts acquisition, activation and repeat buyers per day and channel; referral is null without referral ids', async () => {
    const rows = await sql(
      lake,
      "select strftime(date, '%Y-%m-%d') as date, channel, new_customers, activated_customers, buyers, repeat_buyers, revenue, referral_customers, k_factor from aarrr_daily where dt = '2026-03-31' order by date, channel",
    );
    expect(rows[0]).toEqual({
      date: '2026-01-10',
      channel: 'web',
      new_customers: 1,
      activated_customers: 1,
      buyers: 1,
      repeat_buyers: 0,
      revenue: 100,
      referral_customers: null,
      k_factor: null,
    });
    expect(rows.find((r) => r.date === '2026-01-25')).toMatchObject({
      new_customers: 0,
      buyers: 1,
      repeat_buyers: 1,
    });
    expect(rows.find((r) => r.date === '2026-03-20')).toMatchObject({
      new_customers: 1,
      activated_customers: 0,
      buyers: 0,
      revenue: 0,
    });
  });

  it('puts each customer in an AIPL stage and computes FAST and GROW', async () => {
    const stages = await sql(
      lake,
      "select stage, count(*)::int as n from aipl where dt = '2026-03-31' group by 1 order by 1",
    );
    expect(stages).toEqual([
      { stage: 'interested', n: 1 },
      { stage: 'loyal', n: 2 },
      { stage: 'purchased', n: 1 },
    ]);
    // super users: loyal and spend above the mean (A: 300 > 200); active members: A of A, B, C.
    expect((await sql(lake, "select * exclude (dt) from fast where dt = '2026-03-31'"))[0]).toEqual({
      population: 4,
      aware: 0,
      interested: 1,
      purchased: 1,
      loyal: 2,
      advance_rate: null,
      super_users: 1,
      active_member_rate: 1 / 3,
    });
    // gain: no first purchase in the last 30 days; retain: B and C bought in the previous 30, neither
    // again; boost: 100 per buyer now over 100 before; widen: A's Tea is a new category for A.
    expect((await sql(lake, "select * exclude (dt) from grow where dt = '2026-03-31'"))[0]).toEqual({
      gain: 0,
      retain: 0,
      boost: 1,
      widen: 1,
    });
  });
});

describe('AARRR referral', () => {
  it("is the first order's own: a first order without a referral id is not a referral, whatever later orders carry", async () => {
    const lake = await tempLake();
    const dir = await tempDir();
    // X: first order without referral, a later one with (DuckDB's min_by took the later id).
    // Y: one line of the first order carries the id. Z: two orders the same day, the earlier
    // without. V: referred from the start.
    await writeFile(
      join(dir, 'orders.csv'),
      `order_id,line_id,customer_id,order_ts,sku,quantity,unit_price,currency,status,channel,referral_id
X1,1,X,2026-03-01T09:00:00Z,S1,1,10,USD,paid,web,
X2,1,X,2026-03-05T09:00:00Z,S1,1,10,USD,paid,web,R1
Y1,1,Y,2026-03-02T09:00:00Z,S1,1,10,USD,paid,web,
Y1,2,Y,2026-03-02T09:00:00Z,S2,1,10,USD,paid,web,R2
Z2,1,Z,2026-03-03T15:00:00Z,S1,1,10,USD,paid,web,R3
Z1,1,Z,2026-03-03T09:00:00Z,S1,1,10,USD,paid,web,
V1,1,V,2026-03-06T09:00:00Z,S1,1,10,USD,paid,web,R5
`,
    );
    await ingest(lake, join(dir, 'orders.csv'));
    const engine = await DuckDbEngine.open(lake);
    try {
      const rows = await engine.runNamed('aarrr_daily_activity', { as_of: '2026-03-31' });
      const byDate = Object.fromEntries(
        rows
          .filter((r) => Number(r.new_customers) > 0)
          .map((r) => [
            String(r.date).slice(0, 10),
            [Number(r.new_customers), Number(r.referral_customers), Number(r.has_referrals)],
          ]),
      );
      expect(byDate).toEqual({
        '2026-03-01': [1, 0, 1],
        '2026-03-02': [1, 1, 1],
        '2026-03-03': [1, 0, 1],
        '2026-03-06': [1, 1, 1],
      });
    } finally {
      await engine.close();
    }
  });
});

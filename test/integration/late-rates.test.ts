/**
 * Exchange rates that arrive after the orders reach net_amount_rc and every model's money at the
 * next run, with no re-ingest: the order_lines view converts at read time (order_lines_latest.sql).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalLake } from '../../shared/lake/local.ts';
import { runDaily } from '../../shared/pipeline/daily-run.ts';
import type { Log } from '../../shared/pipeline/log.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { ingest, sql, tempDir, tempLake, testConfig } from '../helpers.ts';

// CNY rates on Monday 2 March and Tuesday 10 March only.
const RATES = 'date,currency,rate\n2026-03-02,CNY,0.14\n2026-03-10,CNY,0.15\n';
const ORDERS = [
  'order_id,customer_id,order_ts,sku,quantity,unit_price,currency,status',
  'O-1,c1,2026-03-02T10:00:00Z,S,1,100.00,CNY,paid', // its own day: 100 x 0.14 = 14.00
  'O-2,c1,2026-03-09T10:00:00Z,S,2,50.00,CNY,paid', // 7 days after 2 March: that rate, 100 x 0.14 = 14.00
  'O-3,c2,2026-03-10T10:00:00Z,S,1,200.00,CNY,paid', // its own day: 200 x 0.15 = 30.00
  'O-4,c2,2026-03-18T10:00:00Z,S,1,300.00,CNY,paid', // 8 days after 10 March: no rate, null
  'O-5,c3,2026-03-12T10:00:00Z,S,1,40.00,USD,paid', // the reporting currency: 40.00
  '',
].join('\n');

const EXPECTED_LINES = [
  { order_id: 'O-1', net_amount: 100, net_amount_rc: 14 },
  { order_id: 'O-2', net_amount: 100, net_amount_rc: 14 },
  { order_id: 'O-3', net_amount: 200, net_amount_rc: 30 },
  { order_id: 'O-4', net_amount: 300, net_amount_rc: null },
  { order_id: 'O-5', net_amount: 40, net_amount_rc: 40 },
];

async function files(): Promise<{ rates: string; orders: string; dir: string }> {
  const dir = await tempDir();
  const rates = join(dir, 'rates.csv');
  const orders = join(dir, 'orders.csv');
  await writeFile(rates, RATES);
  await writeFile(orders, ORDERS);
  return { rates, orders, dir };
}

function capture(): Log & { infos: string[]; warns: string[] } {
  const infos: string[] = [];
  const warns: string[] = [];
  return { infos, warns, info: (m) => infos.push(m), warn: (m) => warns.push(m) };
}

const run = (lake: LocalLake, log: Log) =>
  runDaily(
    { lake, config: testConfig(), log, openEngine: (t) => DuckDbEngine.open(lake, t ? { tables: t } : {}) },
    '2026-03-31',
  );

const lines = (lake: LocalLake) =>
  sql(lake, 'select order_id, net_amount, net_amount_rc from order_lines order by order_id');
const rfm = (lake: LocalLake) =>
  sql(
    lake,
    "select customer_id, frequency, monetary, segment from rfm where dt = '2026-03-31' order by customer_id",
  );

describe('exchange rates that arrive after the orders', () => {
  it('convert at the next run without re-ingest, to the values they give when they came first', async () => {
    const { rates, orders } = await files();

    // Orders first: ingest finds no CNY rate and stores no reporting amount.
    const late = await tempLake();
    const first = await ingest(late, orders);
    expect(first.warnings).toEqual([expect.stringMatching(/^4 line\(s\) in CNY .*no exchange rate to USD/)]);
    expect(
      await sql(late, 'select count(*) as n from order_lines_versions where net_amount_rc is null'),
    ).toEqual([{ n: 4 }]);
    await ingest(late, rates, { exportedAt: Date.UTC(2026, 10, 24) });
    const log = capture();
    const summary = await run(late, log);
    expect(await lines(late)).toEqual(EXPECTED_LINES);
    expect(summary.summaries.order_history.linesConvertedLate).toBe(3);
    expect(log.infos).toContain(
      'run 2026-03-31: 3 line(s) converted to USD with rates that arrived after their export was ingested (3 CNY)',
    );
    // O-4 still has no rate within 7 days: the warning stays, and says the next run takes it up.
    expect(log.warns).toEqual([
      expect.stringMatching(
        /^1 customer\(s\) have purchases without an exchange rate to USD \(1 CNY line\(s\) dated 2026-03-18\.\.2026-03-18\).*the next run converts them \(no re-ingest needed\)\.$/,
      ),
    ]);
    const lateRfm = await rfm(late);
    // c1: 14 + 14; c2: 30 (O-4 left out); c3: 40.
    expect(lateRfm.map((r) => [r.frequency, r.monetary])).toEqual(
      expect.arrayContaining([
        [2, 28],
        [2, 30],
        [1, 40],
      ]),
    );
    expect(lateRfm).toHaveLength(3);

    // Rates first: the same amounts and the same RFM, and nothing converted late.
    const early = await tempLake();
    await ingest(early, rates, { exportedAt: Date.UTC(2026, 10, 22) });
    await ingest(early, orders);
    const earlyLog = capture();
    const earlySummary = await run(early, earlyLog);
    expect(await lines(early)).toEqual(EXPECTED_LINES);
    expect(earlySummary.summaries.order_history.linesConvertedLate).toBe(0);
    expect(earlyLog.infos.filter((m) => m.includes('converted'))).toEqual([]);
    expect(await rfm(early)).toEqual(lateRfm);
  });

  it('take the latest rates file where two give the same day, and reach lines converted at ingest', async () => {
    const { rates, orders, dir } = await files();
    const lake = await tempLake();
    await ingest(lake, rates, { exportedAt: Date.UTC(2026, 10, 20) });
    await ingest(lake, orders);
    // A corrected rate for 10 March, exported later; the earlier file stays in fx_rates.
    const corrected = join(dir, 'rates-corrected.csv');
    await writeFile(corrected, 'date,currency,rate\n2026-03-10,CNY,0.16\n');
    await ingest(lake, corrected, { exportedAt: Date.UTC(2026, 10, 25) });
    expect(await lines(lake)).toEqual(
      EXPECTED_LINES.map((l) => (l.order_id === 'O-3' ? { ...l, net_amount_rc: 32 } : l)),
    );
  });

  it('look back at most 7 days: a rate 7 days before is used, one 8 days before is not', async () => {
    const dir = await tempDir();
    const lake = await tempLake();
    const orders = join(dir, 'orders.csv');
    await writeFile(
      orders,
      [
        'order_id,customer_id,order_ts,sku,quantity,unit_price,currency,status',
        'B-7,c1,2026-03-08T10:00:00Z,S,1,10.00,EUR,paid',
        'B-8,c1,2026-03-09T10:00:00Z,S,1,10.00,EUR,paid',
        '',
      ].join('\n'),
    );
    await ingest(lake, orders);
    const rates = join(dir, 'rates.csv');
    await writeFile(rates, 'date,currency,rate\n2026-03-01,EUR,1.10\n');
    await ingest(lake, rates);
    expect(await lines(lake)).toEqual([
      { order_id: 'B-7', net_amount: 10, net_amount_rc: 11 },
      { order_id: 'B-8', net_amount: 10, net_amount_rc: null },
    ]);
  });
});

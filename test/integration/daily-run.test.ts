import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../shared/csv/parser.ts';
import { Pseudonymiser } from '../../shared/identity.ts';
import type { LocalLake } from '../../shared/lake/local.ts';
import { runDaily } from '../../shared/pipeline/daily-run.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { HAND_EXPECTED } from '../fixtures/rfm/hand-example.ts';
import { fixture, ingest, sql, tempLake, testConfig } from '../helpers.ts';

const ids = new Pseudonymiser('test-key-0123456789abcdef');

const run = (lake: LocalLake, asOf: string, cooldownDays = 30) =>
  runDaily(
    {
      lake,
      config: testConfig({ cooldownDays }),
      log: silentLog,
      openEngine: (tables) => DuckDbEngine.open(lake, tables ? { tables } : {}),
    },
    asOf,
  );

describe('daily run', () => {
  it('reproduces the hand-computed RFM through ingest, SQL and the model, ignoring cancelled, pending, refunded and future orders', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('rfm', 'orders.csv'));
    const summary = await run(lake, '2026-03-31');
    expect(summary.customers).toBe(6);
    const rows = await sql(
      lake,
      "select customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, segment, segment_zh from rfm where dt = '2026-03-31'",
    );
    const byRef = Object.fromEntries(Object.keys(HAND_EXPECTED).map((ref) => [ids.id('generic', ref), ref]));
    const got = Object.fromEntries(
      rows.map((r) => [
        byRef[String(r.customer_id)],
        {
          recency_days: r.recency_days,
          r: r.r_score,
          f: r.f_score,
          m: r.m_score,
          segment: r.segment,
          zh: r.segment_zh,
        },
      ]),
    );
    expect(got).toEqual(HAND_EXPECTED);
    const money = Object.fromEntries(
      rows.map((r) => [byRef[String(r.customer_id)], [r.frequency, r.monetary]]),
    );
    expect(money).toEqual({ A: [5, 500], B: [2, 100], C: [1, 50], D: [1, 800], E: [4, 350], F: [3, 900] });
  });

  it('writes the recall list with contact details, spreadsheet-safe, and respects the cooldown', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('rfm', 'orders.csv'));
    const first = await run(lake, '2026-03-31');
    expect(first.recall.alerts).toBe(1);
    const csv = parseCsv(Buffer.from((await lake.get(first.recall.csvKey))!).toString('utf8'));
    expect(csv[0]!.fields.slice(0, 5)).toEqual([
      'customer_id',
      'source_customer_ref',
      'email',
      'phone',
      'segment',
    ]);
    expect(csv[1]!.fields.slice(0, 5)).toEqual([
      ids.id('generic', 'F'),
      'F',
      'f@example.com',
      '',
      'important_retention',
    ]);
    expect(await sql(lake, 'select count(*)::int as n from churn_recall')).toEqual([{ n: 1 }]);

    // The next day F is still asleep, but was recalled yesterday: no second alert.
    const second = await run(lake, '2026-04-01');
    expect(second.recall.alerts).toBe(0);
    expect(second.recall.suppressedByCooldown).toBe(1);
    // Re-running the first day gives the same answer (its own list does not count against it).
    const again = await run(lake, '2026-03-31');
    expect(again.recall.alerts).toBe(1);
    // With no cooldown the alert is raised again.
    expect((await run(lake, '2026-04-01', 0)).recall.alerts).toBe(1);
  });

  it('runs on an empty lake and writes empty, typed partitions', async () => {
    const lake = await tempLake();
    const summary = await run(lake, '2026-03-31');
    expect(summary.customers).toBe(0);
    expect(summary.recall.alerts).toBe(0);
    expect(await sql(lake, 'select count(*)::int as n from rfm')).toEqual([{ n: 0 }]);
  });

  it('as of an earlier date sees only the orders dated on or before it', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('rfm', 'orders.csv'));
    const summary = await run(lake, '2025-09-30');
    // Only E (Jun, Jul, Sep) and F (Aug, Sep) had bought by then.
    expect(summary.customers).toBe(2);
    const rows = await sql(
      lake,
      "select frequency, monetary from rfm where dt = '2025-09-30' order by monetary",
    );
    expect(rows).toEqual([
      { frequency: 3, monetary: 300 },
      { frequency: 2, monetary: 600 },
    ]);
  });
});

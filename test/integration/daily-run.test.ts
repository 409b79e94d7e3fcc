import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../shared/csv/parser.ts';
import { Pseudonymiser } from '../../shared/identity.ts';
import { writeCommit } from '../../shared/lake/commits.ts';
import { dataFileKey } from '../../shared/lake/keys.ts';
import type { LocalLake } from '../../shared/lake/local.ts';
import { encodeTable, rowsToColumns } from '../../shared/lake/parquet.ts';
import { readRecallAlerts, runDaily, writeRecallList } from '../../shared/pipeline/daily-run.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { churnRecall, contacts } from '../../shared/schemas/tables.ts';
import { AthenaEngine } from '../../shared/sql/athena.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { loadSql, renderSql } from '../../shared/sql/render.ts';
import { HAND_EXPECTED } from '../fixtures/rfm/hand-example.ts';
import { fixture, ingest, recordingEngines, sql, tempLake, testConfig } from '../helpers.ts';

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
    expect(summary.summaries.rfm.customers).toBe(6);
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
    expect(first.summaries.churn_recall.alerts).toBe(1);
    const csv = parseCsv(Buffer.from((await lake.get(first.recallListKey))!).toString('utf8'));
    expect(csv[0]!.fields.slice(0, 6)).toEqual([
      'customer_id',
      'source_customer_ref',
      'name',
      'email',
      'phone',
      'segment',
    ]);
    // The generic layout has no name column: the cell is empty.
    expect(csv[1]!.fields.slice(0, 6)).toEqual([
      ids.id('generic', 'F'),
      'F',
      '',
      'f@example.com',
      '',
      'important_retention',
    ]);
    expect(await sql(lake, 'select count(*)::int as n from churn_recall')).toEqual([{ n: 1 }]);

    // The next day F is still asleep, but was recalled yesterday: no second alert.
    const second = await run(lake, '2026-04-01');
    expect(second.summaries.churn_recall.alerts).toBe(0);
    expect(second.summaries.churn_recall.suppressedByCooldown).toBe(1);
    // Re-running the first day gives the same answer (its own list does not count against it).
    const again = await run(lake, '2026-03-31');
    expect(again.summaries.churn_recall.alerts).toBe(1);
    // With no cooldown the alert is raised again.
    expect((await run(lake, '2026-04-01', 0)).summaries.churn_recall.alerts).toBe(1);
  });

  it('runs on an empty lake and writes empty, typed partitions', async () => {
    const lake = await tempLake();
    const summary = await run(lake, '2026-03-31');
    expect(summary.summaries.rfm.customers).toBe(0);
    expect(summary.summaries.churn_recall.alerts).toBe(0);
    expect(await sql(lake, 'select count(*)::int as n from rfm')).toEqual([{ n: 0 }]);
  });

  it('as of an earlier date sees only the orders dated on or before it', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('rfm', 'orders.csv'));
    const summary = await run(lake, '2025-09-30');
    // Only E (Jun, Jul, Sep) and F (Aug, Sep) had bought by then.
    expect(summary.summaries.rfm.customers).toBe(2);
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

describe('recall list at scale', () => {
  const AS_OF = '2026-11-23';
  const N = 20_000;
  const customer = (k: number) => `cust-${String(k).padStart(6, '0')}-${'x'.repeat(24)}`;

  /** A churn_recall partition of N alerts, and contacts for most of them and for others not alerted. */
  async function bigLake() {
    const lake = await tempLake();
    const alerts = Array.from({ length: N }, (_, k) => ({
      customer_id: customer(k),
      segment: 'important_retention',
      segment_zh: '重要保持客户',
      reason: 'rfm_segment',
      last_order_date: '2026-06-01',
      recency_days: 175,
      frequency: 3,
      monetary: 100 + k,
      p_alive: 0.3,
      clv_12m: 50,
      value_at_risk: 40,
      offer: 'personal outreach',
    }));
    await lake.put(
      dataFileKey(churnRecall, { dt: AS_OF }, 'part-0000'),
      await encodeTable(churnRecall, rowsToColumns(churnRecall, alerts)),
    );
    // Every alerted customer but the last 100 has contacts; 5,000 customers not alerted have too.
    const rows = [
      ...Array.from({ length: N - 100 }, (_, k) => k),
      ...Array.from({ length: 5_000 }, (_, k) => N + k),
    ].map((k) => ({
      customer_id: customer(k),
      source_customer_ref: `ref-${k}`,
      email: `c${k}@example.com`,
      phone: null,
      exported_at: Date.UTC(2026, 10, 1),
      batch_id: 'b-old',
      source_line: k + 2,
    }));
    // Customer 7 has a newer export with a new e-mail: the latest wins.
    const newer = [
      { ...rows[7]!, email: 'seven-new@example.com', exported_at: Date.UTC(2026, 10, 20), batch_id: 'b-new' },
    ];
    await lake.put(
      dataFileKey(contacts, { source: 'generic' }, 'b-old-0000'),
      await encodeTable(contacts, rowsToColumns(contacts, rows), 'UNCOMPRESSED'),
    );
    await lake.put(
      dataFileKey(contacts, { source: 'generic' }, 'b-new-0000'),
      await encodeTable(contacts, rowsToColumns(contacts, newer), 'UNCOMPRESSED'),
    );
    for (const batch of ['b-old', 'b-new'])
      await writeCommit(lake, {
        batch_id: batch,
        source: 'generic',
        table_name: 'order_lines',
        file: `${batch}.csv`,
        rows_landed: 1,
        rows_quarantined: 0,
        committed_at: Date.UTC(2026, 10, 21),
      });
    // A later batch that never committed (an interrupted ingest): its details are not read.
    await lake.put(
      dataFileKey(contacts, { source: 'generic' }, 'b-torn-0000'),
      await encodeTable(
        contacts,
        rowsToColumns(contacts, [
          { ...rows[0]!, email: 'torn@example.com', exported_at: Date.UTC(2026, 10, 22), batch_id: 'b-torn' },
        ]),
        'UNCOMPRESSED',
      ),
    );
    return lake;
  }

  it('takes the alerted customers from the partition: a constant-size query (DuckDB) with the right contacts', async () => {
    const lake = await bigLake();
    const queries: string[] = [];
    const deps = {
      lake,
      config: testConfig(),
      log: silentLog,
      openEngine: recordingEngines(lake, {
        named: (name, params) => queries.push(renderSql(name, loadSql(name), params)),
      }),
    };
    const alerts = await readRecallAlerts(lake, AS_OF);
    expect(alerts).toHaveLength(N);
    const key = await writeRecallList(deps, AS_OF, alerts);
    expect(queries).toHaveLength(1);
    expect(Buffer.byteLength(queries[0]!)).toBeLessThan(2048);
    const csv = parseCsv(Buffer.from((await lake.get(key))!).toString('utf8'));
    expect(csv).toHaveLength(N + 1);
    const byId = new Map(csv.slice(1).map((r) => [r.fields[0]!, [r.fields[1]!, r.fields[3]!, r.fields[4]!]]));
    expect(byId.get(customer(0))).toEqual(['ref-0', 'c0@example.com', '']);
    expect(byId.get(customer(7))).toEqual(['ref-7', 'seven-new@example.com', '']);
    expect(byId.get(customer(N - 101))).toEqual([`ref-${N - 101}`, `c${N - 101}@example.com`, '']);
    expect(byId.get(customer(N - 1))).toEqual(['', '', '']); // alerted, no contacts
    expect(byId.has(customer(N))).toBe(false); // contacts, not alerted
    expect(csv.slice(1).filter((r) => r.fields[3] !== '')).toHaveLength(N - 100);
  });

  it('sends Athena the same constant-size statement', async () => {
    const lake = await bigLake();
    const athena = mockClient(AthenaClient);
    try {
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
      athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
      const openEngine = async () =>
        new AthenaEngine({
          athena: new AthenaClient({ region: 'us-east-1' }),
          workGroup: 'storepulse',
          database: 'storepulse_db',
          lake,
          unloadPrefix: 'restricted/athena/unload/',
          newId: () => 'fixed-id',
        });
      const alerts = await readRecallAlerts(lake, AS_OF);
      await writeRecallList({ lake, config: testConfig(), log: silentLog, openEngine }, AS_OF, alerts);
      const sent = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString!);
      expect(sent).toHaveLength(1);
      expect(Buffer.byteLength(sent[0]!)).toBeLessThan(2048);
      expect(sent[0]).toContain(`from churn_recall r where r.dt = '${AS_OF}'`);
      expect(sent[0]).not.toContain(customer(0));
    } finally {
      athena.restore();
    }
  });
});

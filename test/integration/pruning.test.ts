/**
 * Partition pruning through the order_lines view: a line's order date is the same in every export of
 * it, so the latest version is ranked within its (source, dt) partition and a filter on dt or source
 * reaches the file scan. DuckDB's plan says how many files it reads ("Scanning Files: k/N").
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAKE_FIRST_DAY } from '../../shared/formats/values.ts';
import { commitRecords, historyBounds, writeCommit } from '../../shared/lake/commits.ts';
import { runModels } from '../../shared/pipeline/daily-run.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { ingest, recordingEngines, tempDir, tempLake, testConfig } from '../helpers.ts';

const HEADER =
  'status,order_id,customer_id,order_ts,sku,product_name,quantity,unit_price,currency,discount,refund_amount,channel,country,warehouse,email,phone,gift_wrap';

/** Two lines per order, one order per customer and day, over `days` days of November 2026. */
function exportOf(days: number, status: (day: number, n: number) => string): string {
  const rows = [HEADER];
  for (let d = 1; d <= days; d++)
    for (let n = 1; n <= 3; n++)
      for (const sku of ['SKU-1', 'SKU-2'])
        rows.push(
          `${status(d, n)},O-${d}-${n},cust-${n},2026-11-${String(d).padStart(2, '0')}T10:00:00Z,${sku},Tea,1,10.00,USD,0,,web,US,WH-1,,,no`,
        );
  return `${rows.join('\n')}\n`;
}

/** Files each scan of the plan reads, as DuckDB's EXPLAIN reports them: [read, of]. */
async function scans(engine: DuckDbEngine, statement: string): Promise<[number, number][]> {
  const { rows } = await engine.query(`explain (format json) ${statement}`);
  const out: [number, number][] = [];
  const walk = (node: { extra_info?: Record<string, unknown>; children?: unknown[] }) => {
    const files = node.extra_info?.['Scanning Files'];
    if (typeof files === 'string') {
      const [k, n] = files.split('/').map(Number);
      out.push([k!, n!]);
    }
    for (const c of node.children ?? []) walk(c as typeof node);
  };
  for (const r of rows) for (const n of JSON.parse(String(r.explain_value))) walk(n);
  return out;
}

describe('what ingest lands is what Athena can see', () => {
  it('refuses order times before the lake’s first day or in the future, with the reason', async () => {
    const lake = await tempLake();
    const dir = await tempDir();
    const file = join(dir, 'dates.csv');
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString();
    await writeFile(
      file,
      [
        HEADER,
        'completed,O-1,cust-1,1994-12-31T10:00:00Z,SKU-1,Tea,1,10.00,USD,0,,web,US,WH-1,,,no',
        'completed,O-2,cust-1,2000-01-02T10:00:00Z,SKU-1,Tea,1,10.00,USD,0,,web,US,WH-1,,,no',
        `completed,O-3,cust-1,${future},SKU-1,Tea,1,10.00,USD,0,,web,US,WH-1,,,no`,
      ].join('\n'),
    );
    const report = await ingest(lake, file);
    expect(report.rowsLanded).toBe(1);
    expect(report.rowsQuarantined).toBe(2);
    const reasons = Buffer.from((await lake.get(report.quarantineKey!))!).toString('utf8');
    expect(reasons).toContain(`before ${LAKE_FIRST_DAY}, the first day the lake covers`);
    expect(reasons).toContain('is in the future');
  });

  it('refuses a stock count dated before the lake’s first day or in the future, with the reason', async () => {
    const lake = await tempLake();
    const dir = await tempDir();
    const file = join(dir, 'inventory.csv');
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString();
    await writeFile(
      file,
      [
        'snapshot_ts,sku,warehouse,on_hand,inbound,reserved',
        '1994-06-01T06:00:00Z,SN-1,US-EAST,120,0,4',
        '2026-11-23T06:00:00Z,SN-1,US-EAST,120,0,4',
        `${future},MUG-1,US-EAST,8,50,0`,
      ].join('\n'),
    );
    const report = await ingest(lake, file);
    expect(report.rowsLanded).toBe(1);
    expect(report.rowsQuarantined).toBe(2);
    const reasons = Buffer.from((await lake.get(report.quarantineKey!))!).toString('utf8');
    expect(reasons).toContain(`before ${LAKE_FIRST_DAY}, the first day the lake covers`);
    expect(reasons).toContain('is in the future');
  });
});

describe('history bounds from the commit records', () => {
  it('give the earliest day and the sources of committed lines; an older record without days gives the lake’s first day', async () => {
    const lake = await tempLake();
    const dir = await tempDir();
    const file = join(dir, 'orders.csv');
    await writeFile(
      file,
      exportOf(3, () => 'completed'),
    );
    expect(await historyBounds(await commitRecords(lake), 'order_lines')).toBeUndefined();
    const report = await ingest(lake, file);
    expect(await historyBounds(await commitRecords(lake), 'order_lines')).toEqual({
      first: '2026-11-01',
      sources: ['generic'],
      withoutRate: 0,
    });
    expect(await historyBounds(await commitRecords(lake), 'inventory')).toBeUndefined();
    // A batch that landed no rows (half of a Taobao pair) says nothing of where rows lie.
    await writeCommit(lake, {
      batch_id: 'half',
      source: 'taobao',
      table_name: 'order_lines',
      file: 'ExportOrderList.csv',
      rows_landed: 0,
      rows_quarantined: 0,
      committed_at: 0,
    });
    expect(await historyBounds(await commitRecords(lake), 'order_lines')).toEqual({
      first: '2026-11-01',
      sources: ['generic'],
      withoutRate: 0,
    });
    // A commit record written before first_dt existed: the history may start anywhere.
    await writeCommit(lake, {
      batch_id: 'older',
      source: 'shopify',
      table_name: 'order_lines',
      file: 'old.csv',
      rows_landed: 1,
      rows_quarantined: 0,
      committed_at: 0,
    });
    expect(await historyBounds(await commitRecords(lake), 'order_lines')).toEqual({
      first: LAKE_FIRST_DAY,
      sources: ['generic', 'shopify'],
      withoutRate: undefined,
    });
    expect(report.rowsLanded).toBe(18);
  });
});

describe('a daily run reads the order history once', () => {
  it('pins order_lines to one snapshot, and asks the line versions nothing when every line had a rate', async () => {
    const lake = await tempLake();
    const dir = await tempDir();
    const file = join(dir, 'orders.csv');
    await writeFile(
      file,
      exportOf(10, () => 'completed'),
    );
    await ingest(lake, file);
    const asked: string[] = [];
    const pins: string[] = [];
    await runModels(
      {
        lake,
        config: testConfig(),
        log: silentLog,
        openEngine: recordingEngines(lake, {
          named: (name) => asked.push(name),
          pinned: (asOf, _run, opts) =>
            pins.push(`${asOf} from ${opts?.bounds?.first} ${opts?.bounds?.sources.join(',')}`),
        }),
      },
      '2026-11-10',
    );
    expect(pins).toEqual(['2026-11-10 from 2026-11-01 generic']);
    expect(asked).not.toContain('lines_unconverted_at_ingest');
    expect(asked).not.toContain('lines_converted_late');
    expect(asked).toContain('rfm_customer_aggregates');
  });
});

describe('pruning through the order_lines view', () => {
  it('a one-day query reads that day only, and still sees the latest export of each line', async () => {
    const lake = await tempLake();
    const dir = await tempDir();
    const first = join(dir, 'first.csv');
    const again = join(dir, 'again.csv');
    await writeFile(
      first,
      exportOf(10, () => 'completed'),
    );
    // The re-export a day later: day 4's order of customer 2 was refunded.
    await writeFile(
      again,
      exportOf(10, (d, n) => (d === 4 && n === 2 ? 'refunded' : 'completed')),
    );
    await ingest(lake, first, { exportedAt: Date.UTC(2026, 10, 11) });
    await ingest(lake, again, { exportedAt: Date.UTC(2026, 10, 12) });

    const engine = await DuckDbEngine.open(lake);
    try {
      const day =
        "select status, count(*) as n from order_lines where dt = '2026-11-04' group by 1 order by 1";
      expect((await engine.query(day)).rows).toEqual([
        { status: 'completed', n: 4 },
        { status: 'refunded', n: 2 },
      ]);
      const lineScans = (await scans(engine, day)).filter(([, of]) => of === 20); // 10 days x 2 exports
      expect(lineScans.length).toBeGreaterThan(0);
      // Each export wrote one file for the day: two of the twenty.
      for (const [read] of lineScans) expect(read).toBe(2);
      // Without a date filter every file is read (the check above can fail).
      const all = (await scans(engine, 'select count(*) from order_lines')).filter(([, of]) => of === 20);
      for (const [read] of all) expect(read).toBe(20);
    } finally {
      await engine.close();
    }
  });
});

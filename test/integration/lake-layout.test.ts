/**
 * The lake's layout against what Athena needs: Athena reads every object under a Glue table's
 * location as the table's data, so nothing but Parquet may sit under `<zone>/<table>/` (names
 * starting with `_` or `.` are skipped by Athena). The lists for people (the CRM's recall list, the
 * buyers' stockout sheets) live under keys of their own.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../shared/csv/parser.ts';
import {
  movedListKey,
  recallListKey,
  stockoutDropListKey,
  stockoutListKey,
  tablePrefix,
} from '../../shared/lake/keys.ts';
import type { Lake } from '../../shared/lake/lake.ts';
import { LocalLake } from '../../shared/lake/local.ts';
import { readRecallAlerts, readStockoutAlerts, runDaily } from '../../shared/pipeline/daily-run.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import type { TableSpec } from '../../shared/schemas/table.ts';
import { ALL_TABLES } from '../../shared/schemas/tables.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { DEMO_AS_OF } from '../../shared/synth/demo.ts';
import { addDays } from '../../shared/time.ts';
import { cli, fixture, ingest, sql, tempDir, tempLake, testConfig } from '../helpers.ts';

/** Every object under a Glue table location that Athena would read and that is not Parquet. */
async function strayFiles(lake: Lake): Promise<string[]> {
  const stray: string[] = [];
  for (const spec of ALL_TABLES) {
    for (const key of await lake.list(tablePrefix(spec))) {
      const name = key.slice(key.lastIndexOf('/') + 1);
      if (!name.endsWith('.parquet') && !name.startsWith('_') && !name.startsWith('.')) stray.push(key);
    }
  }
  return stray;
}

describe('lake layout', () => {
  it('after the demo (ingest + run) and an inventory drop, only Parquet sits under any table location', async () => {
    const dir = await tempDir();
    const lakeDir = join(dir, 'lake');
    const demo = await cli(['demo', '--lake', lakeDir, '--exports', join(dir, 'exports')]);
    expect(demo.code, demo.err).toBe(0);
    // The next morning's count finds every item empty: the arrival check raises warnings (Parquet + CSV).
    const next = addDays(DEMO_AS_OF, 1);
    const counted = parseCsv(await readFile(join(dir, 'exports', 'inventory.csv'), 'utf8')).slice(1);
    await writeFile(
      join(dir, 'stock-next.csv'),
      `snapshot_ts,sku,warehouse,on_hand,inbound,reserved\n${counted
        .map((r) => `${next}T06:00:00Z,${r.fields[1]},${r.fields[2]},0,0,0`)
        .join('\n')}\n`,
    );
    const drop = await cli(['ingest', join(dir, 'stock-next.csv'), '--lake', lakeDir]);
    expect(drop.code, drop.err).toBe(0);
    expect(drop.out).toMatch(/stockout warnings raised on arrival: \d+ .*list: lists\/stockout\/dt=/);

    const lake = new LocalLake(lakeDir);
    expect(await strayFiles(lake)).toEqual([]);
    // The lists are where the README says, and Athena-facing tables still read.
    expect(await lake.exists(recallListKey(DEMO_AS_OF))).toBe(true);
    expect(await lake.exists(stockoutListKey(DEMO_AS_OF))).toBe(true);
    const dropLists = await lake.list(`lists/stockout/dt=${next}/`);
    expect(dropLists).toEqual([
      expect.stringMatching(/^lists\/stockout\/dt=2026-11-24\/stockout-drop-\w+\.csv$/),
    ]);
    expect(demo.out).toContain(`The CRM import file: ${join(lakeDir, recallListKey(DEMO_AS_OF))}`);
    expect(demo.out).toContain(`list: ${stockoutListKey(DEMO_AS_OF)}`);
  });

  it('builds each list key in one place and refuses unsafe parts', () => {
    expect(recallListKey('2026-11-23')).toBe('restricted/recall_lists/dt=2026-11-23/recall.csv');
    expect(stockoutListKey('2026-11-23')).toBe('lists/stockout/dt=2026-11-23/stockout.csv');
    expect(stockoutDropListKey('2026-11-23', 'ab12')).toBe(
      'lists/stockout/dt=2026-11-23/stockout-drop-ab12.csv',
    );
    expect(() => recallListKey('../x')).toThrow(/bad date/);
    expect(() => stockoutDropListKey('2026-11-23', 'a/b')).toThrow(/bad batch id/);
    expect(movedListKey('alerts/churn_recall/dt=2026-11-23/recall.csv')).toBe(recallListKey('2026-11-23'));
    expect(movedListKey('alerts/stockout/dt=2026-11-23/stockout.csv')).toBe(stockoutListKey('2026-11-23'));
    expect(movedListKey('alerts/stockout/dt=2026-11-23/stockout-drop-ab12.csv')).toBe(
      stockoutDropListKey('2026-11-23', 'ab12'),
    );
    expect(movedListKey('alerts/stockout/dt=2026-11-23/part-0000.parquet')).toBeUndefined();
    expect(movedListKey('models/rfm/dt=2026-11-23/recall.csv')).toBeUndefined();
  });

  it('moves the lists an earlier version left inside the alert tables out of them, and the readers keep working', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('rfm', 'orders.csv'));
    const deps = {
      lake,
      config: testConfig(),
      log: silentLog,
      openEngine: async (tables?: readonly TableSpec[]) => {
        // Moved before any query runs (Athena would read them as the tables' data).
        expect(await strayFiles(lake)).toEqual([]);
        return DuckDbEngine.open(lake, tables ? { tables } : {});
      },
    };
    // An old lake: the lists of an earlier day beside its alert partitions.
    const old = '2026-03-30';
    await lake.put(`alerts/churn_recall/dt=${old}/recall.csv`, 'customer_id\nold-recall\n');
    await lake.put(`alerts/stockout/dt=${old}/stockout.csv`, 'sku\nold-stockout\n');
    await lake.put(`alerts/stockout/dt=${old}/stockout-drop-b1.csv`, 'sku\nold-drop\n');
    // A list whose new copy exists already keeps the new one.
    await lake.put(recallListKey('2026-03-29'), 'customer_id\nnew\n');
    await lake.put('alerts/churn_recall/dt=2026-03-29/recall.csv', 'customer_id\nstale\n');

    const summary = await runDaily(deps, '2026-03-31');
    expect(summary.recallListKey).toBe(recallListKey('2026-03-31'));
    expect(await strayFiles(lake)).toEqual([]);
    const text = async (key: string) => Buffer.from((await lake.get(key)) ?? '').toString('utf8');
    expect(await text(recallListKey(old))).toBe('customer_id\nold-recall\n');
    expect(await text(stockoutListKey(old))).toBe('sku\nold-stockout\n');
    expect(await text(stockoutDropListKey(old, 'b1'))).toBe('sku\nold-drop\n');
    expect(await text(recallListKey('2026-03-29'))).toBe('customer_id\nnew\n');
    // Readers of the alert tables see the Parquet, whether or not a list was ever beside it.
    expect(await readRecallAlerts(lake, '2026-03-31')).toHaveLength(1);
    expect(await readStockoutAlerts(lake, '2026-03-31')).toEqual([]);
    expect(await sql(lake, 'select count(*)::int as n from churn_recall')).toEqual([{ n: 1 }]);
  });
});

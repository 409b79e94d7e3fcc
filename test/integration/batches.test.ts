/**
 * `storepulse batches` and `storepulse forget`: a wrong file taken back and a corrected one
 * ingested; the same file forgotten and ingested again; forgetBatch on a real S3 endpoint.
 */
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchManifestKey } from '../../shared/lake/keys.ts';
import { LocalLake } from '../../shared/lake/local.ts';
import { S3Lake } from '../../shared/lake/s3.ts';
import {
  forgetBatch,
  listBatches,
  resolveBatchId,
  UnknownBatchError,
} from '../../shared/pipeline/batches.ts';
import { ingestFile } from '../../shared/pipeline/ingest.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { cli, fixture, ingest, sql, tempDir, tempLake, testConfig } from '../helpers.ts';
import { type LocalS3, startS3 } from '../s3rver.ts';

const HEADER = 'order_id,customer_id,order_ts,sku,quantity,unit_price,currency,status,line_id,email\n';
/** The wrong export: an order of another shop (W-9) and a quantity of 10 where 1 was sold. */
const WRONG =
  HEADER +
  'W-1,c1,2026-11-19T10:00:00Z,SKU-1,10,10.00,USD,paid,1,c1@example.com\n' +
  'W-2,c2,2026-11-20T10:00:00Z,SKU-2,1,5.00,USD,paid,1,c2@example.com\n' +
  'W-9,c9,2026-11-21T10:00:00Z,SKU-9,3,7.00,USD,paid,1,c9@example.com\n' +
  'W-3,c3,2026-11-21T10:00:00Z,SKU-3,abc,7.00,USD,paid,1,\n';
const CORRECTED =
  HEADER +
  'W-1,c1,2026-11-19T10:00:00Z,SKU-1,1,10.00,USD,paid,1,c1@example.com\n' +
  'W-2,c2,2026-11-20T10:00:00Z,SKU-2,1,5.00,USD,paid,1,c2@example.com\n';

interface Counts {
  orders: number;
  units: number;
}

async function counts(lake: string): Promise<Counts> {
  const r = await cli([
    'query',
    '--lake',
    lake,
    '--format',
    'json',
    "select count(distinct order_id)::int as orders, coalesce(sum(quantity), 0)::int as units from order_lines where order_id like 'W-%'",
  ]);
  expect(r.code).toBe(0);
  return (JSON.parse(r.out) as Counts[])[0]!;
}

async function keysWith(lake: LocalLake, batchId: string): Promise<string[]> {
  return (await lake.list('')).filter((k) => k.includes(batchId));
}

describe('storepulse batches and forget', () => {
  it('takes a wrong file back and ingests the corrected one', async () => {
    const dir = await tempDir();
    const lake = join(dir, 'lake');
    const wrong = join(dir, 'orders.csv');
    await writeFile(wrong, WRONG);
    await utimes(wrong, new Date('2026-11-22T00:00:00Z'), new Date('2026-11-22T00:00:00Z'));
    expect((await cli(['ingest', wrong, '--lake', lake])).out).toMatch(/3 rows landed .* 1 quarantined/);
    expect(await counts(lake)).toEqual({ orders: 3, units: 14 });

    const listed = await cli(['batches', '--lake', lake, '--format', 'csv']);
    expect(listed.code).toBe(0);
    const [header, row, ...more] = listed.out.trim().split('\r\n');
    expect(header).toBe('batch,file,source,table,rows,quarantined,state,when');
    expect(more).toEqual([]);
    expect(row).toMatch(/^[0-9a-f]{32},orders\.csv,generic,order_lines,3,1,committed,2026-\d\d-\d\dT/);
    const batchId = row!.slice(0, 32);
    const local = new LocalLake(lake);
    const before = await keysWith(local, batchId);
    expect(before.some((k) => k.startsWith('restricted/contacts/'))).toBe(true);
    expect(before.some((k) => k.startsWith('quarantine/order_lines/'))).toBe(true);

    // The start of the id is enough.
    const forgot = await cli(['forget', batchId.slice(0, 8), '--lake', lake]);
    expect(forgot.code).toBe(0);
    expect(forgot.out).toMatch(
      new RegExp(`^forgot batch ${batchId} \\(orders\\.csv, generic -> order_lines, 3 rows\\)`),
    );
    expect(forgot.out).toContain(`removed ${batchManifestKey(batchId)}`);
    expect(forgot.out).toContain('removed curated/order_lines/: 3 file(s) in 3 partition(s)');
    expect(forgot.out).toMatch(/removed restricted\/contacts\/: 1 file\(s\)/);
    expect(forgot.out).toContain(`removed quarantine/order_lines/source=generic/${batchId}.csv`);
    expect(forgot.out).toMatch(new RegExp(`kept raw/${batchId}/orders\\.csv \\(--raw removes it\\)`));
    expect(await counts(lake)).toEqual({ orders: 0, units: 0 });
    // Nothing of it is left but the raw copy, which `batches` shows as such.
    expect(await keysWith(local, batchId)).toEqual([`raw/${batchId}/orders.csv`]);
    expect((await cli(['batches', '--lake', lake, '--format', 'csv'])).out).toMatch(/,raw-only,/);

    const fixed = join(dir, 'orders-fixed.csv');
    await writeFile(fixed, CORRECTED);
    await utimes(fixed, new Date('2026-11-21T00:00:00Z'), new Date('2026-11-21T00:00:00Z'));
    expect((await cli(['ingest', fixed, '--lake', lake])).out).toMatch(/2 rows landed .* 0 quarantined/);
    expect(await counts(lake)).toEqual({ orders: 2, units: 2 });

    const table = await cli(['batches', '--lake', lake]);
    expect(table.out).toMatch(/^batch +file +source +table +rows +quarantined +state +when\n/);
    // Newest first: the corrected file, then what is left of the wrong one.
    const rows = table.out.split('\n').slice(2, 4);
    expect(rows[0]).toMatch(/^[0-9a-f]{12} +orders-fixed\.csv +generic +order_lines +2 +0 +committed +2026-/);
    expect(rows[1]).toMatch(new RegExp(`^${batchId.slice(0, 12)} +orders\\.csv +raw-only`));
  });

  it('forgets a file and ingests the same file again (no longer "already ingested")', async () => {
    const dir = await tempDir();
    const lake = join(dir, 'lake');
    const file = join(dir, 'orders.csv');
    await writeFile(file, CORRECTED);
    await cli(['ingest', file, '--lake', lake]);
    expect((await cli(['ingest', file, '--lake', lake])).out).toMatch(/already ingested/);
    const { batchId } = (await listBatches(new LocalLake(lake)))[0]!;

    const forgot = await cli(['forget', batchId, '--raw', '--lake', lake]);
    expect(forgot.code).toBe(0);
    expect(forgot.out).toContain(`removed raw/${batchId}/orders.csv`);
    expect(await counts(lake)).toEqual({ orders: 0, units: 0 });
    expect(await keysWith(new LocalLake(lake), batchId)).toEqual([]);
    expect((await cli(['batches', '--lake', lake, '-f', 'csv'])).out).toBe(
      'batch,file,source,table,rows,quarantined,state,when\r\n',
    );

    const again = await cli(['ingest', file, '--lake', lake]);
    expect(again.out).toMatch(/orders\.csv: generic -> order_lines, 2 rows landed/);
    expect(await counts(lake)).toEqual({ orders: 2, units: 2 });
  });

  it('are in the program help, each with its own', async () => {
    const help = await cli(['--help']);
    expect(help.out).toMatch(/\n {2}batches +list the batches/);
    expect(help.out).toMatch(/\n {2}forget +remove one batch/);
    expect((await cli(['forget', '--help'])).out).toMatch(/^Usage: storepulse forget BATCH/);
    expect((await cli(['batches', '--help'])).out).toMatch(/^Usage: storepulse batches/);
  });

  it('answers an unknown or ambiguous id with exit 2 and how to list the ids', async () => {
    const dir = await tempDir();
    const lake = join(dir, 'lake');
    const unknown = await cli(['forget', 'deadbeef', '--lake', lake]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(
      /no batch "deadbeef" in the lake; "storepulse batches --lake .*" lists the batch ids/,
    );
    expect((await cli(['forget', '--lake', lake])).code).toBe(2);
    expect((await cli(['batches', '--format', 'xml', '--lake', lake])).code).toBe(2);

    const local = new LocalLake(lake);
    const a = `abc${'0'.repeat(29)}`;
    const b = `abd${'0'.repeat(29)}`;
    for (const id of [a, b]) await local.put(batchManifestKey(id), JSON.stringify({ file: `${id}.csv` }));
    expect(await resolveBatchId(local, 'ABC')).toBe(a);
    await expect(resolveBatchId(local, 'ab')).rejects.toThrow(UnknownBatchError);
    const ambiguous = await cli(['forget', 'ab', '--lake', lake]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toMatch(/"ab" is the start of 2 batch ids .*give more of the id/);
  });

  it('lists a batch an ingest left without its manifest as uncommitted, and forgets it', async () => {
    const dir = await tempDir();
    const lake = new LocalLake(join(dir, 'lake'));
    const file = join(dir, 'orders.csv');
    await writeFile(file, CORRECTED);
    const report = await ingestFile(
      { lake, config: testConfig(), log: silentLog },
      { path: file, exportedAt: Date.UTC(2026, 10, 22) },
    );
    // As if interrupted just before its commit: no commit record (where the lake has them), no manifest.
    for (const key of await lake.list('curated/batch_commits/')) await lake.delete(key);
    await lake.delete(batchManifestKey(report.batchId));
    const [listed] = await listBatches(lake);
    expect(listed).toMatchObject({ batchId: report.batchId, state: 'uncommitted', file: 'orders.csv' });
    const forgot = await forgetBatch(lake, report.batchId);
    expect(forgot.removed.length).toBeGreaterThan(0);
    expect(await keysWith(lake, report.batchId)).toEqual([`raw/${report.batchId}/orders.csv`]);
  });
});

describe('forgetBatch: Taobao halves and stockout warnings', () => {
  const ORDERS = fixture('formats', 'taobao_ExportOrderList201707111200.csv');
  const ITEMS = fixture('formats', 'taobao_ExportOrderDetailList201707111200.csv');
  const lines = async (lake: LocalLake) =>
    Number((await sql(lake, "select count(*)::int as n from order_lines where source = 'taobao'"))[0]!.n);

  it('forgets each half of a Taobao pair: its staged rows, and the lines its ingest landed', async () => {
    const lake = await tempLake();
    const orders = await ingest(lake, ORDERS);
    const items = await ingest(lake, ITEMS);
    const landed = await lines(lake);
    expect(landed).toBeGreaterThan(0);
    expect(items.rowsLanded).toBe(landed);

    // The orders half landed nothing itself: its rows were joined by the items half's ingest.
    const first = await forgetBatch(lake, orders.batchId);
    expect(first.removed).toContain(`staging/taobao-orders/${orders.batchId}.json`);
    expect(first.notes).toEqual([
      `orders it shares with taobao-items batch ${items.batchId.slice(0, 12)} were landed by that batch's ` +
        'ingest and stay until it is forgotten too',
    ]);
    expect(await lines(lake)).toBe(landed);

    const second = await forgetBatch(lake, items.batchId);
    expect(second.removed.some((k) => k.startsWith('staging/joins/'))).toBe(true);
    expect(second.notes).toEqual([]);
    expect(await lines(lake)).toBe(0);
    expect((await lake.list('staging/')).filter((k) => !k.startsWith('staging/joins/'))).toEqual([]);

    // Both ingested again: the orders land once more.
    expect((await ingest(lake, ORDERS)).status).toBe('ingested');
    expect((await ingest(lake, ITEMS)).rowsLanded).toBe(landed);
    expect(await lines(lake)).toBe(landed);
  });

  it("removes the stockout warnings a snapshot raised on arrival, and no other batch's", async () => {
    const lake = await tempLake();
    const mine = 'a'.repeat(32);
    const other = 'b'.repeat(32);
    for (const id of [mine, other]) {
      await lake.put(batchManifestKey(id), JSON.stringify({ file: 'stock.csv', table: 'inventory' }));
      await lake.put(`curated/inventory/source=generic/dt=2026-11-22/${id}.parquet`, 'x');
      await lake.put(`alerts/stockout/dt=2026-11-22/drop-${id}.parquet`, 'x');
      await lake.put(`lists/stockout/dt=2026-11-22/stockout-drop-${id}.csv`, 'x');
    }
    await lake.put('alerts/stockout/dt=2026-11-22/part-0000.parquet', 'x');
    const r = await forgetBatch(lake, mine);
    expect(r.removed).toEqual([
      `curated/inventory/source=generic/dt=2026-11-22/${mine}.parquet`,
      `alerts/stockout/dt=2026-11-22/drop-${mine}.parquet`,
      `lists/stockout/dt=2026-11-22/stockout-drop-${mine}.csv`,
      batchManifestKey(mine),
    ]);
    expect((await lake.list('')).filter((k) => k.includes(mine))).toEqual([]);
    expect(await lake.list('alerts/')).toHaveLength(2);
  });
});

describe('forgetBatch on S3', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startS3('forget');
  });
  afterAll(async () => {
    await s3.stop();
  });

  it('removes a batch from an S3 lake, and the same file ingests again', async () => {
    const lake = new S3Lake(s3.client, s3.bucket, 'lake');
    const dir = await tempDir();
    const wrong = join(dir, 'orders.csv');
    await writeFile(wrong, WRONG);
    const deps = { lake, config: testConfig(), log: silentLog };
    const first = await ingestFile(deps, { path: wrong, exportedAt: Date.UTC(2026, 10, 22) });
    expect(first).toMatchObject({ status: 'ingested', rowsLanded: 3, rowsQuarantined: 1 });
    const mine = async () => (await lake.list('')).filter((k) => k.includes(first.batchId));
    const written = await mine();
    expect(written.filter((k) => k.startsWith('curated/order_lines/'))).toHaveLength(3);
    expect(written.some((k) => k.startsWith('restricted/contacts/'))).toBe(true);

    expect((await listBatches(lake)).map((b) => [b.batchId, b.state])).toEqual([
      [first.batchId, 'committed'],
    ]);
    expect(await resolveBatchId(lake, first.batchId.slice(0, 6))).toBe(first.batchId);
    const kept = await forgetBatch(lake, first.batchId);
    // The commit record first, then the files, and the manifest last (until then a forget that
    // stopped is listed as an uncommitted batch, to be run again).
    const commits = written.filter((k) => k.startsWith('curated/batch_commits/'));
    expect(kept.removed.slice(0, commits.length)).toEqual(commits);
    expect(kept.removed.at(-1)).toBe(batchManifestKey(first.batchId));
    expect(kept.removed).toEqual(
      written.filter((k) => !k.startsWith('raw/')).sort((x, y) => order(x) - order(y) || x.localeCompare(y)),
    );
    expect(await mine()).toEqual([`raw/${first.batchId}/orders.csv`]);

    expect((await ingestFile(deps, { path: wrong, exportedAt: Date.UTC(2026, 10, 22) })).status).toBe(
      'ingested',
    );
    const gone = await forgetBatch(lake, first.batchId, { raw: true });
    expect(gone.removed).toContain(`raw/${first.batchId}/orders.csv`);
    expect(await mine()).toEqual([]);
    expect(await listBatches(lake)).toEqual([]);
  });
});

/** The order forgetBatch removes keys in: commit record, curated and contacts, quarantine, manifest. */
const order = (key: string): number =>
  key.startsWith('curated/batch_commits/')
    ? -1
    : key.startsWith('_manifests/')
      ? 4
      : key.startsWith('curated/')
        ? 1
        : key.startsWith('restricted/')
          ? 2
          : 3;

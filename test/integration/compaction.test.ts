/**
 * Compaction (shared/lake/compaction.ts): one file per partition, superseded versions out of the
 * files queries read, and nothing a reader sees changes — before, during (a compaction stopped after
 * any write or delete) or after; `forget` still takes back exactly one batch.
 */
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitRecords } from '../../shared/lake/commits.ts';
import { compactLake } from '../../shared/lake/compaction.ts';
import { maintenanceLockKey } from '../../shared/lake/keys.ts';
import type { Lake } from '../../shared/lake/lake.ts';
import { LocalLake } from '../../shared/lake/local.ts';
import { LakeBusyError, withMaintenanceLock } from '../../shared/lake/maintenance.ts';
import { forgetBatch, listBatches } from '../../shared/pipeline/batches.ts';
import { contacts, QUERYABLE_TABLES } from '../../shared/schemas/tables.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { cli, ingest, tempDir } from '../helpers.ts';

const HEADER =
  'status,order_id,customer_id,order_ts,sku,product_name,quantity,unit_price,currency,discount,refund_amount,channel,country,warehouse,email,phone,gift_wrap';

/** Two lines per order, three customers a day, days `from`..`to` of November 2026. */
function exportOf(from: number, to: number, status: (day: number, n: number) => string): string {
  const rows = [HEADER];
  for (let d = from; d <= to; d++)
    for (let n = 1; n <= 3; n++)
      for (const sku of ['SKU-1', 'SKU-2'])
        rows.push(
          `${status(d, n)},O-${d}-${n},cust-${n},2026-11-${String(d).padStart(2, '0')}T10:00:00Z,${sku},Tea,1,10.00,USD,0,${status(d, n) === 'refunded' ? '10.00' : ''},web,US,WH-1,c${n}@example.com,,no`,
        );
  return `${rows.join('\n')}\n`;
}

/**
 * A lake with three exports: days 1-6, a re-export of days 4-8 a day later (two orders refunded),
 * and days 9-10: partitions with one file, with two versions of each line, and with one.
 */
async function threeExports(): Promise<{ root: string; lake: LocalLake; batches: string[] }> {
  const dir = await tempDir();
  const root = join(dir, 'lake');
  const lake = new LocalLake(root);
  const files: [string, string, number][] = [
    ['first.csv', exportOf(1, 6, () => 'completed'), Date.UTC(2026, 10, 11)],
    [
      'again.csv',
      exportOf(4, 8, (d, n) => (d === 5 && n < 3 ? 'refunded' : 'completed')),
      Date.UTC(2026, 10, 12),
    ],
    ['later.csv', exportOf(9, 10, () => 'paid'), Date.UTC(2026, 10, 13)],
  ];
  const batches: string[] = [];
  for (const [name, body, exportedAt] of files) {
    const path = join(dir, name);
    await writeFile(path, body);
    batches.push((await ingest(lake, path, { exportedAt })).batchId);
  }
  return { root, lake, batches };
}

/** What readers see: every committed view's rows (compaction_id aside), in a fixed order. */
async function seen(lake: Lake): Promise<Record<string, unknown[]>> {
  const engine = await DuckDbEngine.open(lake, { tables: [...QUERYABLE_TABLES, contacts] });
  try {
    const out: Record<string, unknown[]> = {};
    for (const view of ['order_lines', 'order_lines_versions', 'contacts']) {
      out[view] = (await engine.query(`select * exclude (compaction_id) from ${view} order by all`)).rows;
    }
    return out;
  } finally {
    await engine.close();
  }
}

const dataFiles = async (lake: Lake, prefix: string) =>
  (await lake.list(prefix)).filter((k) => k.endsWith('.parquet')).length;

/** A lake whose process dies after `writes` puts and deletes: every later one fails too. */
class DyingLake implements Lake {
  private left: number;
  constructor(
    private readonly inner: LocalLake,
    writes: number,
  ) {
    this.left = writes;
  }
  get location() {
    return this.inner.location;
  }
  get localRoot() {
    return this.inner.localRoot;
  }
  private step(): void {
    if (this.left-- <= 0) throw new Error('the process died');
  }
  async put(key: string, body: Uint8Array | string) {
    this.step();
    return this.inner.put(key, body);
  }
  async putIfAbsent(key: string, body: Uint8Array | string) {
    this.step();
    return this.inner.putIfAbsent(key, body);
  }
  async putFile(key: string, path: string) {
    this.step();
    return this.inner.putFile(key, path);
  }
  async delete(key: string) {
    this.step();
    return this.inner.delete(key);
  }
  get = (key: string) => this.inner.get(key);
  exists = (key: string) => this.inner.exists(key);
  list = (prefix: string) => this.inner.list(prefix);
  sizes = (prefix: string) => this.inner.sizes(prefix);
  modifiedAt = (key: string) => this.inner.modifiedAt(key);
  uri = (k: string) => this.inner.uri(k);
}

describe('compaction', () => {
  it('leaves one file per partition and the latest version of each line, and readers see the same rows', async () => {
    const { lake, batches } = await threeExports();
    const before = await seen(lake);
    const filesBefore = await dataFiles(lake, 'curated/order_lines/');
    expect(filesBefore).toBe(6 + 5 + 2); // days 4-6 have a file of each of the first two exports
    expect(before.order_lines_versions).toHaveLength((6 + 5 + 2) * 6);

    const report = await compactLake(lake);
    expect(report).toMatchObject({
      partitions: 3 + 1,
      versionsArchived: 3 * 6,
      commitObjects: { before: 3, after: 1 },
    });
    const after = await seen(lake);
    // The latest versions and the contacts, exactly; of the versions, those no later export superseded.
    expect(after.order_lines).toEqual(before.order_lines);
    expect(after.contacts).toEqual(before.contacts);
    expect(after.order_lines_versions).toEqual(before.order_lines);
    expect(await dataFiles(lake, 'curated/order_lines/')).toBe(10);
    // The superseded versions are kept out of the table's location; the records are one object each.
    expect(await dataFiles(lake, 'curated/archive/order_lines/')).toBe(3);
    expect(await lake.list('curated/batch_commits/')).toHaveLength(1);
    expect(await lake.list('curated/compactions/')).toHaveLength(1);
    expect((await commitRecords(lake)).map((r) => r.batch_id).sort()).toEqual([...batches].sort());
    expect((await listBatches(lake)).map((b) => b.state)).toEqual(['committed', 'committed', 'committed']);

    // Nothing left to rewrite: the second compaction only drops the names of the deleted files from
    // the record, and the third does nothing at all.
    expect(await compactLake(lake)).toMatchObject({ partitions: 0, filesDeleted: 0 });
    expect(await compactLake(lake)).toMatchObject({ compactionId: null, partitions: 0, filesDeleted: 0 });
    expect(await seen(lake)).toEqual(after);
    expect(await lake.list('curated/compactions/')).toHaveLength(1);
  });

  it('keeps the version the order_lines view ranks first, when two exports carry the same export time', async () => {
    const dir = await tempDir();
    const lake = new LocalLake(join(dir, 'lake'));
    const sameTime = Date.UTC(2026, 10, 11);
    for (const [name, status] of [
      ['a.csv', 'completed'],
      ['b.csv', 'refunded'],
    ] as const) {
      await writeFile(
        join(dir, name),
        exportOf(1, 2, () => status),
      );
      await ingest(lake, join(dir, name), { exportedAt: sameTime });
    }
    const before = await seen(lake);
    // The later ingest wins the tie in the view (ingested_at), and so in the compacted file.
    expect(new Set(before.order_lines!.map((r) => (r as { status: string }).status))).toEqual(
      new Set(['refunded']),
    );
    await compactLake(lake);
    expect((await seen(lake)).order_lines).toEqual(before.order_lines);
  });

  it('compacts again when a later export lands in compacted partitions, and a forget reads every archive', async () => {
    const { lake } = await threeExports();
    await compactLake(lake);
    const compacted = await seen(lake);
    const dir = await tempDir();
    const path = join(dir, 'refunds.csv');
    await writeFile(
      path,
      exportOf(5, 6, (_d, n) => (n === 3 ? 'refunded' : 'completed')),
    );
    const refunds = await ingest(lake, path, { exportedAt: Date.UTC(2026, 10, 14) });
    const before = await seen(lake);
    const report = await compactLake(lake);
    expect(report.partitions).toBe(2 + 1);
    expect((await seen(lake)).order_lines).toEqual(before.order_lines);
    expect(await lake.list('curated/compactions/')).toHaveLength(1);
    expect(await dataFiles(lake, 'curated/order_lines/')).toBe(10);
    // Days 5 and 6 have an archive of each compaction (written, never rewritten); taking the refunds
    // back rewrites them as one and brings back the versions of before.
    const day5 = 'curated/archive/order_lines/source=generic/dt=2026-11-05/';
    expect(await dataFiles(lake, day5)).toBe(2);
    await forgetBatch(lake, refunds.batchId);
    expect((await seen(lake)).order_lines).toEqual(compacted.order_lines);
    expect(await dataFiles(lake, day5)).toBe(1);
  });

  it('stopped after any write or delete, readers see the rows of before or of after, never a mix, and the next run completes it', async () => {
    const base = await threeExports();
    const before = await seen(base.lake);
    const done = await tempDir();
    await cp(base.root, done, { recursive: true });
    await compactLake(new LocalLake(done));
    const after = await seen(new LocalLake(done));

    let writes = 0;
    for (; ; writes++) {
      const root = join(await tempDir(), 'lake');
      await cp(base.root, root, { recursive: true });
      const lake = new LocalLake(root);
      const died = await compactLake(new DyingLake(lake, writes)).then(
        () => false,
        (e: Error) => {
          expect(e.message).toBe('the process died');
          return true;
        },
      );
      const now = await seen(lake);
      expect([before, after], `stopped after ${writes} writes`).toContainEqual(now);
      if (!died) break;
      // The dead process's lock expires; the next compaction finishes the work.
      await lake.delete(maintenanceLockKey);
      await compactLake(lake);
      expect(await seen(lake), `completed after stopping at ${writes}`).toEqual(after);
      expect(await lake.list('curated/compactions/')).toHaveLength(1);
      expect(await lake.list('curated/order_lines/'), `stopped after ${writes}`).toHaveLength(10);
    }
    expect(writes).toBeGreaterThan(10);
  }, 120_000);

  it('forgetting a batch after compaction gives what forgetting it before would have: superseded versions come back', async () => {
    for (const which of [0, 1]) {
      const plain = await threeExports();
      const compacted = join(await tempDir(), 'lake');
      await cp(plain.root, compacted, { recursive: true });
      const lake = new LocalLake(compacted);
      await compactLake(lake);

      await forgetBatch(plain.lake, plain.batches[which]!);
      const report = await forgetBatch(lake, plain.batches[which]!);
      expect(report.notes.join()).toMatch(/compacted partition\(s\) written again without its rows/);
      const expected = await seen(plain.lake);
      const got = await seen(lake);
      expect(got.order_lines, `forgetting export ${which}`).toEqual(expected.order_lines);
      expect(got.contacts).toEqual(expected.contacts);
      // Listed as the plain lake lists it: its raw copy is kept.
      const states = async (l: Lake) => (await listBatches(l)).map((b) => `${b.batchId} ${b.state}`).sort();
      expect(await states(lake)).toEqual(await states(plain.lake));
    }
  });

  it('a forget stopped part-way is listed as uncommitted and run again gives the same lake', async () => {
    const plain = await threeExports();
    const target = plain.batches[1]!;
    await compactLake(plain.lake);
    const clean = join(await tempDir(), 'lake');
    await cp(plain.root, clean, { recursive: true });
    await forgetBatch(new LocalLake(clean), target);
    const expected = await seen(new LocalLake(clean));

    // 1: the lock; 2, 3: the merged commit records written again without it, the old ones deleted.
    for (const writes of [2, 3, 5, 8]) {
      const root = join(await tempDir(), 'lake');
      await cp(plain.root, root, { recursive: true });
      const lake = new LocalLake(root);
      await expect(forgetBatch(new DyingLake(lake, writes), target)).rejects.toThrow('the process died');
      expect((await listBatches(lake)).find((b) => b.batchId === target)?.state).toBe(
        writes < 3 ? 'committed' : 'uncommitted',
      );
      await lake.delete(maintenanceLockKey);
      await forgetBatch(lake, target);
      expect(await seen(lake), `stopped after ${writes}`).toEqual(expected);
    }
  });

  it('leaves a partition of more than its budget as it is, and says so', async () => {
    const { lake } = await threeExports();
    const before = await seen(lake);
    const report = await compactLake(lake, { budgetBytes: 1 });
    expect(report).toMatchObject({ partitions: 0, partitionsOverBudget: 4, versionsArchived: 0 });
    expect(await dataFiles(lake, 'curated/order_lines/')).toBe(13);
    expect(await seen(lake)).toEqual(before);
  });

  it('storepulse compact says what it did, then that there is nothing to do, and refuses a lake another job holds', async () => {
    const { root, lake } = await threeExports();
    const first = await cli(['compact', '--lake', root]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(
      /^lake: 4 partition\(s\) compacted in [\d.]+ s: files read by queries 16 -> 11; 18 superseded line version\(s\) archived; commit records in 3 -> 1 object\(s\)\n$/,
    );
    expect(first.err).toContain('compacting: 4/4 partitions');
    await compactLake(lake); // drops the names of the files the first deleted from the record
    expect((await cli(['compact', '--lake', root])).out).toBe(`lake: nothing to compact in ${root}\n`);
    await lake.put(
      maintenanceLockKey,
      JSON.stringify({ job: 'forget batch x', token: 't', since: Date.now() }),
    );
    const busy = await cli(['compact', '--lake', root]);
    expect(busy.code).toBe(1);
    expect(busy.err).toMatch(/cannot compact the lake: a forget batch x has been rewriting this lake since/);
    // storepulse run goes on without compacting, and says why.
    const run = await cli(['run', '--lake', root, '--date', '2026-11-12']);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/lake: not compacted \(cannot compact the lake: a forget batch x/);
  }, 60_000);

  it('one compaction or forget at a time; a lock left by a dead process expires', async () => {
    const { lake, batches } = await threeExports();
    let inside = false;
    await withMaintenanceLock(lake, 'compact the lake', async () => {
      inside = true;
      await expect(compactLake(lake)).rejects.toThrow(LakeBusyError);
      await expect(forgetBatch(lake, batches[0]!)).rejects.toThrow(
        /cannot forget batch .* a compact the lake has been/,
      );
    });
    expect(inside).toBe(true);
    const hourAgo = Date.now() - 61 * 60_000;
    await lake.put(
      maintenanceLockKey,
      JSON.stringify({ job: 'compact the lake', token: 'dead', since: hourAgo }),
    );
    await expect(compactLake(lake)).resolves.toMatchObject({ partitions: 4 });
    expect(await lake.exists(maintenanceLockKey)).toBe(false);
  });
});

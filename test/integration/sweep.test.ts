/**
 * The sweep of leftovers of dead writers (issue 17, part 2): temporary files and files of batches
 * with no commit record go once they are an hour old, never younger ones (a live writer's), never a
 * committed batch's; a batch of an earlier version (manifest, no commit record) is committed.
 */
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SWEEP_MIN_AGE_MS, sweepLake } from '../../shared/lake/commits.ts';
import { batchCommitKey, batchManifestKey } from '../../shared/lake/keys.ts';
import { fixture, ingest, sql, tempLake } from '../helpers.ts';

describe('sweeping a lake', () => {
  it('removes old leftovers of uncommitted batches and temporary files, keeps young ones and committed batches', async () => {
    const lake = await tempLake();
    const done = await ingest(lake, fixture('dirty', 'dirty_orders.csv'));
    const dead = 'a'.repeat(32);
    const live = 'b'.repeat(32);
    const deadKey = `curated/order_lines/source=shopify/dt=2026-01-01/${dead}-0000.parquet`;
    const deadContacts = `restricted/contacts/source=shopify/${dead}-p1-0000.parquet`;
    const liveKey = `curated/order_lines/source=shopify/dt=2026-01-01/${live}-0000.parquet`;
    for (const k of [deadKey, deadContacts, liveKey]) await lake.put(k, 'x');
    await lake.put('raw/keep/file.csv', 'x'); // not a batch table: never swept
    const now = Date.now();
    const hourAgo = (now - SWEEP_MIN_AGE_MS - 1000) / 1000;
    for (const k of [deadKey, deadContacts]) await utimes(lake.uri(k), hourAgo, hourAgo);
    await writeFile(join(lake.root, '.tmp', '999999-old'), 'x');
    await utimes(join(lake.root, '.tmp', '999999-old'), hourAgo, hourAgo);
    await writeFile(join(lake.root, '.tmp', '999999-young'), 'x');
    // The committed batch's files are as old: they stay.
    for (const k of await lake.list('curated/order_lines/'))
      if (k.includes(done.batchId)) await utimes(lake.uri(k), hourAgo, hourAgo);

    const r = await sweepLake(lake, { now });
    expect(r).toEqual({ tempFiles: 1, uncommittedFiles: 2, batches: [dead], legacyCommitted: 0 });
    expect(await lake.exists(deadKey)).toBe(false);
    expect(await lake.exists(deadContacts)).toBe(false);
    expect(await lake.exists(liveKey)).toBe(true);
    expect(await lake.exists('raw/keep/file.csv')).toBe(true);
    expect((await lake.list('curated/order_lines/')).filter((k) => k.includes(done.batchId)).length).toBe(
      done.filesWritten,
    );
  });

  it('commits the batches an earlier version ingested (a manifest without commit record), once', async () => {
    const lake = await tempLake();
    const r = await ingest(lake, fixture('dirty', 'dirty_orders.csv'));
    const [before] = await sql(lake, 'select count(*)::int as n from order_lines_versions');
    // As an earlier version left it: no commit record, a manifest without commitKey.
    await lake.delete(batchCommitKey(r.batchId));
    const { commitKey: _, ...legacy } = r;
    await lake.put(batchManifestKey(r.batchId), JSON.stringify(legacy));
    expect(await sql(lake, 'select count(*)::int as n from order_lines_versions')).toEqual([{ n: 0 }]);

    expect((await sweepLake(lake)).legacyCommitted).toBe(1);
    expect(await sql(lake, 'select count(*)::int as n from order_lines_versions')).toEqual([before]);
    expect(await sql(lake, 'select file, rows_landed from batch_commits')).toEqual([
      { file: r.file, rows_landed: r.rowsLanded },
    ]);
    expect((await sweepLake(lake)).legacyCommitted).toBe(0);
  });

  it('does not commit again a batch being forgotten (its commit record deleted first, its manifest of this version)', async () => {
    const lake = await tempLake();
    const r = await ingest(lake, fixture('dirty', 'dirty_orders.csv'));
    await lake.delete(batchCommitKey(r.batchId));
    expect((await sweepLake(lake)).legacyCommitted).toBe(0);
    expect(await lake.exists(batchCommitKey(r.batchId))).toBe(false);
  });
});

/**
 * Ingest of S3 drops against a real S3 HTTP endpoint (s3rver): the export time an uploader states in
 * the object's metadata (`aws s3 cp --metadata exported-at=…`) decides which export of an order is
 * the newer, not the upload order.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnreadableFileError } from '../../shared/errors.ts';
import { batchManifestKey, quarantineFileReasonKey } from '../../shared/lake/keys.ts';
import { LocalLake } from '../../shared/lake/local.ts';
import { S3Lake } from '../../shared/lake/s3.ts';
import { ingestObject, statedExportTime } from '../../shared/pipeline/ingest-s3.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { sql, tempDir, testConfig } from '../helpers.ts';
import { type LocalS3, startS3 } from '../s3rver.ts';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3('drops');
});
afterAll(async () => {
  await s3.stop();
});

const HEADER = 'order_id,customer_id,order_ts,sku,quantity,unit_price,currency,status,line_id\n';
const exportOf = (status: string) => `${HEADER}O-1,c1,2026-11-19T10:00:00Z,SKU-1,1,10.00,USD,${status},1\n`;

async function drop(lake: S3Lake, key: string, body: string, exportedAt?: string): Promise<void> {
  await s3.client.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: `${lakePrefix(lake)}${key}`,
      Body: body,
      ...(exportedAt ? { Metadata: { 'exported-at': exportedAt } } : {}),
    }),
  );
}

const deps = (lake: S3Lake) => ({
  s3: s3.client,
  bucket: s3.bucket,
  lake,
  config: testConfig({ timeZone: 'Asia/Shanghai' }),
  log: silentLog,
});

/** The S3 lake's curated order lines in a local folder, for the DuckDB views. */
async function localCopy(lake: S3Lake): Promise<LocalLake> {
  const local = new LocalLake(`${await tempDir()}/lake`);
  for (const key of await lake.list('curated/')) await local.put(key, (await lake.get(key))!);
  return local;
}

describe('S3 drops: the stated export time', () => {
  it('an older export uploaded after a newer one does not override its status', async () => {
    const lake = new S3Lake(s3.client, s3.bucket, 'newest-first');
    // The refund export (made on the 21st) is uploaded first; the paid one (made on the 20th) after.
    await drop(lake, 'raw/shopify/refunds.csv', exportOf('refunded'), '2026-11-21T09:00:00+08:00');
    await drop(lake, 'raw/shopify/paid.csv', exportOf('paid'), '2026-11-20T09:00:00+08:00');
    const now = Date.now();
    await ingestObject(deps(lake), `${lakePrefix(lake)}raw/shopify/refunds.csv`, now);
    await ingestObject(deps(lake), `${lakePrefix(lake)}raw/shopify/paid.csv`, now);

    const local = await localCopy(lake);
    expect(
      await sql(
        local,
        'select status, epoch_ms(exported_at) as at from order_lines_versions order by exported_at',
      ),
    ).toEqual([
      { status: 'paid', at: Date.parse('2026-11-20T01:00:00Z') },
      { status: 'refunded', at: Date.parse('2026-11-21T01:00:00Z') },
    ]);
    expect(await sql(local, 'select order_id, status from order_lines')).toEqual([
      { order_id: 'O-1', status: 'refunded' },
    ]);
  });

  it('without the metadata the upload time is the export time; a time without an offset is shop time', async () => {
    const lake = new S3Lake(s3.client, s3.bucket, 'plain');
    await drop(lake, 'raw/a.csv', exportOf('paid'));
    await drop(lake, 'raw/b.csv', exportOf('shipped'), '2026-11-20 09:00');
    const before = Date.now() - 5_000;
    await ingestObject(deps(lake), `${lakePrefix(lake)}raw/a.csv`, 0);
    await ingestObject(deps(lake), `${lakePrefix(lake)}raw/b.csv`, 0);
    const rows = await sql(
      await localCopy(lake),
      'select status, epoch_ms(exported_at) as at from order_lines_versions order by status',
    );
    expect(rows[0]!.status).toBe('paid');
    expect(Number(rows[0]!.at)).toBeGreaterThan(before);
    expect(rows[1]).toEqual({ status: 'shipped', at: Date.parse('2026-11-20T01:00:00Z') });
  });

  it('an invalid stated time quarantines the file whole with the reason; a corrected upload is ingested', async () => {
    const lake = new S3Lake(s3.client, s3.bucket, 'invalid');
    const body = exportOf('paid');
    for (const [name, value, reason] of [
      ['typo.csv', '2026-11-32T09:00:00+08:00', /exported-at="2026-11-32T09:00:00\+08:00" is not a time/],
      ['words.csv', 'yesterday', /exported-at="yesterday" is not a time \(ISO-8601/],
      ['future.csv', '2099-01-01T00:00:00Z', /exported-at="2099-01-01T00:00:00Z" is after the upload/],
    ] as const) {
      await drop(lake, `raw/${name}`, body, value);
      const err = await ingestObject(deps(lake), `${lakePrefix(lake)}raw/${name}`, 0).catch((e) => e);
      expect(err).toBeInstanceOf(UnreadableFileError);
      expect(String(err.message)).toMatch(reason);
    }
    expect(await lake.list('curated/')).toEqual([]);
    expect(await lake.list('_manifests/')).toEqual([]);
    const reasons = await lake.list('quarantine/files/');
    expect(reasons.filter((k) => k.endsWith('/reason.txt'))).toHaveLength(1); // the same bytes: one batch
    const batch = reasons[0]!.split('/')[2]!;
    expect(Buffer.from((await lake.get(quarantineFileReasonKey(batch)))!).toString('utf8')).toMatch(
      /exported-at=/,
    );
    // Uploaded again with a valid time: ingested (nothing marked the bytes as done).
    await drop(lake, 'raw/fixed.csv', body, '2026-11-20T09:00:00+08:00');
    const report = await ingestObject(deps(lake), `${lakePrefix(lake)}raw/fixed.csv`, 0);
    expect(report).toMatchObject({ status: 'ingested', rowsLanded: 1 });
    expect(await lake.exists(batchManifestKey(batch))).toBe(true);
  });

  it('parses the stated time strictly', () => {
    const up = Date.parse('2026-11-20T02:00:00Z');
    expect(statedExportTime('2026-11-20T09:00:00+08:00', 'UTC', up)).toEqual({
      at: Date.parse('2026-11-20T01:00:00Z'),
    });
    expect(statedExportTime(' 2026-11-20T01:00:00Z ', 'UTC', up)).toEqual({
      at: Date.parse('2026-11-20T01:00:00Z'),
    });
    // A few minutes of clock skew are allowed; hours are not.
    expect(statedExportTime('2026-11-20T02:10:00Z', 'UTC', up)).toHaveProperty('at');
    expect(statedExportTime('2026-11-20T09:00:00Z', 'UTC', up)).toHaveProperty('problem');
    expect(statedExportTime('', 'UTC', up)).toHaveProperty('problem');
    expect(statedExportTime('20/11/2026', 'UTC', up)).toHaveProperty('problem');
  });
});

/** The S3 key prefix of a lake (its keys are under it in the bucket). */
const lakePrefix = (lake: S3Lake): string => lake.location.replace(`s3://${lake.bucket}/`, '');

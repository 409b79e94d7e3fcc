import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lake } from '../../shared/lake/lake.ts';
import { LocalLake } from '../../shared/lake/local.ts';
import { S3Lake } from '../../shared/lake/s3.ts';
import { tempDir } from '../helpers.ts';
import { type LocalS3, startS3 } from '../s3rver.ts';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3.stop();
});

const implementations: [string, () => Promise<Lake>][] = [
  ['local folder', async () => new LocalLake(join(await tempDir(), 'lake'))],
  [
    'S3 (s3rver on loopback)',
    async () => new S3Lake(s3.client, s3.bucket, `t${Math.random().toString(36).slice(2)}`),
  ],
];

describe.each(implementations)('lake contract: %s', (_name, make) => {
  it('writes, reads, replaces and deletes objects', async () => {
    const lake = await make();
    expect(await lake.get('a/b.txt')).toBeUndefined();
    expect(await lake.exists('a/b.txt')).toBe(false);
    await lake.put('a/b.txt', 'one');
    expect(Buffer.from((await lake.get('a/b.txt'))!).toString()).toBe('one');
    await lake.put('a/b.txt', new Uint8Array([116, 119, 111]));
    expect(Buffer.from((await lake.get('a/b.txt'))!).toString()).toBe('two');
    expect(await lake.exists('a/b.txt')).toBe(true);
    await lake.delete('a/b.txt');
    expect(await lake.exists('a/b.txt')).toBe(false);
    await lake.delete('a/b.txt'); // absent: no error
  });

  it('lists keys under a prefix, sorted, without the store prefix', async () => {
    const lake = await make();
    await Promise.all(
      ['x/2.txt', 'x/1.txt', 'x/y/3.txt', 'xz/4.txt', 'other.txt'].map((k) => lake.put(k, k)),
    );
    expect(await lake.list('x/')).toEqual(['x/1.txt', 'x/2.txt', 'x/y/3.txt']);
    expect(await lake.list('x')).toEqual(['x/1.txt', 'x/2.txt', 'x/y/3.txt', 'xz/4.txt']);
    expect(await lake.list('nothing/')).toEqual([]);
    // With their sizes in bytes, in the same order (compaction budgets partitions by them).
    expect([...(await lake.sizes('x/'))]).toEqual([
      ['x/1.txt', 7],
      ['x/2.txt', 7],
      ['x/y/3.txt', 9],
    ]);
  });

  it('creates an object only once with putIfAbsent', async () => {
    const lake = await make();
    expect(await lake.putIfAbsent('_config/k', 'first')).toBe(true);
    expect(await lake.putIfAbsent('_config/k', 'second')).toBe(false);
    expect(Buffer.from((await lake.get('_config/k'))!).toString()).toBe('first');
  });

  it('uploads a file larger than one multipart part, byte for byte', async () => {
    const lake = await make();
    const path = join(await tempDir(), 'big.bin');
    const bytes = Buffer.alloc(17 * 1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
    await writeFile(path, bytes);
    await lake.putFile('raw/big.bin', path);
    expect(Buffer.compare(Buffer.from((await lake.get('raw/big.bin'))!), bytes)).toBe(0);
  });

  it('rejects keys that escape the lake', async () => {
    const lake = await make();
    await expect(lake.put('../evil', 'x')).rejects.toThrow(/not a valid lake key/);
  });
});

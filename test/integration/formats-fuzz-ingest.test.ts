/**
 * The properties of issue 22 through real ingest, on a sample: damaged exports of every layout
 * ingested into a lake in-process (the counts agree with the in-memory read of formats-fuzz-*, an
 * unreadable file is kept byte for byte and nothing of it lands, no temporary file is left), then one
 * real `storepulse ingest` child process over a batch of them (exit 0 or 1 only, no stack trace,
 * every file accounted for).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { UnreadableFileError } from '../../shared/errors.ts';
import { quarantineFileKey } from '../../shared/lake/keys.ts';
import type { LocalLake } from '../../shared/lake/local.ts';
import { LAYOUTS } from '../fuzz/layouts.ts';
import { build, caseArb, Reader, stagedPartner } from '../fuzz/properties.ts';
import { ingest, tempDir, tempLake } from '../helpers.ts';

const reader = new Reader();
afterAll(() => reader.close());

/** Every file under the lake's .tmp/ (writes in flight go there, and must be gone after ingest). */
const tmpLeft = (lake: LocalLake) => {
  const dir = join(lake.localRoot!, '.tmp');
  return existsSync(dir) ? readdirSync(dir, { recursive: true }) : [];
};

describe.each(LAYOUTS.map((l) => [l.format, l] as const))('%s, damaged, through ingest', (_n, layout) => {
  it('agrees with the in-memory read; an unreadable file is kept whole', async () => {
    const dir = await tempDir();
    await fc.assert(
      fc.asyncProperty(caseArb(layout), async (c) => {
        const built = build(layout, c);
        const partner = await stagedPartner(reader, built);
        const expected = await reader.read(layout, built.damaged, partner);
        const lake = await tempLake();
        if (built.partner) {
          const p = join(dir, built.partner.layout.file);
          writeFileSync(p, built.partner.bytes);
          await ingest(lake, p);
        }
        const path = join(dir, layout.file);
        writeFileSync(path, built.damaged);
        const got = await ingest(lake, path).catch((err: Error) => err);
        if (got instanceof Error) {
          expect(got, built.describe).toBeInstanceOf(UnreadableFileError);
          const kept = (await lake.list('quarantine/files/')).find((k) => k.endsWith(`/${layout.file}`));
          expect(kept, built.describe).toBeDefined();
          expect(Buffer.from((await lake.get(kept!))!).equals(Buffer.from(built.damaged))).toBe(true);
          const batch = kept!.split('/')[2]!;
          expect(await lake.exists(quarantineFileKey(batch, layout.file))).toBe(true);
          expect(await lake.exists(`quarantine/files/${batch}/reason.txt`)).toBe(true);
          const landed = (await lake.list('curated/')).filter((k) => k.includes(batch));
          expect(landed, built.describe).toEqual([]);
        } else {
          expect('mapped' in expected, `${built.describe}: ingest read what the harness refused`).toBe(true);
          if ('mapped' in expected && expected.mapped.format === layout.format) {
            expect(got.rowsLanded, built.describe).toBe(expected.mapped.lines.length);
            expect(got.rowsQuarantined, built.describe).toBe(expected.mapped.rejected.length);
          }
        }
        expect(tmpLeft(lake), built.describe).toEqual([]);
      }),
      { numRuns: 25, seed: 22 },
    );
  }, 120_000);
});

describe('storepulse ingest as a child process, over damaged exports of every layout', () => {
  it('exits 0 or 1, prints no stack trace, and says something of every file', async () => {
    const dir = await tempDir();
    const files: string[] = [];
    LAYOUTS.forEach((layout, k) => {
      for (const [i, c] of fc.sample(caseArb(layout), { numRuns: 6, seed: 22 + k }).entries()) {
        const built = build(layout, c);
        const path = join(dir, `${i}-${layout.file}`);
        writeFileSync(path, built.damaged);
        files.push(path);
      }
    });
    const bin = fileURLToPath(new URL('../../bin/storepulse.js', import.meta.url));
    const r = spawnSync(process.execPath, [bin, 'ingest', '--lake', join(dir, 'lake'), ...files], {
      encoding: 'utf8',
      env: { ...process.env, STOREPULSE_ID_KEY: 'test-key-0123456789abcdef' },
    });
    expect([0, 1], r.stderr).toContain(r.status);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    for (const f of files) expect(`${r.stdout}${r.stderr}`).toContain(f.slice(dir.length + 1));
    expect(readdirSync(join(dir, 'lake', '.tmp'), { recursive: true })).toEqual([]);
    const reasons = readdirSync(join(dir, 'lake', 'quarantine', 'files'), { recursive: true }).filter((f) =>
      String(f).endsWith('reason.txt'),
    );
    expect(reasons.length).toBe(r.stderr.split('\n').filter((l) => l.startsWith('error: ')).length);
    // Every file refused whole is kept byte for byte.
    for (const name of readdirSync(join(dir, 'lake', 'quarantine', 'files'))) {
      for (const f of readdirSync(join(dir, 'lake', 'quarantine', 'files', name))) {
        if (f === 'reason.txt') continue;
        expect(
          readFileSync(join(dir, 'lake', 'quarantine', 'files', name, f)).equals(readFileSync(join(dir, f))),
        ).toBe(true);
      }
    }
  }, 120_000);
});

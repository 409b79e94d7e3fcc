/**
 * Outputs unchanged (issue 19): the demo's and a 100k synth run's model and alert partitions equal
 * the baseline in test/fixtures/model-outputs/ (doubles within TOLERANCE). See test/model-outputs.ts.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import {
  baselineFile,
  compareParquet,
  GUARDED_RUNS,
  partitionFile,
  RUN_TABLES,
  runGuarded,
} from '../model-outputs.ts';

describe('model outputs against the baseline', () => {
  for (const run of GUARDED_RUNS) {
    it(`${run.name}: every model and alert partition holds the baseline’s rows`, async () => {
      const lake = await runGuarded(run, await tempDir());
      const differences: Record<string, string[]> = {};
      for (const spec of RUN_TABLES) {
        const diffs = await compareParquet(baselineFile(run, spec), partitionFile(lake, spec));
        if (diffs.length) differences[spec.name] = diffs;
      }
      expect(differences).toEqual({});
    }, 180_000);
  }

  it('the comparison fails on a changed value, a missing row and a renamed column', async () => {
    const dir = await tempDir();
    const demo = GUARDED_RUNS[0]!;
    const rfm = RUN_TABLES.find((t) => t.name === 'rfm')!;
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const base = baselineFile(demo, rfm);
    const write = async (name: string, select: string) => {
      const file = join(dir, name);
      await mkdir(dirname(file), { recursive: true });
      await conn.run(`copy (${select}) to '${file}' (format parquet)`);
      return file;
    };
    const same = join(dir, 'same.parquet');
    await copyFile(base, same);
    const changed = await write(
      'changed.parquet',
      `select * replace (case when customer_id = (select min(customer_id) from '${base}') then monetary * 1.001 else monetary end as monetary) from '${base}'`,
    );
    const nudged = await write(
      'nudged.parquet',
      `select * replace (monetary * (1 + 1e-9) as monetary) from '${base}'`,
    );
    const fewer = await write(
      'fewer.parquet',
      `select * from '${base}' where customer_id <> (select min(customer_id) from '${base}')`,
    );
    const renamed = await write('renamed.parquet', `select * rename (monetary as spend) from '${base}'`);
    conn.closeSync();
    db.closeSync();
    expect(await compareParquet(base, same)).toEqual([]);
    expect(await compareParquet(base, nudged)).toEqual([]);
    expect((await compareParquet(base, changed))[0]).toMatch(/monetary: expected [\d.]+, got [\d.]+/);
    expect(await compareParquet(base, fewer)).toEqual([expect.stringMatching(/rows, expected/)]);
    expect((await compareParquet(base, renamed))[0]).toMatch(/^columns differ/);
  });
});

/**
 * Rewrites the baseline of the outputs-unchanged guard (test/model-outputs.ts): runs the demo and
 * the 100k synth through ingest and the daily run, and copies every model and alert partition to
 * test/fixtures/model-outputs/<run>/<table>.parquet (re-encoded, zstd). Only for an intended change of a model's output.
 *   node --import tsx test/model-outputs-baseline.ts
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { baselineFile, GUARDED_RUNS, partitionFile, RUN_TABLES, runGuarded } from './model-outputs.ts';

// Re-encoded by DuckDB with zstd: the same rows in a third of the bytes a fresh clone carries.
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const quote = (path: string) => `'${path.replaceAll("'", "''")}'`;

for (const run of GUARDED_RUNS) {
  const dir = await mkdtemp(join(tmpdir(), `storepulse-baseline-${run.name}-`));
  try {
    const lake = await runGuarded(run, dir);
    for (const spec of RUN_TABLES) {
      const to = baselineFile(run, spec);
      await mkdir(dirname(to), { recursive: true });
      await conn.run(
        `copy (select * from read_parquet(${quote(partitionFile(lake, spec))})) to ${quote(to)} (format parquet, compression zstd, compression_level 19)`,
      );
    }
    process.stdout.write(`${run.name}: ${RUN_TABLES.length} partitions\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Issue 17, parts 1 and 2: a batch is visible all at once or not at all, and an interrupted ingest
 * cleans up after itself. A real `storepulse ingest` process is stopped at known points (the
 * STOREPULSE_INGEST_HOLD hook says when it is there: no sleeps), and `storepulse query` — another
 * process — counts what a reader sees while it waits, after the signal, and after the re-run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSynthExports } from '../../shared/synth/bench-exports.ts';
import { tempDir } from '../helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/storepulse.js', import.meta.url));
const ENV = {
  ...process.env,
  STOREPULSE_ID_KEY: 'test-key-0123456789abcdef',
  // Many flushes (so "mid-write" is a real moment) and both threads, on a file of a few MB.
  STOREPULSE_INGEST_FLUSH_ROWS: '5000',
  STOREPULSE_INGEST_WORKERS: '2',
  STOREPULSE_INGEST_PARALLEL_MIN_BYTES: '1000000',
};
const COUNTS =
  'select (select count(*) from order_lines_versions) as versions, (select count(*) from order_lines) as latest, ' +
  '(select count(distinct customer_id) from order_lines) as customers, (select count(*) from batch_commits) as commits';

let shared: string;
let exportFile: string;
let reference: string;

function query(lake: string): string {
  const r = spawnSync(process.execPath, [BIN, 'query', '--lake', lake, '--format', 'csv', COUNTS], {
    encoding: 'utf8',
    env: ENV,
  });
  expect(r.stderr).toBe('');
  return r.stdout;
}

function ingestSync(lake: string): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, [BIN, 'ingest', '--lake', lake, exportFile], {
    encoding: 'utf8',
    env: ENV,
  });
}

/** Files under a folder of the lake (none when it is absent). */
async function files(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Starts an ingest that holds at `point`; resolves once it says it is there. */
function ingestHeldAt(lake: string, point: string): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'ingest', '--lake', lake, exportFile], {
    env: { ...ENV, STOREPULSE_INGEST_HOLD: point },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(`holding at ${point}`)) resolve({ child, stderr: () => err });
    });
    child.on('exit', (code) =>
      reject(new Error(`ingest ended (${code}) before holding at ${point}: ${err}`)),
    );
  });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });

beforeAll(async () => {
  // Kept for the whole file (tempDir() folders go after each test).
  const dir = await mkdtemp(join(tmpdir(), 'storepulse-interrupt-'));
  shared = dir;
  const out = await writeSynthExports(join(dir, 'exports'), 20_000, { seed: 7 });
  exportFile = out.files.find((f) => f.path.endsWith('orders.csv'))!.path;
  // The same file ingested without interruption: what every re-run must give.
  const lake = join(dir, 'reference');
  expect(ingestSync(lake).status).toBe(0);
  reference = query(lake);
  expect(reference).toMatch(/^versions,latest,customers,commits\r\n[1-9]\d*,[1-9]\d*,[1-9]\d*,1\r\n$/);
}, 120_000);

afterAll(async () => {
  if (shared) await rm(shared, { recursive: true, force: true });
});

describe('an ingest interrupted by a signal', () => {
  it.each([
    ['parse', 'SIGINT', 130],
    ['write', 'SIGINT', 130],
    ['commit', 'SIGTERM', 143],
  ] as const)(
    'at %s (%s): readers see nothing of it before or after, its files are gone, and the re-run completes it',
    async (point, signal, code) => {
      const lake = join(await tempDir(), 'lake');
      const { child, stderr } = await ingestHeldAt(lake, point);

      // Held: whatever is on disk, a reader counts none of it.
      const written = await files(join(lake, 'curated', 'order_lines'));
      if (point === 'parse') expect(written).toEqual([]);
      else expect(written.length).toBeGreaterThan(10);
      expect(query(lake)).toBe('versions,latest,customers,commits\r\n0,0,0,0\r\n');

      child.kill(signal);
      expect(await exited(child)).toBe(code);
      expect(stderr()).toContain(`storepulse ingest: interrupted (${signal}).`);
      expect(stderr()).toMatch(
        point === 'parse'
          ? /not committed|stopped while reading/
          : /not committed \(batch [0-9a-f]{32}\): no reader saw any of its rows; removed the \d+ file/,
      );
      expect(stderr()).toContain('Re-run the same command to complete it');

      // Nothing left: no rows, no curated or contacts files, no temporary files.
      expect(query(lake)).toBe('versions,latest,customers,commits\r\n0,0,0,0\r\n');
      expect(await files(join(lake, 'curated'))).toEqual([]);
      expect(await files(join(lake, 'restricted'))).toEqual([]);
      expect(await files(join(lake, '.tmp'))).toEqual([]);
      expect(await files(join(lake, '_manifests'))).toEqual([]);

      // The same command again: the same rows as an ingest never interrupted.
      const again = ingestSync(lake);
      expect(again.status, again.stderr).toBe(0);
      expect(query(lake)).toBe(reference);
    },
    120_000,
  );
});

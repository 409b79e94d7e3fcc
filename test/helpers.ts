import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { CliIo } from '../cli/io.ts';
import { main } from '../cli/main.ts';
import { type Config, loadConfig } from '../shared/config.ts';
import { LocalLake } from '../shared/lake/local.ts';
import { type IngestReport, ingestFile } from '../shared/pipeline/ingest.ts';
import { silentLog } from '../shared/pipeline/log.ts';
import type { TableSpec } from '../shared/schemas/table.ts';
import { DuckDbEngine } from '../shared/sql/duckdb.ts';
import type { SqlEngine } from '../shared/sql/engine.ts';

export const fixture = (...parts: string[]): string =>
  fileURLToPath(new URL(`./fixtures/${parts.join('/')}`, import.meta.url));

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh folder removed after the test. */
export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'storepulse-test-'));
  temps.push(d);
  return d;
}

export const testConfig = (overrides: Partial<Config> = {}): Config =>
  loadConfig({}, { idKey: 'test-key-0123456789abcdef', ...overrides });

export async function tempLake(): Promise<LocalLake> {
  return new LocalLake(join(await tempDir(), 'lake'));
}

export async function ingest(
  lake: LocalLake,
  path: string,
  opts: { exportedAt?: number; source?: string; config?: Config } = {},
): Promise<IngestReport> {
  return ingestFile(
    { lake, config: opts.config ?? testConfig(), log: silentLog },
    {
      path,
      exportedAt: opts.exportedAt ?? Date.UTC(2026, 10, 23),
      ...(opts.source ? { source: opts.source } : {}),
    },
  );
}

/** Runs SQL over the lake's views with DuckDB. */
export async function sql(lake: LocalLake, statement: string): Promise<Record<string, unknown>[]> {
  const engine = await DuckDbEngine.open(lake);
  try {
    return (await engine.query(statement)).rows;
  } finally {
    await engine.close();
  }
}

/** Runs the CLI in-process and captures what it prints. */
export async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    interactive: false,
  };
  const saved = { ...process.env };
  Object.assign(process.env, { STOREPULSE_ID_KEY: 'test-key-0123456789abcdef', ...env });
  try {
    const code = await main(args, io);
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

/**
 * The daily run's `openEngine` over a local lake's DuckDB, telling `seen` what each engine is asked:
 * every named query (with its parameters) and every pin of `order_lines` to a snapshot.
 */
export function recordingEngines(
  lake: LocalLake,
  seen: {
    named?: (...a: Parameters<SqlEngine['runNamed']>) => void;
    pinned?: (...a: Parameters<SqlEngine['pinOrderLines']>) => void;
  },
): (tables?: readonly TableSpec[]) => Promise<SqlEngine> {
  return async (tables) => {
    const engine = await DuckDbEngine.open(lake, tables ? { tables } : {});
    return {
      runNamed: (name, params) => {
        seen.named?.(name, params);
        return engine.runNamed(name, params);
      },
      query: (q) => engine.query(q),
      pinOrderLines: (asOf, run, opts) => {
        seen.pinned?.(asOf, run, opts);
        return engine.pinOrderLines(asOf, run, opts);
      },
      close: () => engine.close(),
    };
  };
}

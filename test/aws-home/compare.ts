/**
 * A second reader for comparing the two homes: DuckDB reads a model partition's Parquet from the
 * local lake and from the emulated bucket, and the rows are compared in a stable order with a
 * stated tolerance for floating point (the engines add in different orders).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { partitionPrefix } from '../../shared/lake/keys.ts';
import type { Lake } from '../../shared/lake/lake.ts';
import type { TableSpec } from '../../shared/schemas/table.ts';

/** Relative tolerance for doubles; absolute below 1e-9. */
export const FLOAT_TOLERANCE = 1e-6;
/**
 * For fitted parameters (the diagnostics table): Gamma-Gamma's q and gamma lie on a ridge of the
 * likelihood where only their ratio is well determined, and two local runs on the same lake already
 * differ in the sixth digit (DuckDB adds in parallel, in no fixed order); the customer values built
 * from them stay within FLOAT_TOLERANCE.
 */
export const FITTED_PARAMETER_TOLERANCE = 1e-4;

type Row = Record<string, unknown>;

/** A partition's rows, read by DuckDB from copies of its Parquet files, in a canonical order. */
export async function partitionRows(lake: Lake, spec: TableSpec, dt: string): Promise<Row[]> {
  const keys = (await lake.list(partitionPrefix(spec, { dt }))).filter((k) => k.endsWith('.parquet'));
  if (keys.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'storepulse-compare-'));
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    const files: string[] = [];
    for (const [i, key] of keys.entries()) {
      const path = join(dir, `${i}.parquet`);
      await writeFile(path, (await lake.get(key))!);
      files.push(path);
    }
    await db.run("set TimeZone = 'UTC'");
    const list = files.map((f) => `'${f}'`).join(', ');
    const reader = await db.runAndReadAll(`select * from read_parquet([${list}]) order by all`);
    return reader.getRowObjectsJson() as Row[];
  } finally {
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

const close = (a: number, b: number, tolerance: number) =>
  a === b || Math.abs(a - b) <= Math.max(1e-9, tolerance * Math.max(Math.abs(a), Math.abs(b)));

/** The differences between two row lists (empty when equal within the tolerance). */
export function rowDifferences(
  expected: Row[],
  actual: Row[],
  tolerance = FLOAT_TOLERANCE,
  limit = 5,
): string[] {
  const out: string[] = [];
  if (expected.length !== actual.length) out.push(`${actual.length} rows, expected ${expected.length}`);
  for (let i = 0; i < Math.min(expected.length, actual.length) && out.length < limit; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    for (const k of new Set([...Object.keys(e), ...Object.keys(a)])) {
      const x = e[k];
      const y = a[k];
      const num = (v: unknown) =>
        typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : Number.NaN;
      if (x === y || (Number.isFinite(num(x)) && Number.isFinite(num(y)) && close(num(x), num(y), tolerance)))
        continue;
      const id = Object.entries(e)
        .filter(([, v]) => typeof v === 'string')
        .map(([c, v]) => `${c}=${String(v)}`)
        .join(' ');
      out.push(`row ${i} (${id}) ${k}: ${JSON.stringify(y)}, expected ${JSON.stringify(x)}`);
    }
  }
  return out;
}

/**
 * Keys of objects whose content matches `pattern`: Parquet files are read by DuckDB (their pages
 * may be compressed, so the bytes alone would hide a value), anything else as text.
 */
export async function keysMatching(lake: Lake, keys: readonly string[], pattern: RegExp): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'storepulse-scan-'));
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const out: string[] = [];
  try {
    const parquet = new Map<string, string>();
    for (const [i, key] of keys.entries()) {
      const bytes = (await lake.get(key))!;
      if (!key.endsWith('.parquet')) {
        if (pattern.test(Buffer.from(bytes).toString('utf8'))) out.push(key);
        continue;
      }
      const path = join(dir, `${i}.parquet`);
      await writeFile(path, bytes);
      parquet.set(path, key);
    }
    if (parquet.size) {
      const list = [...parquet.keys()].map((f) => `'${f}'`).join(', ');
      const reader = await db.runAndReadAll(
        `select filename, to_json(t)::varchar as row from read_parquet([${list}], union_by_name = true, filename = true) t`,
      );
      for (const r of reader.getRowObjectsJson())
        if (pattern.test(String(r.row))) out.push(parquet.get(String(r.filename))!);
    }
    return [...new Set(out)].sort();
  } finally {
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Column chunk statistics of storepulse's Parquet writer, checked by readers and writers it shares no
 * code with: DuckDB reads the footer (`parquet_metadata`) and computes min/max/null counts over the
 * same rows; arrow-rs (inside parquet-wasm) decodes each file and writes it again with the statistics
 * it computes itself, which must equal ours field for field; and DuckDB must skip files whose bounds
 * exclude a filter without reading their pages (the pages of those files are overwritten with junk).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { EnabledStatistics, readParquet, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { tablePrefix } from '../../shared/lake/keys.ts';
import { ColumnarBuffer } from '../../shared/parquet/columnar-buffer.ts';
import { tableColumnData } from '../../shared/parquet/columns.ts';
import { MAX_STRING_BOUND_BYTES } from '../../shared/parquet/statistics.ts';
import { type ColumnData, writeParquetFile } from '../../shared/parquet/writer.ts';
import { col, type TableSpec } from '../../shared/schemas/table.ts';
import { contacts, fxRates, inventory, orderLines, products } from '../../shared/schemas/tables.ts';
import { writeSynthExports } from '../../shared/synth/bench-exports.ts';
import { fixture, ingest, tempDir, tempLake } from '../helpers.ts';

const spec: TableSpec = {
  name: 'stats_check',
  zone: 'curated',
  doc: 'test table',
  columns: [
    col('label', 'string', 'dictionary column'),
    col('ref', 'string', 'plain column', { unique: true }),
    col('n', 'int32', 'count'),
    col('amount', 'double', 'number'),
    col('flag', 'boolean', 'flag'),
    col('day', 'date', 'date'),
    col('ts', 'timestamp', 'instant'),
  ],
  partitionKeys: [],
};

type Values = Record<string, unknown[]>;

async function duck(): Promise<DuckDBConnection> {
  const c = await (await DuckDBInstance.create(':memory:')).connect();
  await c.run("SET TimeZone = 'UTC'");
  return c;
}

async function rows(c: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/** DuckDB renders doubles as `inf`, `-inf`, `-0.0`: compared as numbers. */
const asNumber = (s: unknown): number =>
  s === 'inf' ? Number.POSITIVE_INFINITY : s === '-inf' ? Number.NEGATIVE_INFINITY : Number(s);

const utf8 = (s: unknown): Buffer => Buffer.from(String(s), 'utf8');

interface Footer {
  file: string;
  column: string;
  type: string;
  stats_min: string | null;
  stats_max: string | null;
  stats_min_value: string | null;
  stats_max_value: string | null;
  stats_null_count: string | null;
  min_is_exact: boolean | null;
  max_is_exact: boolean | null;
}

async function footers(c: DuckDBConnection, glob: string): Promise<Footer[]> {
  return (await rows(
    c,
    `SELECT file_name AS file, path_in_schema AS column, type, stats_min, stats_max, stats_min_value,
       stats_max_value, stats_null_count, min_is_exact, max_is_exact
     FROM parquet_metadata('${glob}') ORDER BY file, column_id`,
  )) as unknown as Footer[];
}

/**
 * Every column chunk of the files in `glob` (one table, `spec`): null count, min and max as DuckDB
 * reads them from the footer equal what DuckDB computes over the rows (NaN aside, as the spec says);
 * a shortened string bound is a prefix of the minimum, or above the maximum. Returns the chunks seen.
 */
async function expectStatisticsOfRows(c: DuckDBConnection, glob: string, table: TableSpec): Promise<number> {
  const meta = await footers(c, glob);
  let chunks = 0;
  for (const column of table.columns) {
    const q = `"${column.name}"`;
    const agg = (f: string) =>
      column.type === 'double' ? `${f}(${q}) FILTER (WHERE NOT isnan(${q}))` : `${f}(${q})`;
    const actual = await rows(
      c,
      `SELECT filename AS file, ${agg('min')}::VARCHAR AS lo, ${agg('max')}::VARCHAR AS hi,
         (count(*) - count(${q}))::VARCHAR AS nulls
       FROM read_parquet('${glob}', filename = true, hive_partitioning = false) GROUP BY filename`,
    );
    for (const a of actual) {
      const m = meta.find((r) => r.file === a.file && r.column === column.name);
      if (!m) throw new Error(`no footer entry for ${String(a.file)} ${column.name}`);
      const where = `${String(a.file)} ${column.name}`;
      chunks++;
      expect(m.stats_null_count, where).toBe(a.nulls);
      if (a.lo === null) {
        // No bounds at all (the exactness flags come only with bounds).
        const fields = [m.stats_min_value, m.stats_max_value, m.stats_min, m.stats_max, m.min_is_exact];
        expect(fields, where).toEqual([null, null, null, null, null]);
        continue;
      }
      if (column.type === 'double') {
        // DuckDB 1.5 shows an infinite bound as NULL (arrow-rs's bound too): only finite ones compared.
        const shown = (s: unknown) => (s !== null && Number.isFinite(asNumber(s)) ? asNumber(s) : null);
        expect(shown(m.stats_min_value), where).toBe(asNumber(a.lo) === 0 ? -0 : shown(a.lo));
        expect(shown(m.stats_max_value), where).toBe(asNumber(a.hi) === 0 ? 0 : shown(a.hi));
      } else if (column.type === 'string') {
        const lo = utf8(a.lo);
        const hi = utf8(a.hi);
        if (m.min_is_exact) expect(m.stats_min_value, where).toBe(a.lo);
        else {
          expect(lo.length, where).toBeGreaterThan(MAX_STRING_BOUND_BYTES);
          expect(lo.subarray(0, utf8(m.stats_min_value).length).equals(utf8(m.stats_min_value)), where).toBe(
            true,
          );
        }
        if (m.max_is_exact) expect(m.stats_max_value, where).toBe(a.hi);
        else {
          expect(hi.length, where).toBeGreaterThan(MAX_STRING_BOUND_BYTES);
          expect(utf8(m.stats_max_value).length, where).toBeLessThanOrEqual(MAX_STRING_BOUND_BYTES);
          expect(Buffer.compare(utf8(m.stats_max_value), hi), where).toBe(1);
        }
        // Byte-wise order: the deprecated fields, compared signed by old readers, stay empty.
        expect([m.stats_min, m.stats_max], where).toEqual([null, null]);
        continue;
      } else {
        expect([m.stats_min_value, m.stats_max_value], where).toEqual([a.lo, a.hi]);
      }
      expect([m.min_is_exact, m.max_is_exact], where).toEqual([true, true]);
      // Signed orders repeat the bounds in the deprecated fields; BOOLEAN's order is not signed.
      const deprecated = column.type === 'boolean' ? [null, null] : [m.stats_min_value, m.stats_max_value];
      expect([m.stats_min, m.stats_max], where).toEqual(deprecated);
    }
  }
  return chunks;
}

/**
 * The `nan_count` (Statistics field 9) of each column chunk, read from the footer with a Thrift
 * compact-protocol decoder written here (no reader above exposes the field).
 */
function nanCounts(file: Uint8Array): (number | undefined)[] {
  const footer = Buffer.from(file).readUInt32LE(file.length - 8);
  let at = file.length - 8 - footer;
  const varint = () => {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = file[at++]!;
      v += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return v;
    }
  };
  const zigzag = () => {
    const v = varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  };
  const value = (type: number): unknown => {
    if (type === 1 || type === 2) return type === 1;
    if (type === 3) return file[at++];
    if (type >= 4 && type <= 6) return zigzag();
    if (type === 7 || type === 8) {
      // A double (8 bytes) or a binary (length, then bytes): skipped.
      const skip = type === 7 ? 8 : varint();
      at += skip;
      return undefined;
    }
    if (type === 9) {
      const head = file[at++]!;
      const n = head >> 4 === 15 ? varint() : head >> 4;
      return Array.from({ length: n }, () => value(head & 0x0f));
    }
    if (type === 12) return struct();
    throw new Error(`thrift type ${type}`);
  };
  const struct = (): Map<number, unknown> => {
    const fields = new Map<number, unknown>();
    let id = 0;
    for (let head = file[at++]!; head !== 0; head = file[at++]!) {
      id = head >> 4 === 0 ? zigzag() : id + (head >> 4);
      fields.set(id, value(head & 0x0f));
    }
    return fields;
  };
  type S = Map<number, unknown>;
  const rowGroup = (struct().get(4) as S[])[0]!;
  return (rowGroup.get(1) as S[]).map(
    (chunk) => ((chunk.get(3) as S).get(12) as S).get(9) as number | undefined,
  );
}

/** arrow-rs (parquet-wasm) decodes the file and writes it again with statistics it computes itself. */
function rewrittenByArrowRs(bytes: Uint8Array): Uint8Array {
  const props = new WriterPropertiesBuilder().setStatisticsEnabled(EnabledStatistics.Chunk).build();
  return writeParquet(readParquet(bytes), props);
}

/** Writes the file, checks its statistics against DuckDB's and arrow-rs's, returns its kinds. */
async function check(c: DuckDBConnection, dir: string, name: string, columns: ColumnData[], count: number) {
  const ours = join(dir, `${name}.parquet`);
  const bytes = await writeParquetFile(spec, columns, count, { codec: 'GZIP' });
  await writeFile(ours, bytes);
  expect(await expectStatisticsOfRows(c, ours, spec)).toBe(spec.columns.length);
  const theirs = join(dir, `${name}-arrow-rs.parquet`);
  await writeFile(theirs, rewrittenByArrowRs(bytes));
  const strip = (f: Footer[]) =>
    f.map(({ file: _, ...rest }) =>
      // arrow-rs marks absent bounds inexact; without bounds the flags say nothing.
      rest.stats_min_value === null ? { ...rest, min_is_exact: null, max_is_exact: null } : rest,
    );
  expect(strip(await footers(c, ours)), name).toEqual(strip(await footers(c, theirs)));
  // nan_count: set for DOUBLE columns only, and equal to DuckDB's count of NaN.
  const nans = await Promise.all(
    spec.columns.map(async (k) =>
      k.type !== 'double'
        ? undefined
        : Number(
            (await rows(c, `SELECT count(*) FILTER (WHERE isnan(${k.name}))::INT AS n FROM '${ours}'`))[0]!.n,
          ),
    ),
  );
  expect(nanCounts(bytes), name).toEqual(nans);
  const [order] = await rows(c, `SELECT column_orders::VARCHAR AS o FROM parquet_file_metadata('${ours}')`);
  expect(String(order!.o).match(/TYPE_ORDER=TypeDefinedOrder\(\)/g)).toHaveLength(spec.columns.length);
}

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Orders that differ: UTF-16 code units put U+1F600 (a surrogate pair, D83D) below U+FF5A, UTF-8
// bytes above it; locale collation puts 'a' before 'Z', bytes the other way round.
const WORDS = ['Z', 'a', 'é', 'ｚ', '😀', '中文', 'ab', 'a b', '', 'zz', '￿', 'Ā'];
const DAY = 86_400_000;

describe('Parquet column statistics', () => {
  it('equal DuckDB over the rows and arrow-rs over the same data, for every column type', async () => {
    const c = await duck();
    const dir = await tempDir();
    const kinds = new Set<string>();
    const write = async (name: string, values: Values) => {
      const { data, rows: count } = tableColumnData(spec, values);
      for (const d of data) kinds.add(d.kind);
      await check(c, dir, name, data, count);
    };
    // Edge values: extreme ints, NaN beside numbers, both zeros and infinities, instants before
    // 1970 and past 2^32 ms, dates before 1970, strings whose orders differ, long strings.
    // Longer than the bound limit: the maximum is cut after 16 emoji (64 bytes) and its last one
    // raised; the minimum's cut at 64 bytes falls inside 'é' and moves before it.
    const longMax = `${'😀'.repeat(16)}é`;
    const longMin = `${' '.repeat(63)}éz`;
    await write('edges', {
      label: [...WORDS, null, longMax],
      ref: ['ｚ', '😀', null, 'Z', 'a', longMin, `${longMax}z`, 'é', '中', 'ｚｚ', '😀😀', 'b', 'c', 'd'],
      n: [2 ** 31 - 1, -(2 ** 31), 0, null, 5, -1, 7, 8, 9, 10, 11, 12, 13, 14],
      amount: [Number.NaN, -0, 0, 2.5, null, -1e300, Number.POSITIVE_INFINITY, 1e-300, 3, 4, 5, 6, 7, 8],
      flag: [true, null, true, true, true, true, true, true, true, true, true, true, true, true],
      day: ['1969-12-31', '2026-11-23', null, '1900-01-01', '2000-02-29', ...Array(9).fill('2001-01-01')],
      ts: [-1, 2 ** 32 + 7, 1_764_000_000_123, null, -(DAY * 365 * 70), ...Array(9).fill(0)],
    });
    // Every value null: no bounds, null count = rows.
    await write('all-null', Object.fromEntries(spec.columns.map((k) => [k.name, [null, null, null]])));
    // Only NaN among the doubles (no bounds), only zeros elsewhere (min -0.0, max +0.0), one boolean.
    await write('nan-and-zeros', {
      label: ['b', 'b', 'b'],
      ref: ['x', 'y', 'z'],
      n: [0, 0, 0],
      amount: [Number.NaN, null, Number.NaN],
      flag: [false, false, null],
      day: ['2026-01-01', '2026-01-01', '2026-01-01'],
      ts: [0, 0, 0],
    });
    const zeros = tableColumnData(spec, {
      label: ['b'],
      ref: ['x'],
      n: [0],
      amount: [0],
      flag: [true],
      day: ['2026-01-01'],
      ts: [0],
    });
    await check(c, dir, 'plus-zero', zeros.data, 1);
    const [zero] = await rows(
      c,
      `SELECT stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('${join(dir, 'plus-zero.parquet')}') WHERE path_in_schema = 'amount'`,
    );
    expect(zero).toEqual({ lo: '-0.0', hi: '0.0' });
    // Random rows: a third of the labels repeat (dictionary), refs mix the words into ids.
    const next = random(18);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
    const n = 3000;
    const maybe = <T>(v: T) => (next() < 0.1 ? null : v);
    await write('random', {
      label: Array.from({ length: n }, () => maybe(`${pick(WORDS)}${pick(WORDS)}`)),
      ref: Array.from({ length: n }, (_, i) => maybe(`${pick(WORDS)}-${i}`)),
      n: Array.from({ length: n }, () => maybe(Math.floor((next() - 0.5) * 2 ** 32))),
      amount: Array.from({ length: n }, () => maybe((next() - 0.5) * 1e6)),
      flag: Array.from({ length: n }, () => maybe(next() < 0.5)),
      day: Array.from({ length: n }, () =>
        maybe(new Date(Math.floor((next() - 0.3) * 2e4) * DAY).toISOString().slice(0, 10)),
      ),
      ts: Array.from({ length: n }, () => maybe(Math.round((next() - 0.3) * 4e12))),
    });
    // What ingest writes: the columnar buffer's dictionary strings (from JS strings and from bytes)
    // and, past its probe, a near-unique column as byte strings; numbers with and without nulls.
    const buf = new ColumnarBuffer(spec);
    for (let i = 0; i < 20_000; i++) {
      buf.startRow(i % 3 === 0 ? 'p' : 'q', () => ({}));
      const label = i % 13 === 0 ? null : `${WORDS[i % WORDS.length]}${i % 50}`;
      if (label !== null && i % 2 === 0) {
        const bytes = Buffer.from(label);
        buf.setBytes(0, bytes, 0, bytes.length);
      } else buf.setString(0, label);
      const ref = `${WORDS[(i * 7) % WORDS.length]}-${i}`;
      const refBytes = Buffer.from(ref);
      if (i % 17 === 0) buf.setString(1, null);
      else buf.setBytes(1, refBytes, 0, refBytes.length);
      buf.setNumber(2, i % 3 === 0 ? i - 9000 : i);
      buf.setNumber(3, i % 11 === 0 ? null : Math.sin(i) * 1000);
      buf.setNumber(4, i % 3 === 0 ? 0 : 1);
      buf.setNumber(5, i % 5 === 0 ? null : 19_000 + (i % 400));
      buf.setNumber(6, 1_700_000_000_000 + i * 60_000);
    }
    let partition = 0;
    for (const p of buf.drain()) {
      for (const d of p.columns) kinds.add(d.kind);
      await check(c, dir, `buffer-${partition++}`, p.columns, p.rows);
    }
    expect([...kinds].sort()).toEqual([
      'binary',
      'boolean',
      'date',
      'dict',
      'double',
      'int32',
      'strings',
      'timestamp_ms',
    ]);
  });

  it('let DuckDB skip a file whose bounds exclude the filter, without reading its pages', async () => {
    const c = await duck();
    const dir = await tempDir();
    const files: string[] = [];
    const days = [1, 2, 3, 4, 5];
    for (const d of days) {
      const count = 500;
      const values: Values = {
        label: Array.from({ length: count }, (_, i) => `SKU-${d}-${i % 10}`),
        ref: Array.from({ length: count }, (_, i) => `O-${d}-${String(i).padStart(4, '0')}`),
        n: Array.from({ length: count }, (_, i) => d * 1000 + i),
        amount: Array.from({ length: count }, (_, i) => d * 10 + i / count),
        flag: Array.from({ length: count }, () => d === 3),
        day: Array.from({ length: count }, () => `2026-01-0${d}`),
        ts: Array.from({ length: count }, (_, i) => Date.UTC(2026, 0, d) + i * 1000),
      };
      const { data, rows: n } = tableColumnData(spec, values);
      const bytes = Buffer.from(await writeParquetFile(spec, data, n));
      if (d !== 3) {
        // Every page of the other days replaced by junk: reading one fails.
        const footer = bytes.readUInt32LE(bytes.length - 8);
        bytes.fill(0xff, 4, bytes.length - 8 - footer);
      }
      files.push(join(dir, `day-${d}.parquet`));
      await writeFile(files.at(-1)!, bytes);
    }
    const all = `read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`;
    // The junk is real: a query that reads every file fails.
    await expect(rows(c, `SELECT sum(n) FROM ${all}`)).rejects.toThrow();
    const day3 = { rows: '500', total: String(500 * 3000 + (499 * 500) / 2) };
    for (const filter of [
      "day = DATE '2026-01-03'",
      "ts >= TIMESTAMPTZ '2026-01-03 00:00:00+00' AND ts < TIMESTAMPTZ '2026-01-04 00:00:00+00'",
      'n BETWEEN 3000 AND 3999',
      'amount BETWEEN 30 AND 39.99',
      "label IN ('SKU-3-0', 'SKU-3-1', 'SKU-3-2', 'SKU-3-3', 'SKU-3-4', 'SKU-3-5', 'SKU-3-6', 'SKU-3-7', 'SKU-3-8', 'SKU-3-9')",
      "ref >= 'O-3-' AND ref < 'O-3-~'",
      // (DuckDB 1.5 does not prune by BOOLEAN bounds: `WHERE flag` reads every file.)
    ]) {
      const [got] = await rows(
        c,
        `SELECT count(*)::VARCHAR AS rows, sum(n)::VARCHAR AS total FROM ${all} WHERE ${filter}`,
      );
      expect(got, filter).toEqual(day3);
    }
  });

  it('of the files ingest writes equal DuckDB over their rows, long product names included', async () => {
    const dir = await tempDir();
    const lake = await tempLake();
    const synth = await writeSynthExports(join(dir, 'exports'), 20_000, { seed: 18 });
    for (const f of synth.files) await ingest(lake, f.path);
    // A 5,000-character product name: its chunk's bounds are shortened.
    await ingest(lake, fixture('dirty', 'dirty_orders.csv'));
    const c = await duck();
    const files = (table: TableSpec) => `${lake.uri(tablePrefix(table))}/**/*.parquet`;
    const chunks = await expectStatisticsOfRows(c, files(orderLines), orderLines);
    expect(chunks).toBeGreaterThan(100 * orderLines.columns.length);
    for (const table of [contacts, products, inventory, fxRates]) {
      expect(await expectStatisticsOfRows(c, files(table), table), table.name).toBeGreaterThan(0);
    }
    const orders = lake.uri(tablePrefix(orderLines));
    const [shortened] = await rows(
      c,
      `SELECT count(*)::INT AS n FROM parquet_metadata('${orders}/**/*.parquet') WHERE path_in_schema = 'product_name' AND NOT max_is_exact`,
    );
    expect(shortened!.n).toBeGreaterThan(0);
  });
});

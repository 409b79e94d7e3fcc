/**
 * storepulse's own Parquet writer, checked by a reader it does not share code with (DuckDB) and by the
 * bit-packing example of the Parquet spec (Encodings.md, "Bit-packed (Deprecated)" / RLE hybrid).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ColumnarBuffer } from '../../shared/parquet/columnar-buffer.ts';
import { tableColumnData } from '../../shared/parquet/columns.ts';
import { encodeHybrid } from '../../shared/parquet/rle.ts';
import { writeParquetFile } from '../../shared/parquet/writer.ts';
import { col, type TableSpec } from '../../shared/schemas/table.ts';
import { tempDir } from '../helpers.ts';

const spec: TableSpec = {
  name: 'writer_check',
  zone: 'curated',
  doc: 'test table',
  columns: [
    col('label', 'string', 'dictionary column'),
    col('ts', 'timestamp', 'instant'),
    col('amount', 'double', 'number'),
    col('n', 'int32', 'count', { nullable: false }),
    col('ref', 'string', 'near-unique column'),
  ],
  partitionKeys: [],
};

async function readBack(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const path = join(await tempDir(), 'check.parquet');
  await writeFile(path, bytes);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const r = await c.runAndReadAll(
    `SELECT label, epoch_ms(ts)::DOUBLE AS ts, amount, n, ref FROM read_parquet('${path}') ORDER BY n`,
  );
  return r.getRowObjectsJson() as Record<string, unknown>[];
}

describe('Parquet writer', () => {
  it('writes 17-bit dictionary indices, negative and large instants and nulls that DuckDB reads back', async () => {
    // 66,000 distinct labels over 220,000 rows: one dictionary page, 17-bit indices.
    const rows = 220_000;
    const labels = Array.from({ length: rows }, (_, i) => (i % 10 === 9 ? null : `label-${i % 66_000}-é`));
    const instants = [-86_400_000 * 365 * 30 - 1, 0, 1, 2 ** 32 + 7, 1_764_000_000_123, 2 ** 52];
    const ts = labels.map((_, i) => (i < instants.length ? instants[i]! : i % 7 === 0 ? null : i * 1000));
    const amount = labels.map((_, i) => (i % 5 === 0 ? null : i / 8));
    const n = labels.map((_, i) => i);
    // Near-unique values are written PLAIN.
    // ASCII, non-ASCII and long values: the writer copies short ASCII strings itself.
    const ref = labels.map((_, i) =>
      i % 4 === 0
        ? null
        : i % 3 === 0
          ? `r-${i}-ü中`
          : i % 1000 === 1
            ? `r-${i}-${'x'.repeat(70)}`
            : `r-${i}`,
    );
    const { data } = tableColumnData(spec, { label: labels, ts, amount, n, ref });
    expect(data.map((d) => d.kind)).toEqual(['dict', 'timestamp_ms', 'double', 'int32', 'strings']);
    const back = await readBack(await writeParquetFile(spec, data, rows, { codec: 'GZIP' }));
    expect(back).toHaveLength(rows);
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 9, 19, 1001, 65_535, 65_536, 65_999, 131_071, 219_999]) {
      expect(back[i]).toEqual({ label: labels[i], ts: ts[i], amount: amount[i], n: i, ref: ref[i] });
    }
  });

  it('writes what the columnar buffer holds (dictionary and plain strings) so DuckDB reads it back, flush after flush', async () => {
    const rows = 70_000;
    const buf = new ColumnarBuffer(spec);
    const instants = [-86_400_000 * 365 * 30 - 1, 0, 1, 2 ** 32 + 7, 1_764_000_000_123, 2 ** 52];
    // Two flushes through one buffer: the second reuses the first's blocks and drain arrays, and
    // lands its rows in the partitions in the other order, so a stale value would show.
    for (const round of [0, 1]) {
      const label = (i: number) => (i % 10 === 9 ? null : `label-${round}-${i % 3000}-é`);
      const ref = (i: number) => (i % 11 === 0 ? null : `ref-${round}-${i}`);
      const ts = (i: number) => (i < instants.length ? instants[i]! : i % 7 === 0 ? null : i * 1000 + round);
      const amount = (i: number) => (i % 5 === 0 ? null : i / 8 + round);
      for (let i = 0; i < rows; i++) {
        // Two partitions, interleaved; labels arrive as strings and as bytes.
        buf.startRow((i % 3 === 2) === (round === 0) ? 'q' : 'p', () => ({}));
        const l = label(i);
        if (l !== null && i % 2 === 0) {
          const bytes = Buffer.from(`xx${l}`);
          buf.setBytes(0, bytes, 2, bytes.length);
        } else buf.setString(0, l);
        buf.setNumber(1, ts(i));
        buf.setNumber(2, amount(i));
        buf.setNumber(3, i);
        const r = ref(i);
        if (r !== null && i % 2 === 1) buf.setBytes(4, Buffer.from(r), 0, r.length);
        else buf.setString(4, r);
      }
      // Each partition is encoded before the next is drained (its arrays are reused).
      const files: Uint8Array[] = [];
      const counts: number[] = [];
      for (const p of buf.drain()) {
        counts.push(p.rows);
        files.push(await writeParquetFile(spec, p.columns, p.rows, { codec: 'GZIP' }));
      }
      expect(counts).toEqual(round === 0 ? [46_667, 23_333] : [23_333, 46_667]);
      const back = (await Promise.all(files.map(readBack))).flat().sort((a, b) => Number(a.n) - Number(b.n));
      expect(back).toHaveLength(rows);
      for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 9, 19, 511, 512, 513, 65_535, 65_536, 69_999]) {
        const row = back[i]!;
        expect(row.n).toBe(i);
        expect(row.label).toBe(label(i));
        expect(row.ref).toBe(ref(i));
        expect(row.ts).toBe(ts(i));
        expect(row.amount).toBe(amount(i));
      }
    }
  });

  it('writes null in a column a row never sets, in a fresh block and in a recycled one', async () => {
    const buf = new ColumnarBuffer(spec);
    for (const round of [0, 1]) {
      for (let i = 0; i < 1000; i++) {
        buf.startRow('p', () => ({}));
        buf.setNumber(3, i);
        // The first round sets every column, so its blocks hold values when the second reuses them.
        if (round === 0) {
          buf.setString(0, `label-${i % 7}`);
          buf.setNumber(1, i);
          buf.setNumber(2, i / 2);
          buf.setString(4, `ref-${i}`);
        }
      }
      const [p] = [...buf.drain()];
      const back = await readBack(await writeParquetFile(spec, p!.columns, p!.rows, { codec: 'GZIP' }));
      if (round === 0) continue;
      expect(back).toHaveLength(1000);
      for (const row of back)
        expect([row.label, row.ts, row.amount, row.ref]).toEqual([null, null, null, null]);
    }
  });

  it('bit-packs as the spec example shows (values 0..7 at width 3)', () => {
    // Encodings.md: 0..7 with bit width 3 -> header (1 group, bit-packed) then 10001000 11000110 11111010.
    const packed = encodeHybrid(8, 3, Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7));
    expect([...packed]).toEqual([0b11, 0b10001000, 0b11000110, 0b11111010]);
  });

  it('bit-packs widths above 24 bits without overflowing', () => {
    // Width 25, one group of eight: value v_k occupies bits 25k..25k+24, least significant first.
    const values = Int32Array.of(0x1ffffff, 1, 0, 0x1000000, 5, 0, 0, 0x1555555);
    const packed = encodeHybrid(8, 25, values);
    let expected = 0n;
    values.forEach((v, k) => {
      expected |= BigInt(v) << BigInt(25 * k);
    });
    const body = [...packed.slice(1)];
    let got = 0n;
    body.forEach((b, k) => {
      got |= BigInt(b) << BigInt(8 * k);
    });
    expect(packed[0]).toBe(0b11);
    expect(body).toHaveLength(25);
    expect(got).toBe(expected);
  });
});

/**
 * A Parquet file writer for storepulse's flat tables: one row group, one dictionary page (strings)
 * and one data page (v1) per column, optional GZIP pages. It exists because the curated-zone write
 * is ingest's hot path and the libraries measured several times too slow for the throughput target
 * (bench/results.md); model outputs, which are small, are written the same way for one code path.
 * Spec: https://github.com/apache/parquet-format (file layout, Thrift metadata, encodings).
 */
import { gzipSync } from 'node:zlib';

import type { ColumnSpec, TableSpec } from '../schemas/table.ts';
import { bitWidth, encodeHybrid } from './rle.ts';
import { ThriftWriter } from './thrift.ts';

/** Byte strings held in one buffer: value i is data[starts[i], starts[i] + lengths[i]). */
export interface ByteStrings {
  data: Uint8Array;
  starts: Int32Array;
  lengths: Int32Array;
}

/** Column values in the layout the writer encodes. Null: `nulls[i] === 1`, or index -1 for strings. */
export type ColumnData =
  | { kind: 'dict'; dictionary: ByteStrings; indices: Int32Array }
  | { kind: 'strings'; values: readonly (string | null)[] }
  /** Byte strings in `data`: value i is data[starts[i], starts[i] + lengths[i]); length -1 is null. */
  | { kind: 'binary'; data: Uint8Array; starts: Int32Array; lengths: Int32Array }
  | { kind: 'double'; values: Float64Array; nulls?: Uint8Array }
  | { kind: 'int32'; values: Int32Array; nulls?: Uint8Array }
  | { kind: 'timestamp_ms'; values: Float64Array; nulls?: Uint8Array }
  | { kind: 'date'; values: Int32Array; nulls?: Uint8Array }
  | { kind: 'boolean'; values: Uint8Array; nulls?: Uint8Array };

export type Codec = 'UNCOMPRESSED' | 'GZIP';

enum PType {
  BOOLEAN = 0,
  INT32 = 1,
  INT64 = 2,
  DOUBLE = 5,
  BYTE_ARRAY = 6,
}
enum Enc {
  PLAIN = 0,
  RLE = 3,
  RLE_DICTIONARY = 8,
}
const CODEC_ID: Record<Codec, number> = { UNCOMPRESSED: 0, GZIP: 2 };
const MAGIC = Buffer.from('PAR1');

function physicalType(c: ColumnSpec): PType {
  switch (c.type) {
    case 'string':
      return PType.BYTE_ARRAY;
    case 'int32':
    case 'date':
      return PType.INT32;
    case 'double':
      return PType.DOUBLE;
    case 'boolean':
      return PType.BOOLEAN;
    case 'timestamp':
      return PType.INT64;
  }
}

function writeSchemaElement(w: ThriftWriter, c: ColumnSpec): void {
  w.i32(1, physicalType(c));
  w.i32(3, c.nullable ? 1 : 0);
  w.binary(4, c.name);
  // Converted types for older readers, logical types for current ones.
  if (c.type === 'string') w.i32(6, 0).struct(10, (l) => l.struct(1, () => {}));
  if (c.type === 'date') w.i32(6, 6).struct(10, (l) => l.struct(6, () => {}));
  if (c.type === 'timestamp') {
    w.i32(6, 9).struct(10, (l) =>
      l.struct(8, (t) => t.bool(1, true).struct(2, (u) => u.struct(1, () => {}))),
    );
  }
}

const isNull = (col: ColumnData, i: number): boolean =>
  col.kind === 'dict'
    ? col.indices[i]! < 0
    : col.kind === 'strings'
      ? col.values[i] === null
      : col.kind === 'binary'
        ? col.lengths[i]! < 0
        : col.nulls !== undefined && col.nulls[i] === 1;

function plainValues(col: ColumnData, rows: number, nonNull: number): Uint8Array {
  switch (col.kind) {
    case 'double':
    case 'int32':
    case 'date': {
      // Typed arrays are little-endian on every platform Node runs on: copy the bytes as they are.
      let v: Float64Array | Int32Array = col.values;
      if (nonNull !== rows) {
        v = col.kind === 'double' ? new Float64Array(nonNull) : new Int32Array(nonNull);
        let k = 0;
        for (let i = 0; i < rows; i++) if (col.nulls?.[i] !== 1) v[k++] = col.values[i]!;
      }
      return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    }
    case 'timestamp_ms': {
      // INT64 little-endian as two 32-bit halves: no BigInt per value (millions per ingest).
      const out = new Uint32Array(nonNull * 2);
      let k = 0;
      for (let i = 0; i < rows; i++) {
        if (col.nulls?.[i] === 1) continue;
        const v = Math.round(col.values[i]!);
        const high = Math.floor(v / 4_294_967_296);
        out[k++] = v - high * 4_294_967_296;
        out[k++] = high; // two's complement for negative instants (before 1970)
      }
      return new Uint8Array(out.buffer);
    }
    case 'boolean': {
      const out = new Uint8Array(Math.ceil(nonNull / 8));
      let k = 0;
      for (let i = 0; i < rows; i++) {
        if (col.nulls?.[i] === 1) continue;
        if (col.values[i]) out[k >> 3]! |= 1 << (k & 7);
        k++;
      }
      return out;
    }
    case 'strings': {
      // PLAIN BYTE_ARRAY: 4-byte little-endian length, then the UTF-8 bytes.
      let size = 0;
      for (const v of col.values) if (v !== null) size += 4 + Buffer.byteLength(v, 'utf8');
      const out = Buffer.allocUnsafe(size);
      let k = 0;
      for (const v of col.values) {
        if (v === null) continue;
        const len = out.write(v, k + 4, 'utf8');
        out.writeUInt32LE(len, k);
        k += 4 + len;
      }
      return out;
    }
    case 'binary': {
      let size = 0;
      for (const len of col.lengths) if (len >= 0) size += 4 + len;
      const out = Buffer.allocUnsafe(size);
      const { data, starts, lengths } = col;
      let k = 0;
      for (let i = 0; i < rows; i++) {
        const len = lengths[i]!;
        if (len < 0) continue;
        out.writeUInt32LE(len, k);
        k += 4;
        const s = starts[i]!;
        for (let b = 0; b < len; b++) out[k + b] = data[s + b]!;
        k += len;
      }
      return out;
    }
    case 'dict':
      throw new Error('dictionary columns have no plain values');
  }
}

function dictionaryPage({ data, starts, lengths }: ByteStrings): Uint8Array {
  let size = 0;
  for (const len of lengths) size += 4 + len;
  const out = Buffer.allocUnsafe(size);
  let k = 0;
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i]!;
    out.writeUInt32LE(len, k);
    k += 4;
    const s = starts[i]!;
    for (let b = 0; b < len; b++) out[k + b] = data[s + b]!;
    k += len;
  }
  return out;
}

interface RawPage {
  type: number;
  raw: Uint8Array;
  codec: Codec;
  header: (w: ThriftWriter) => void;
}

interface Page {
  header: Uint8Array;
  body: Uint8Array;
  uncompressed: number;
}

/** Column chunks smaller than this are stored uncompressed: per call, zlib costs more than it saves. */
const MIN_COMPRESS_BYTES = 64 * 1024;

/**
 * Compresses a page, then builds its header. On this thread: ingest already keeps every core busy
 * with a thread of its own, and a promise per page cost more than zlib's pool gave back.
 */
function finishPage(p: RawPage): Page {
  const body = p.codec === 'GZIP' ? gzipSync(p.raw, { level: 1 }) : p.raw;
  const w = new ThriftWriter().i32(1, p.type).i32(2, p.raw.length).i32(3, body.length);
  p.header(w);
  return { header: w.finish(), body, uncompressed: p.raw.length };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts as Uint8Array[]);
}

/** The raw (uncompressed) pages of one column chunk: a dictionary page for strings, then one data page. */
function encodeColumn(
  spec: TableSpec,
  c: ColumnSpec,
  col: ColumnData,
  rows: number,
  fileCodec: Codec,
): { c: ColumnSpec; pages: RawPage[]; dict: boolean; codec: Codec } {
  const defined = new Uint8Array(rows);
  let nonNull = 0;
  for (let i = 0; i < rows; i++) {
    if (!isNull(col, i)) {
      defined[i] = 1;
      nonNull++;
    }
  }
  if (!c.nullable && nonNull !== rows) {
    throw new Error(`${spec.name}.${c.name}: ${rows - nonNull} null(s) in a required column`);
  }
  const parts: Uint8Array[] = [];
  if (c.nullable) {
    const levels = encodeHybrid(rows, 1, defined);
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32LE(levels.length, 0);
    parts.push(len, levels);
  }
  const pages: RawPage[] = [];
  const dict = col.kind === 'dict' && col.dictionary.lengths.length > 0;
  // Parquet sets the codec per column chunk, so small chunks can skip compression.
  const estimate =
    col.kind === 'dict'
      ? rows * 3 + col.dictionary.lengths.length * 16
      : rows * (col.kind === 'strings' || col.kind === 'binary' ? 24 : 8);
  const codec: Codec = estimate < MIN_COMPRESS_BYTES ? 'UNCOMPRESSED' : fileCodec;
  if (col.kind === 'dict' && dict) {
    const size = col.dictionary.lengths.length;
    pages.push({
      type: 2,
      raw: dictionaryPage(col.dictionary),
      codec,
      header: (w) => w.struct(7, (d) => d.i32(1, size).i32(2, Enc.PLAIN)),
    });
    const width = bitWidth(size - 1);
    const present = new Int32Array(nonNull);
    let k = 0;
    for (let i = 0; i < rows; i++) if (col.indices[i]! >= 0) present[k++] = col.indices[i]!;
    parts.push(Uint8Array.of(width), encodeHybrid(nonNull, width, present));
  } else if (col.kind !== 'dict') {
    parts.push(plainValues(col, rows, nonNull));
  }
  const encoding = dict ? Enc.RLE_DICTIONARY : Enc.PLAIN;
  pages.push({
    type: 0,
    raw: concat(parts),
    codec,
    header: (w) => w.struct(5, (d) => d.i32(1, rows).i32(2, encoding).i32(3, Enc.RLE).i32(4, Enc.RLE)),
  });
  return { c, pages, dict, codec };
}

/** Encodes one table's columns (in `spec.columns` order) as a complete Parquet file. */
export async function writeParquetFile(
  spec: TableSpec,
  columns: readonly ColumnData[],
  rows: number,
  options: { codec?: Codec; createdBy?: string } = {},
): Promise<Uint8Array> {
  const fileCodec = options.codec ?? 'UNCOMPRESSED';
  if (columns.length !== spec.columns.length) {
    throw new Error(`${spec.name}: ${columns.length} columns for ${spec.columns.length}`);
  }
  const encoded = spec.columns.map((c, ci) => encodeColumn(spec, c, columns[ci]!, rows, fileCodec));
  const finished = encoded.map((e) => e.pages.map(finishPage));

  const chunks: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const metas = encoded.map((e, ci) => {
    const pages = finished[ci]!;
    const dictOffset = e.dict ? offset : undefined;
    let dataOffset = offset;
    for (const [pi, p] of pages.entries()) {
      if (pi === pages.length - 1) dataOffset = offset;
      chunks.push(p.header, p.body);
      offset += p.header.length + p.body.length;
    }
    return { c: e.c, pages, dictOffset, dataOffset, dict: e.dict, codec: e.codec };
  });

  const meta = new ThriftWriter()
    .i32(1, 1)
    .listStruct(2, [null, ...spec.columns], (w, c) => {
      if (c === null) w.binary(4, 'schema').i32(5, spec.columns.length);
      else writeSchemaElement(w, c);
    })
    .i64(3, rows)
    .listStruct(4, [0], (rg) => {
      let total = 0;
      rg.listStruct(1, metas, (cc, m) => {
        const compressed = m.pages.reduce((a, p) => a + p.header.length + p.body.length, 0);
        const uncompressed = m.pages.reduce((a, p) => a + p.header.length + p.uncompressed, 0);
        total += uncompressed;
        cc.i64(2, m.dictOffset ?? m.dataOffset).struct(3, (md) => {
          md.i32(1, physicalType(m.c))
            .listI32(2, m.dict ? [Enc.PLAIN, Enc.RLE, Enc.RLE_DICTIONARY] : [Enc.PLAIN, Enc.RLE])
            .listBinary(3, [m.c.name])
            .i32(4, CODEC_ID[m.codec])
            .i64(5, rows)
            .i64(6, uncompressed)
            .i64(7, compressed)
            .i64(9, m.dataOffset);
          if (m.dictOffset !== undefined) md.i64(11, m.dictOffset);
        });
      });
      rg.i64(2, total).i64(3, rows);
    })
    .binary(6, options.createdBy ?? 'storepulse')
    .finish();
  const footerLen = Buffer.allocUnsafe(4);
  footerLen.writeUInt32LE(meta.length, 0);
  chunks.push(meta, footerLen, MAGIC);
  return concat(chunks);
}

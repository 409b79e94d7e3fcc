/**
 * A Parquet file writer for storepulse's flat tables: one row group, one dictionary page (strings)
 * and one data page (v1) per column, optional GZIP pages, and per column chunk the statistics
 * (null count, min/max) readers prune by (statistics.ts). It exists because the curated-zone write
 * is ingest's hot path and the libraries measured several times too slow for the throughput target
 * (bench/results.md); model outputs, which are small, are written the same way for one code path.
 * Spec: https://github.com/apache/parquet-format (file layout, Thrift metadata, encodings).
 */
import { gzipSync } from 'node:zlib';

import type { ColumnSpec, TableSpec } from '../schemas/table.ts';
import { ByteSink } from './byte-sink.ts';
import { bitWidth, writeHybrid } from './rle.ts';
import {
  byteStringsStatistics,
  type ChunkStatistics,
  dictionaryStatistics,
  noBounds,
  numericStatistics,
  plainByteArrayStatistics,
  writeStatistics,
} from './statistics.ts';
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

/**
 * Per-thread scratch, reused by every column of every file: a page's raw bytes, a file's bytes, one
 * page header, definition levels and non-null values. Encoding is synchronous, so one set serves.
 */
const page = new ByteSink();
const ownFile = new ByteSink(1024 * 1024);
/** Where the file being encoded goes: `ownFile`, or the caller's sink (writeParquetFileInto). */
let file = ownFile;
const header = new ThriftWriter();
/** The statistics' min/max bytes of the file being encoded (ChunkStatistics point into it). */
const bounds = new ByteSink(4096);
let defined = new Uint8Array(0);
let present = new Int32Array(0);
let f64 = new Float64Array(0);
let i32 = new Int32Array(0);
let u32 = new Uint32Array(0);
/** Per dictionary entry: 1 when a row of the chunk uses it (the statistics' bounds come from those). */
let used = new Uint8Array(0);

function fitScratch(rows: number): void {
  if (defined.length >= rows) return;
  const size = Math.max(rows, defined.length * 2);
  defined = new Uint8Array(size);
  present = new Int32Array(size);
  f64 = new Float64Array(size);
  i32 = new Int32Array(size);
  u32 = new Uint32Array(size * 2);
}

/** Records whether value i is present; 1 when it is. */
function mark(i: number, isPresent: boolean): number {
  const d = isPresent ? 1 : 0;
  defined[i] = d;
  return d;
}

/** Fills `defined` (1 = value, 0 = null) for the first `rows` values; returns how many are not null. */
function definitionLevels(col: ColumnData, rows: number): number {
  let nonNull = 0;
  switch (col.kind) {
    case 'dict':
      for (let i = 0; i < rows; i++) nonNull += mark(i, col.indices[i]! >= 0);
      return nonNull;
    case 'strings':
      for (let i = 0; i < rows; i++)
        nonNull += mark(i, col.values[i] !== null && col.values[i] !== undefined);
      return nonNull;
    case 'binary':
      for (let i = 0; i < rows; i++) nonNull += mark(i, col.lengths[i]! >= 0);
      return nonNull;
    default: {
      const nulls = col.nulls;
      if (nulls === undefined) {
        defined.fill(1, 0, rows);
        return rows;
      }
      for (let i = 0; i < rows; i++) nonNull += mark(i, nulls[i] !== 1);
      return nonNull;
    }
  }
}

/** Appends the PLAIN encoding of the non-null values to `page`. */
function writePlain(col: ColumnData, rows: number, nonNull: number): void {
  switch (col.kind) {
    case 'double':
    case 'int32':
    case 'date': {
      // Typed arrays are little-endian on every platform Node runs on: copy the bytes as they are.
      let v: Float64Array | Int32Array = col.values.subarray(0, rows);
      if (nonNull !== rows) {
        const dense = col.kind === 'double' ? f64 : i32;
        let k = 0;
        for (let i = 0; i < rows; i++) if (defined[i] === 1) dense[k++] = col.values[i]!;
        v = dense.subarray(0, nonNull);
      }
      page.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return;
    }
    case 'timestamp_ms': {
      // INT64 little-endian as two 32-bit halves: no BigInt per value (millions per ingest).
      let k = 0;
      for (let i = 0; i < rows; i++) {
        if (defined[i] === 0) continue;
        const v = Math.round(col.values[i]!);
        const high = Math.floor(v / 4_294_967_296);
        u32[k++] = v - high * 4_294_967_296;
        u32[k++] = high; // two's complement for negative instants (before 1970)
      }
      page.bytes(new Uint8Array(u32.buffer, 0, k * 4));
      return;
    }
    case 'boolean': {
      const bytes = Math.ceil(nonNull / 8);
      page.ensure(bytes);
      const out = page.buf;
      const at = page.len;
      out.fill(0, at, at + bytes);
      let k = 0;
      for (let i = 0; i < rows; i++) {
        if (defined[i] === 0) continue;
        if (col.values[i]) out[at + (k >> 3)]! |= 1 << (k & 7);
        k++;
      }
      page.len += bytes;
      return;
    }
    case 'strings': {
      // PLAIN BYTE_ARRAY: 4-byte little-endian length, then the UTF-8 bytes.
      for (let i = 0; i < rows; i++) {
        const v = col.values[i];
        if (v === null || v === undefined) continue;
        const at = page.len;
        page.u32le(0);
        const len = page.utf8(v); // may move page.buf: read it after
        page.buf.writeUInt32LE(len, at);
      }
      return;
    }
    case 'binary': {
      const { data, starts, lengths } = col;
      for (let i = 0; i < rows; i++) {
        const len = lengths[i]!;
        if (len < 0) continue;
        page.u32le(len);
        page.bytes(data, starts[i]!, starts[i]! + len);
      }
      return;
    }
    case 'dict':
      throw new Error('dictionary columns have no plain values');
  }
}

function writeDictionary({ data, starts, lengths }: ByteStrings): void {
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i]!;
    page.u32le(len);
    page.bytes(data, starts[i]!, starts[i]! + len);
  }
}

/** Column chunks smaller than this are stored uncompressed: per call, zlib costs more than it saves. */
const MIN_COMPRESS_BYTES = 64 * 1024;

interface ChunkMeta {
  c: ColumnSpec;
  dict: boolean;
  codec: Codec;
  dictOffset: number | undefined;
  dataOffset: number;
  compressed: number;
  uncompressed: number;
  stats: ChunkStatistics;
}

/**
 * Moves the page in `page` to the file: compressed (on this thread: ingest already keeps every core
 * busy with a thread of its own, and a promise per page cost more than zlib's pool gave back), after
 * its header. `dictSize` < 0: a data page of `rows` values.
 */
function emitPage(m: ChunkMeta, codec: Codec, dictSize: number, rows: number, encoding: Enc): void {
  const raw = page.view();
  const body = codec === 'GZIP' ? gzipSync(raw, { level: 1 }) : raw;
  header
    .reset()
    .i32(1, dictSize >= 0 ? 2 : 0)
    .i32(2, raw.length)
    .i32(3, body.length);
  if (dictSize >= 0) header.beginStruct(7).i32(1, dictSize).i32(2, Enc.PLAIN).endStruct();
  else header.beginStruct(5).i32(1, rows).i32(2, encoding).i32(3, Enc.RLE).i32(4, Enc.RLE).endStruct();
  const head = header.finishView();
  file.bytes(head);
  file.bytes(body);
  m.compressed += head.length + body.length;
  m.uncompressed += head.length + raw.length;
}

/** Writes one column chunk to the file: a dictionary page for dictionary strings, then one data page. */
function writeColumnChunk(
  spec: TableSpec,
  c: ColumnSpec,
  col: ColumnData,
  rows: number,
  fileCodec: Codec,
): ChunkMeta {
  const nonNull = definitionLevels(col, rows);
  if (!c.nullable && nonNull !== rows) {
    throw new Error(`${spec.name}.${c.name}: ${rows - nonNull} null(s) in a required column`);
  }
  const dict = col.kind === 'dict' && col.dictionary.lengths.length > 0;
  // Parquet sets the codec per column chunk, so small chunks can skip compression.
  const estimate =
    col.kind === 'dict'
      ? rows * 3 + col.dictionary.lengths.length * 16
      : rows * (col.kind === 'strings' || col.kind === 'binary' ? 24 : 8);
  const codec: Codec = estimate < MIN_COMPRESS_BYTES ? 'UNCOMPRESSED' : fileCodec;
  const m: ChunkMeta = {
    c,
    dict,
    codec,
    dictOffset: undefined,
    dataOffset: file.len,
    compressed: 0,
    uncompressed: 0,
    stats: noBounds(0, false),
  };
  if (col.kind === 'dict' && dict) {
    m.dictOffset = file.len;
    page.reset();
    writeDictionary(col.dictionary);
    emitPage(m, codec, col.dictionary.lengths.length, rows, Enc.PLAIN);
    m.dataOffset = file.len;
  }
  page.reset();
  if (c.nullable) {
    // Definition levels, prefixed with their byte length.
    const at = page.len;
    page.u32le(0);
    writeHybrid(page, rows, 1, defined);
    page.buf.writeUInt32LE(page.len - at - 4, at);
  }
  if (col.kind === 'dict' && dict) {
    const size = col.dictionary.lengths.length;
    const width = bitWidth(size - 1);
    if (used.length < size) used = new Uint8Array(Math.max(size, used.length * 2));
    used.fill(0, 0, size);
    let k = 0;
    for (let i = 0; i < rows; i++) {
      if (defined[i] === 1) {
        const id = col.indices[i]!;
        present[k++] = id;
        used[id] = 1;
      }
    }
    page.byte(width);
    writeHybrid(page, nonNull, width, present);
    m.stats = dictionaryStatistics(bounds, col.dictionary, used, rows - nonNull);
  } else if (col.kind === 'binary') {
    writePlain(col, rows, nonNull);
    m.stats = byteStringsStatistics(bounds, col.data, col.starts, col.lengths, rows, rows - nonNull);
  } else if (col.kind === 'strings') {
    // JS strings: the bounds are read back from the page, as UTF-8 (the order the spec defines).
    const at = page.len;
    writePlain(col, rows, nonNull);
    m.stats = plainByteArrayStatistics(bounds, page.buf, at, nonNull, rows - nonNull);
  } else if (col.kind !== 'dict') {
    writePlain(col, rows, nonNull);
    m.stats = numericStatistics(bounds, col, rows, nonNull, defined);
  } else {
    m.stats = noBounds(rows - nonNull, false); // an empty dictionary: every value null
  }
  emitPage(m, codec, -1, rows, dict ? Enc.RLE_DICTIONARY : Enc.PLAIN);
  return m;
}

export interface WriteOptions {
  codec?: Codec;
  createdBy?: string;
}

/** Encodes one table's columns (in `spec.columns` order) as a complete Parquet file. */
export async function writeParquetFile(
  spec: TableSpec,
  columns: readonly ColumnData[],
  rows: number,
  options: WriteOptions = {},
): Promise<Uint8Array> {
  writeParquetFileInto(ownFile, spec, columns, rows, options);
  return ownFile.copy();
}

/**
 * Encodes the file into `into` and returns a view of it, valid until `into` is written again: a
 * writer keeping a few sinks in rotation writes thousands of files without allocating one each.
 */
export function writeParquetFileInto(
  into: ByteSink,
  spec: TableSpec,
  columns: readonly ColumnData[],
  rows: number,
  options: WriteOptions = {},
): Uint8Array {
  file = into;
  const fileCodec = options.codec ?? 'UNCOMPRESSED';
  if (columns.length !== spec.columns.length) {
    throw new Error(`${spec.name}: ${columns.length} columns for ${spec.columns.length}`);
  }
  fitScratch(rows);
  bounds.reset();
  file.reset().bytes(MAGIC);
  const metas = spec.columns.map((c, ci) => writeColumnChunk(spec, c, columns[ci]!, rows, fileCodec));

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
        total += m.uncompressed;
        cc.i64(2, m.dictOffset ?? m.dataOffset).struct(3, (md) => {
          md.i32(1, physicalType(m.c))
            .listI32(2, m.dict ? [Enc.PLAIN, Enc.RLE, Enc.RLE_DICTIONARY] : [Enc.PLAIN, Enc.RLE])
            .listBinary(3, [m.c.name])
            .i32(4, CODEC_ID[m.codec])
            .i64(5, rows)
            .i64(6, m.uncompressed)
            .i64(7, m.compressed)
            .i64(9, m.dataOffset);
          if (m.dictOffset !== undefined) md.i64(11, m.dictOffset);
          md.struct(12, (st) => writeStatistics(st, m.stats, bounds.buf));
        });
      });
      rg.i64(2, total).i64(3, rows);
    })
    .binary(6, options.createdBy ?? 'storepulse')
    // TypeDefinedOrder per column: without column_orders, min_value/max_value mean nothing to a reader.
    .listStruct(7, spec.columns, (o) => o.struct(1, () => {}))
    .finishView();
  file.bytes(meta);
  file.u32le(meta.length);
  file.bytes(MAGIC);
  return file.view();
}

/**
 * Column chunk statistics: null count and min/max, so Athena/Trino and DuckDB skip a row group (a
 * file, here) whose values cannot match a filter. Spec: parquet.thrift `Statistics` and `ColumnOrder`
 * (https://github.com/apache/parquet-format). The writer declares TypeDefinedOrder for every column,
 * so the bounds follow each type's order: signed for INT32 (and DATE), INT64 (TIMESTAMP) and DOUBLE,
 * false < true for BOOLEAN, unsigned byte-wise for UTF-8 strings (which is code point order).
 * Bounds are PLAIN-encoded; byte arrays without their length prefix. They are written into a byte
 * sink the writer reuses file after file (ingest writes thousands of files): no array per chunk.
 */
import { isUtf8 } from 'node:buffer';

import type { ByteSink } from './byte-sink.ts';
import type { ThriftWriter } from './thrift.ts';
import type { ByteStrings, ColumnData } from './writer.ts';

export interface ChunkStatistics {
  nullCount: number;
  /** NaN values among the non-null ones: written for DOUBLE columns, which TYPE_ORDER requires. */
  nanCount: number | undefined;
  /** Lower and upper bound as `bounds.buf[at, at + len)`; `minAt` -1 when no non-null (non-NaN) value. */
  minAt: number;
  minLen: number;
  maxAt: number;
  maxLen: number;
  /** The bound is a value of the chunk (not a shortened string). */
  minExact: boolean;
  maxExact: boolean;
  /**
   * The order is signed (numbers): the deprecated `min`/`max` fields, which readers compare signed
   * whatever the column order, may repeat the bounds for old readers. Not for strings or booleans.
   */
  signedOrder: boolean;
}

/**
 * String bounds longer than this are shortened (min to a prefix, max to a prefix with its last code
 * point raised), as parquet-java's column index and arrow-rs do by default: a free-text value must not
 * put kilobytes into every file footer.
 */
export const MAX_STRING_BOUND_BYTES = 64;

const TWO_32 = 4_294_967_296;

/** Statistics without bounds: every value null (or NaN). */
export const noBounds = (nullCount: number, signedOrder: boolean, nanCount?: number): ChunkStatistics => ({
  nullCount,
  nanCount,
  minAt: -1,
  minLen: 0,
  maxAt: -1,
  maxLen: 0,
  minExact: false,
  maxExact: false,
  signedOrder,
});

/** Bounds of `width` bytes each, the minimum then the maximum, just appended to `bounds`. */
function fixedBounds(
  bounds: ByteSink,
  width: number,
  nullCount: number,
  signedOrder: boolean,
  nanCount?: number,
): ChunkStatistics {
  const at = bounds.len - 2 * width;
  return {
    nullCount,
    nanCount,
    minAt: at,
    minLen: width,
    maxAt: at + width,
    maxLen: width,
    minExact: true,
    maxExact: true,
    signedOrder,
  };
}

function int32(bounds: ByteSink, v: number): void {
  bounds.ensure(4);
  bounds.buf.writeInt32LE(v, bounds.len);
  bounds.len += 4;
}

function int64(bounds: ByteSink, v: number): void {
  // Same split as the data page: two 32-bit halves, two's complement below 1970.
  const high = Math.floor(v / TWO_32);
  bounds.ensure(8);
  bounds.buf.writeUInt32LE(v - high * TWO_32, bounds.len);
  bounds.buf.writeInt32LE(high, bounds.len + 4);
  bounds.len += 8;
}

function double(bounds: ByteSink, v: number): void {
  bounds.ensure(8);
  bounds.buf.writeDoubleLE(v, bounds.len);
  bounds.len += 8;
}

/** Set by `scan`: the least and the greatest value it saw, NaN aside. */
let lo = 0;
let hi = 0;

/**
 * The range of the values `i < rows` with `defined[i]` 1 (every one when `all`) into `lo` and `hi`;
 * returns how many are NaN. One comparison per value in the common case: a NaN is the value that is
 * neither below nor at least the minimum so far.
 */
function scan(values: Float64Array | Int32Array, rows: number, defined: Uint8Array, all: boolean): number {
  let l = Number.POSITIVE_INFINITY;
  let h = Number.NEGATIVE_INFINITY;
  let nan = 0;
  if (all) {
    for (let i = 0; i < rows; i++) {
      const v = values[i]!;
      if (v < l) l = v;
      else if (!(v >= l)) nan++;
      if (v > h) h = v;
    }
  } else {
    for (let i = 0; i < rows; i++) {
      if (defined[i] === 0) continue;
      const v = values[i]!;
      if (v < l) l = v;
      else if (!(v >= l)) nan++;
      if (v > h) h = v;
    }
  }
  lo = l;
  hi = h;
  return nan;
}

/**
 * Statistics of a numeric or boolean column's first `rows` values; `defined[i]` is 1 for a value, 0
 * for a null, and `nonNull` counts the ones. The values are taken as the data page writes them.
 */
export function numericStatistics(
  bounds: ByteSink,
  col: Exclude<ColumnData, { kind: 'dict' | 'strings' | 'binary' }>,
  rows: number,
  nonNull: number,
  defined: Uint8Array,
): ChunkStatistics {
  const nulls = rows - nonNull;
  const all = nonNull === rows;
  switch (col.kind) {
    case 'int32':
    case 'date':
      if (nonNull === 0) return noBounds(nulls, true);
      scan(col.values, rows, defined, all);
      int32(bounds, lo);
      int32(bounds, hi);
      return fixedBounds(bounds, 4, nulls, true);
    case 'timestamp_ms': {
      if (nonNull === 0) return noBounds(nulls, true);
      const nan = scan(col.values, rows, defined, all);
      if (nan > 0 || lo === Number.NEGATIVE_INFINITY || hi === Number.POSITIVE_INFINITY) {
        // The page stores a NaN or infinite instant as 0: the range of what it stores.
        lo = Number.POSITIVE_INFINITY;
        hi = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < rows; i++) {
          const v = Number.isFinite(col.values[i]) ? col.values[i]! : 0;
          if (defined[i] === 1 && v < lo) lo = v;
          if (defined[i] === 1 && v > hi) hi = v;
        }
      }
      // The page stores Math.round(v), which is monotonic: the bounds of the rounded values are the
      // rounded bounds.
      int64(bounds, Math.round(lo));
      int64(bounds, Math.round(hi));
      return fixedBounds(bounds, 8, nulls, true);
    }
    case 'double': {
      // TYPE_ORDER for floating point: NaN counted, never a bound; a zero minimum is written -0.0
      // and a zero maximum +0.0, so a reader needs not know which zero the chunk holds.
      const nan = nonNull === 0 ? 0 : scan(col.values, rows, defined, all);
      if (nonNull - nan === 0) return noBounds(nulls, true, nan);
      double(bounds, lo === 0 ? -0 : lo);
      double(bounds, hi === 0 ? 0 : hi);
      return fixedBounds(bounds, 8, nulls, true, nan);
    }
    case 'boolean': {
      // false < true is BOOLEAN's own order, not a signed one: no deprecated fields (as arrow-rs).
      if (nonNull === 0) return noBounds(nulls, false);
      let anyTrue = false;
      let anyFalse = false;
      for (let i = 0; i < rows; i++) {
        if (!all && defined[i] === 0) continue;
        if (col.values[i]) anyTrue = true;
        else anyFalse = true;
      }
      bounds.byte(anyFalse ? 0 : 1);
      bounds.byte(anyTrue ? 1 : 0);
      return fixedBounds(bounds, 1, nulls, false);
    }
  }
}

/** Unsigned byte-wise order of `a[as, as+al)` and `b[bs, bs+bl)`: negative, zero or positive. */
function compareBytes(a: Uint8Array, as: number, al: number, b: Uint8Array, bs: number, bl: number): number {
  const n = Math.min(al, bl);
  for (let k = 0; k < n; k++) {
    const d = a[as + k]! - b[bs + k]!;
    if (d !== 0) return d;
  }
  return al - bl;
}

/** Set by `byteRange`: where the least and the greatest byte string are (`minAt` -1: none). */
let minAt = -1;
let minLen = 0;
let maxAt = -1;
let maxLen = 0;

/**
 * The least and greatest of the byte strings `data[starts[i], starts[i] + lengths[i])`, `i < count`,
 * skipping length -1 (null) and, with `used`, entries not marked 1. State in locals (this is a hot
 * loop); a bound's first byte (-1: empty string) settles most comparisons without a loop.
 */
function byteRange(
  data: Uint8Array,
  starts: Int32Array,
  lengths: Int32Array,
  count: number,
  used: Uint8Array | undefined,
): void {
  let lo = -1;
  let loLen = 0;
  let loFirst = 0;
  let hi = -1;
  let hiLen = 0;
  let hiFirst = 0;
  for (let i = 0; i < count; i++) {
    const len = lengths[i]!;
    if (len < 0 || (used !== undefined && used[i] !== 1)) continue;
    const s = starts[i]!;
    const f = len > 0 ? data[s]! : -1;
    if (lo < 0) {
      lo = hi = s;
      loLen = hiLen = len;
      loFirst = hiFirst = f;
    } else if (f > hiFirst || (f === hiFirst && compareBytes(data, s, len, data, hi, hiLen) > 0)) {
      // The maximum first: ids arrive mostly ascending, and a new maximum is not a new minimum.
      hi = s;
      hiLen = len;
      hiFirst = f;
    } else if (f < loFirst || (f === loFirst && compareBytes(data, s, len, data, lo, loLen) < 0)) {
      lo = s;
      loLen = len;
      loFirst = f;
    }
  }
  minAt = lo;
  minLen = loLen;
  maxAt = hi;
  maxLen = hiLen;
}

/**
 * Statistics of `count` PLAIN byte-array values starting at `page[at]` (a 4-byte little-endian
 * length, then the bytes): read from the data page just written, so the bounds are exactly the
 * bytes a reader decodes.
 */
export function plainByteArrayStatistics(
  bounds: ByteSink,
  page: Uint8Array,
  at: number,
  count: number,
  nullCount: number,
): ChunkStatistics {
  const starts = new Int32Array(count);
  const lengths = new Int32Array(count);
  let p = at;
  for (let k = 0; k < count; k++) {
    lengths[k] = (page[p]! | (page[p + 1]! << 8) | (page[p + 2]! << 16) | (page[p + 3]! << 24)) >>> 0;
    starts[k] = p + 4;
    p += 4 + lengths[k]!;
  }
  byteRange(page, starts, lengths, count, undefined);
  if (minAt < 0) return noBounds(nullCount, false);
  return stringBounds(bounds, nullCount, page, minAt, minLen, maxAt, maxLen);
}

/** Statistics of the byte strings `data[starts[i], starts[i] + lengths[i])`, `i < rows`; length -1 is null. */
export function byteStringsStatistics(
  bounds: ByteSink,
  data: Uint8Array,
  starts: Int32Array,
  lengths: Int32Array,
  rows: number,
  nullCount: number,
): ChunkStatistics {
  byteRange(data, starts, lengths, rows, undefined);
  if (minAt < 0) return noBounds(nullCount, false);
  return stringBounds(bounds, nullCount, data, minAt, minLen, maxAt, maxLen);
}

/** Statistics of a dictionary-encoded chunk: the bounds of the entries marked 1 in `used`. */
export function dictionaryStatistics(
  bounds: ByteSink,
  { data, starts, lengths }: ByteStrings,
  used: Uint8Array,
  nullCount: number,
): ChunkStatistics {
  byteRange(data, starts, lengths, lengths.length, used);
  if (minAt < 0) return noBounds(nullCount, false);
  return stringBounds(bounds, nullCount, data, minAt, minLen, maxAt, maxLen);
}

/** Copies the bounds out of the page or dictionary (both reused) into `bounds`, shortening long ones. */
function stringBounds(
  bounds: ByteSink,
  nullCount: number,
  src: Uint8Array,
  minAt: number,
  minLen: number,
  maxAt: number,
  maxLen: number,
): ChunkStatistics {
  const upper =
    maxLen <= MAX_STRING_BOUND_BYTES ? undefined : shortUpperBound(src.subarray(maxAt, maxAt + maxLen));
  // Without a shorter upper bound (see shortUpperBound) the maximum is kept whole, as arrow-rs does.
  const maxExact = upper === undefined;
  const minExact = minLen <= MAX_STRING_BOUND_BYTES;
  const maxStart = bounds.len;
  if (maxExact) bounds.bytes(src, maxAt, maxAt + maxLen);
  else bounds.bytes(upper);
  const minStart = bounds.len;
  // A prefix of the minimum sorts before or equal to it.
  bounds.bytes(src, minAt, minAt + (minExact ? minLen : prefixLength(src, minAt)));
  return {
    nullCount,
    nanCount: undefined,
    minAt: minStart,
    minLen: bounds.len - minStart,
    maxAt: maxStart,
    maxLen: minStart - maxStart,
    minExact,
    maxExact,
    signedOrder: false,
  };
}

/** The longest prefix of at most MAX_STRING_BOUND_BYTES that ends on a UTF-8 character boundary. */
function prefixLength(v: Uint8Array, at: number): number {
  let end = MAX_STRING_BOUND_BYTES;
  // A continuation byte (10xxxxxx) at `end` means a character straddles the cut: cut before it.
  while (end > 0 && (v[at + end]! & 0xc0) === 0x80) end--;
  return end;
}

/**
 * A short string above `v`: its prefix with the last code point that can be raised raised by one
 * (the characters after it dropped). Undefined when no such string exists (invalid UTF-8, or a
 * prefix of U+10FFFF only).
 */
function shortUpperBound(v: Uint8Array): Uint8Array | undefined {
  const prefix = v.subarray(0, prefixLength(v, 0));
  if (!isUtf8(prefix)) return undefined;
  const points = Array.from(Buffer.from(prefix).toString('utf8'), (c) => c.codePointAt(0)!);
  for (let k = points.length - 1; k >= 0; k--) {
    let next = points[k]! + 1;
    if (next === 0xd800) next = 0xe000; // surrogates are not characters
    if (next > 0x10ffff) continue;
    return Buffer.from(String.fromCodePoint(...points.slice(0, k), next), 'utf8');
  }
  return undefined;
}

/** The fields of a `Statistics` struct, in field id order; the bounds are read from `bounds`. */
export function writeStatistics(w: ThriftWriter, s: ChunkStatistics, bounds: Uint8Array): void {
  const has = s.minAt >= 0;
  const minEnd = s.minAt + s.minLen;
  const maxEnd = s.maxAt + s.maxLen;
  if (has && s.signedOrder) w.binaryRange(1, bounds, s.maxAt, maxEnd).binaryRange(2, bounds, s.minAt, minEnd);
  w.i64(3, s.nullCount);
  if (has) {
    w.binaryRange(5, bounds, s.maxAt, maxEnd)
      .binaryRange(6, bounds, s.minAt, minEnd)
      .bool(7, s.maxExact)
      .bool(8, s.minExact);
  }
  if (s.nanCount !== undefined) w.i64(9, s.nanCount);
}

/**
 * Column chunk statistics: null count and min/max, so Athena/Trino and DuckDB skip a row group (a
 * file, here) whose values cannot match a filter. Spec: parquet.thrift `Statistics` and `ColumnOrder`
 * (https://github.com/apache/parquet-format). The writer declares TypeDefinedOrder for every column,
 * so the bounds follow each type's order: signed for INT32 (and DATE), INT64 (TIMESTAMP) and DOUBLE,
 * false < true for BOOLEAN, unsigned byte-wise for UTF-8 strings (which is code point order).
 * Bounds are PLAIN-encoded; byte arrays without their length prefix.
 */
import { isUtf8 } from 'node:buffer';

import type { ThriftWriter } from './thrift.ts';
import type { ByteStrings, ColumnData } from './writer.ts';

export interface ChunkStatistics {
  nullCount: number;
  /** NaN values among the non-null ones: written for DOUBLE columns, which TYPE_ORDER requires. */
  nanCount: number | undefined;
  /** Lower and upper bound, absent when no non-null (non-NaN) value exists. */
  min: Uint8Array | undefined;
  max: Uint8Array | undefined;
  /** The bound is a value of the chunk (not a shortened string). */
  minExact: boolean;
  maxExact: boolean;
  /**
   * The order is signed (numbers, booleans): the deprecated `min`/`max` fields, which readers compare
   * signed whatever the column order, may repeat the bounds for old readers. Not for strings.
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

function int32Bytes(v: number): Uint8Array {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32LE(v, 0);
  return b;
}

function int64Bytes(v: number): Uint8Array {
  // Same split as the data page: two 32-bit halves, two's complement below 1970.
  const high = Math.floor(v / TWO_32);
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32LE(v - high * TWO_32, 0);
  b.writeInt32LE(high, 4);
  return b;
}

function doubleBytes(v: number): Uint8Array {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleLE(v, 0);
  return b;
}

const none = (nullCount: number, signedOrder: boolean, nanCount?: number): ChunkStatistics => ({
  nullCount,
  nanCount,
  min: undefined,
  max: undefined,
  minExact: false,
  maxExact: false,
  signedOrder,
});

const exact = (
  nullCount: number,
  min: Uint8Array,
  max: Uint8Array,
  signedOrder: boolean,
  nanCount?: number,
): ChunkStatistics => ({ nullCount, nanCount, min, max, minExact: true, maxExact: true, signedOrder });

/**
 * Statistics of a numeric or boolean column's first `rows` values; `defined[i]` is 1 for a value, 0
 * for a null, and `nonNull` counts the ones. The values are taken as the data page writes them.
 */
export function numericStatistics(
  col: Exclude<ColumnData, { kind: 'dict' | 'strings' | 'binary' }>,
  rows: number,
  nonNull: number,
  defined: Uint8Array,
): ChunkStatistics {
  const nulls = rows - nonNull;
  const all = nonNull === rows;
  const values = col.values;
  switch (col.kind) {
    case 'int32':
    case 'date':
    case 'timestamp_ms': {
      if (nonNull === 0) return none(nulls, true);
      const instants = col.kind === 'timestamp_ms';
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < rows; i++) {
        if (!all && defined[i] === 0) continue;
        let v = values[i]!;
        // The page stores an instant as Math.round(v), and a NaN or infinite one as 0.
        if (instants && v - v !== 0) v = 0;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (!instants) return exact(nulls, int32Bytes(lo), int32Bytes(hi), true);
      // Rounding is monotonic: the bounds of the rounded values are the rounded bounds.
      return exact(nulls, int64Bytes(Math.round(lo)), int64Bytes(Math.round(hi)), true);
    }
    case 'double': {
      // TYPE_ORDER for floating point: NaN counted, never a bound; a zero minimum is written -0.0
      // and a zero maximum +0.0, so a reader needs not know which zero the chunk holds.
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      let nan = 0;
      for (let i = 0; i < rows; i++) {
        if (!all && defined[i] === 0) continue;
        const v = values[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (Number.isNaN(v)) nan++;
      }
      if (nonNull - nan === 0) return none(nulls, true, nan);
      if (lo === 0) lo = -0;
      if (hi === 0) hi = 0;
      return exact(nulls, doubleBytes(lo), doubleBytes(hi), true, nan);
    }
    case 'boolean': {
      if (nonNull === 0) return none(nulls, false);
      let anyTrue = false;
      let anyFalse = false;
      for (let i = 0; i < rows; i++) {
        if (!all && defined[i] === 0) continue;
        if (values[i]) anyTrue = true;
        else anyFalse = true;
      }
      // false < true is BOOLEAN's own order, not a signed one: no deprecated fields (as arrow-rs).
      return exact(nulls, Uint8Array.of(anyFalse ? 0 : 1), Uint8Array.of(anyTrue ? 1 : 0), false);
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

/**
 * Statistics of `count` PLAIN byte-array values starting at `buf[at]` (a 4-byte little-endian
 * length, then the bytes): read from the data page just written, so the bounds are exactly the
 * bytes a reader decodes.
 */
export function plainByteArrayStatistics(
  buf: Uint8Array,
  at: number,
  count: number,
  nullCount: number,
): ChunkStatistics {
  if (count === 0) return none(nullCount, false);
  let minAt = at + 4;
  let minLen = readLength(buf, at);
  let maxAt = minAt;
  let maxLen = minLen;
  let p = minAt + minLen;
  for (let k = 1; k < count; k++) {
    const len = readLength(buf, p);
    const s = p + 4;
    if (compareBytes(buf, s, len, buf, minAt, minLen) < 0) {
      minAt = s;
      minLen = len;
    } else if (compareBytes(buf, s, len, buf, maxAt, maxLen) > 0) {
      maxAt = s;
      maxLen = len;
    }
    p = s + len;
  }
  return stringBounds(nullCount, buf.subarray(minAt, minAt + minLen), buf.subarray(maxAt, maxAt + maxLen));
}

function readLength(buf: Uint8Array, at: number): number {
  return (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
}

/** Statistics of a dictionary-encoded chunk: the bounds of the entries marked in `used`. */
export function dictionaryStatistics(
  { data, starts, lengths }: ByteStrings,
  used: Uint8Array,
  nullCount: number,
): ChunkStatistics {
  let min = -1;
  let max = -1;
  for (let id = 0; id < lengths.length; id++) {
    if (used[id] !== 1) continue;
    const s = starts[id]!;
    const len = lengths[id]!;
    if (min < 0) {
      min = id;
      max = id;
    } else if (compareBytes(data, s, len, data, starts[min]!, lengths[min]!) < 0) min = id;
    else if (compareBytes(data, s, len, data, starts[max]!, lengths[max]!) > 0) max = id;
  }
  if (min < 0) return none(nullCount, false);
  const slice = (id: number) => data.subarray(starts[id]!, starts[id]! + lengths[id]!);
  return stringBounds(nullCount, slice(min), slice(max));
}

/** Copies the bounds out of the page or dictionary (reused buffers), shortening long ones. */
function stringBounds(nullCount: number, min: Uint8Array, max: Uint8Array): ChunkStatistics {
  const lower = min.length <= MAX_STRING_BOUND_BYTES ? Uint8Array.from(min) : shortLowerBound(min);
  const upper = max.length <= MAX_STRING_BOUND_BYTES ? Uint8Array.from(max) : shortUpperBound(max);
  // Both bounds or neither: a reader with one of them cannot prune a range anyway.
  if (upper === undefined) return none(nullCount, false);
  return {
    nullCount,
    nanCount: undefined,
    min: lower,
    max: upper,
    minExact: min.length <= MAX_STRING_BOUND_BYTES,
    maxExact: max.length <= MAX_STRING_BOUND_BYTES,
    signedOrder: false,
  };
}

/** The longest prefix of at most MAX_STRING_BOUND_BYTES that ends on a UTF-8 character boundary. */
function prefixEnd(v: Uint8Array): number {
  let end = MAX_STRING_BOUND_BYTES;
  // A continuation byte (10xxxxxx) at `end` means a character straddles the cut: cut before it.
  while (end > 0 && (v[end]! & 0xc0) === 0x80) end--;
  return end;
}

/** A prefix of `v`: it sorts before or equal to `v` byte-wise. */
function shortLowerBound(v: Uint8Array): Uint8Array {
  return Uint8Array.from(v.subarray(0, prefixEnd(v)));
}

/**
 * A short string above `v`: its prefix with the last code point that can be raised raised by one
 * (the characters after it dropped). Undefined when no such string exists (invalid UTF-8, or a
 * prefix of U+10FFFF only).
 */
function shortUpperBound(v: Uint8Array): Uint8Array | undefined {
  const prefix = v.subarray(0, prefixEnd(v));
  if (!isUtf8(prefix)) return undefined;
  const points = [...Buffer.from(prefix).toString('utf8')].map((c) => c.codePointAt(0)!);
  for (let k = points.length - 1; k >= 0; k--) {
    let next = points[k]! + 1;
    if (next === 0xd800) next = 0xe000; // surrogates are not characters
    if (next > 0x10ffff) continue;
    return Buffer.from(String.fromCodePoint(...points.slice(0, k), next), 'utf8');
  }
  return undefined;
}

/** The fields of a `Statistics` struct, in field id order. */
export function writeStatistics(w: ThriftWriter, s: ChunkStatistics): void {
  if (s.min !== undefined && s.max !== undefined && s.signedOrder) w.binary(1, s.max).binary(2, s.min);
  w.i64(3, s.nullCount);
  if (s.min !== undefined && s.max !== undefined) {
    w.binary(5, s.max).binary(6, s.min).bool(7, s.maxExact).bool(8, s.minExact);
  }
  if (s.nanCount !== undefined) w.i64(9, s.nanCount);
}

/**
 * Parquet's RLE / bit-packing hybrid encoding (definition levels and dictionary indices).
 * Runs of eight or more equal values become RLE runs; the rest is bit-packed in groups of eight,
 * least significant bit first. Spec: parquet-format Encodings.md, "RLE".
 */
import { ByteSink } from './byte-sink.ts';

export function bitWidth(maxValue: number): number {
  let w = 0;
  while (maxValue >= 2 ** w) w++;
  return w;
}

/** Encodes the first `count` values of `values` with the given bit width, as a new array. */
export function encodeHybrid(count: number, width: number, values: Int32Array | Uint8Array): Uint8Array {
  const out = new ByteSink(1024);
  writeHybrid(out, count, width, values);
  return out.copy();
}

/** Appends the encoding of the first `count` values of `values` to `out`. */
export function writeHybrid(
  out: ByteSink,
  count: number,
  width: number,
  values: Int32Array | Uint8Array,
): void {
  const valueBytes = Math.ceil(width / 8);
  let pendingStart = 0; // start of values not yet written (a bit-packed section)
  let i = 0;
  while (i < count) {
    const v = values[i]!;
    let r = 1;
    while (i + r < count && values[i + r] === v) r++;
    // Values from the run that complete the pending section's last group of eight.
    const lend = (8 - ((i - pendingStart) % 8)) % 8;
    if (r - lend >= 8) {
      writePacked(out, values, pendingStart, i + lend, width);
      pendingStart = i + lend;
      out.varint((i + r - pendingStart) * 2);
      out.ensure(valueBytes);
      let x = v;
      for (let b = 0; b < valueBytes; b++) {
        out.buf[out.len++] = x % 256;
        x = Math.floor(x / 256);
      }
      pendingStart = i + r;
    }
    i += r;
  }
  writePacked(out, values, pendingStart, count, width);
}

/** Writes values[start, end) bit-packed, padding the last group of eight with zeros. */
function writePacked(
  out: ByteSink,
  values: Int32Array | Uint8Array,
  start: number,
  end: number,
  width: number,
): void {
  const n = end - start;
  if (n <= 0) return;
  const groups = Math.ceil(n / 8);
  out.varint((groups << 1) | 1);
  out.ensure(groups * width + 8);
  const buf = out.buf;
  let len = out.len;
  let acc = 0;
  let bits = 0;
  const last = start + groups * 8;
  if (width <= 24) {
    // The accumulator never holds more than 31 bits: plain integer shifts.
    for (let idx = start; idx < last; idx++) {
      acc |= (idx < end ? values[idx]! : 0) << bits;
      bits += width;
      while (bits >= 8) {
        buf[len++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
  } else {
    for (let idx = start; idx < last; idx++) {
      acc += (idx < end ? values[idx]! : 0) * 2 ** bits;
      bits += width;
      while (bits >= 8) {
        buf[len++] = acc % 256;
        acc = Math.floor(acc / 256);
        bits -= 8;
      }
    }
  }
  out.len = len;
}

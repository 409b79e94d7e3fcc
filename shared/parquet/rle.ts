/**
 * Parquet's RLE / bit-packing hybrid encoding (definition levels and dictionary indices).
 * Runs of eight or more equal values become RLE runs; the rest is bit-packed in groups of eight,
 * least significant bit first. Spec: parquet-format Encodings.md, "RLE".
 */
class Bytes {
  buf = new Uint8Array(1024);
  len = 0;
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }
}

export function bitWidth(maxValue: number): number {
  let w = 0;
  while (maxValue >= 2 ** w) w++;
  return w;
}

/** Encodes the first `count` values of `values` with the given bit width. */
export function encodeHybrid(count: number, width: number, values: Int32Array | Uint8Array): Uint8Array {
  const out = new Bytes();
  const valueBytes = Math.ceil(width / 8);
  let pendingStart = 0; // start of values not yet written (a bit-packed section)
  let i = 0;

  const flushPacked = (end: number) => {
    // Writes [pendingStart, end) bit-packed, padding the last group with zeros.
    const n = end - pendingStart;
    if (n <= 0) return;
    const groups = Math.ceil(n / 8);
    out.varint((groups << 1) | 1);
    out.ensure(groups * width + 8);
    const buf = out.buf;
    let len = out.len;
    let acc = 0;
    let bits = 0;
    const last = pendingStart + groups * 8;
    if (width <= 24) {
      // The accumulator never holds more than 31 bits: plain integer shifts.
      for (let idx = pendingStart; idx < last; idx++) {
        acc |= (idx < end ? values[idx]! : 0) << bits;
        bits += width;
        while (bits >= 8) {
          buf[len++] = acc & 0xff;
          acc >>>= 8;
          bits -= 8;
        }
      }
    } else {
      for (let idx = pendingStart; idx < last; idx++) {
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
    pendingStart = end;
  };

  while (i < count) {
    const v = values[i]!;
    let r = 1;
    while (i + r < count && values[i + r] === v) r++;
    // Values from the run that complete the pending section's last group of eight.
    const lend = (8 - ((i - pendingStart) % 8)) % 8;
    if (r - lend >= 8) {
      flushPacked(i + lend);
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
  flushPacked(count);
  return out.buf.slice(0, out.len);
}

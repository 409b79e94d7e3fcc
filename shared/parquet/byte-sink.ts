/**
 * A growing byte buffer written front to back and reused: the Parquet writer assembles every page
 * and file in a few of these instead of allocating small arrays per page (thousands of files per
 * ingest, whose short-lived buffers cost time and fragmented the native heap).
 */
export class ByteSink {
  buf: Buffer;
  len = 0;

  constructor(capacity = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  reset(): this {
    this.len = 0;
    return this;
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  u32le(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }

  /** Unsigned LEB128 varint. */
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  /** Appends `src[start, end)`: short runs byte by byte (cheaper than a native call for a few bytes). */
  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    const d = this.buf;
    const at = this.len;
    if (n < 32) for (let k = 0; k < n; k++) d[at + k] = src[start + k]!;
    else d.set(src.subarray(start, end), at);
    this.len += n;
  }

  /** Appends a string as UTF-8; returns its byte length. */
  utf8(s: string): number {
    const n = s.length;
    this.ensure(n * 3);
    const d = this.buf;
    // Short ASCII strings (ids, e-mails, phones) byte by byte: cheaper than a native call each.
    if (n < 64) {
      let at = this.len;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        d[at++] = c;
      }
      if (i === n) {
        this.len = at;
        return n;
      }
    }
    const written = d.write(s, this.len, 'utf8');
    this.len += written;
    return written;
  }

  /** The bytes written so far, without copying: valid until the sink is written again. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** A copy of the bytes written so far, which the sink's reuse cannot change. */
  copy(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buf, 0, this.len);
  }
}

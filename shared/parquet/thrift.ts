/**
 * Thrift compact protocol, write side only: just what Parquet's file metadata and page headers need.
 * Spec: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
 */
export enum CType {
  BOOL_TRUE = 1,
  BOOL_FALSE = 2,
  BYTE = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  BINARY = 8,
  LIST = 9,
  STRUCT = 12,
}

export class ThriftWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private readonly lastField: number[] = [0];

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned LEB128 varint, for lengths and zigzagged integers up to 2^53. */
  private varint(v: number): void {
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  private zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  private fieldHeader(id: number, type: CType): void {
    const last = this.lastField[this.lastField.length - 1]!;
    const delta = id - last;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag(id);
    }
    this.lastField[this.lastField.length - 1] = id;
  }

  i32(id: number, v: number): this {
    this.fieldHeader(id, CType.I32);
    this.zigzag(v);
    return this;
  }

  i64(id: number, v: number): this {
    this.fieldHeader(id, CType.I64);
    this.zigzag(v);
    return this;
  }

  bool(id: number, v: boolean): this {
    this.fieldHeader(id, v ? CType.BOOL_TRUE : CType.BOOL_FALSE);
    return this;
  }

  binary(id: number, v: string | Uint8Array): this {
    const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    this.fieldHeader(id, CType.BINARY);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** A binary field holding `src[start, end)` (no copy of the range first). */
  binaryRange(id: number, src: Uint8Array, start: number, end: number): this {
    const n = end - start;
    this.fieldHeader(id, CType.BINARY);
    this.varint(n);
    this.ensure(n);
    for (let k = 0; k < n; k++) this.buf[this.len + k] = src[start + k]!;
    this.len += n;
    return this;
  }

  /** A nested struct field; `body` writes its fields. */
  struct(id: number, body: (w: this) => void): this {
    this.beginStruct(id);
    body(this);
    return this.endStruct();
  }

  /** Opens a nested struct field (the form without a callback, for per-page headers). */
  beginStruct(id: number): this {
    this.fieldHeader(id, CType.STRUCT);
    this.lastField.push(0);
    return this;
  }

  endStruct(): this {
    this.byte(0);
    this.lastField.pop();
    return this;
  }

  private listHeader(id: number, size: number, elem: CType): void {
    this.fieldHeader(id, CType.LIST);
    if (size < 15) this.byte((size << 4) | elem);
    else {
      this.byte(0xf0 | elem);
      this.varint(size);
    }
  }

  listI32(id: number, values: readonly number[]): this {
    this.listHeader(id, values.length, CType.I32);
    for (const v of values) this.zigzag(v);
    return this;
  }

  listBinary(id: number, values: readonly string[]): this {
    this.listHeader(id, values.length, CType.BINARY);
    for (const v of values) {
      const bytes = Buffer.from(v, 'utf8');
      this.varint(bytes.length);
      this.ensure(bytes.length);
      this.buf.set(bytes, this.len);
      this.len += bytes.length;
    }
    return this;
  }

  listStruct<T>(id: number, items: readonly T[], body: (w: this, item: T) => void): this {
    this.listHeader(id, items.length, CType.STRUCT);
    for (const item of items) {
      this.lastField.push(0);
      body(this, item);
      this.byte(0);
      this.lastField.pop();
    }
    return this;
  }

  /** Ends the top-level struct and returns the bytes. */
  finish(): Uint8Array {
    this.byte(0);
    return this.buf.slice(0, this.len);
  }

  /** Ends the top-level struct and returns the bytes without copying: valid until `reset`. */
  finishView(): Uint8Array {
    this.byte(0);
    return this.buf.subarray(0, this.len);
  }

  /** Starts a new top-level struct in the same buffer. */
  reset(): this {
    this.len = 0;
    this.lastField.length = 1;
    this.lastField[0] = 0;
    return this;
  }
}

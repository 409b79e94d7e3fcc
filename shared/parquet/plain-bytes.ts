/**
 * A near-unique string column (order ids) held as UTF-8 bytes in one arena, one (start, length) per
 * row; length -1 is null. Written PLAIN, so no dictionary and no JS string per value.
 */
import type { ColumnData } from './writer.ts';

export class PlainBytes {
  private data: Buffer = Buffer.allocUnsafe(256 * 1024);
  private used = 0;
  private starts: Int32Array;
  private lengths: Int32Array;

  constructor(capacity: number) {
    this.starts = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
  }

  /** Room for `capacity` rows (the buffer grew). */
  grow(capacity: number): void {
    const starts = new Int32Array(capacity);
    starts.set(this.starts);
    const lengths = new Int32Array(capacity);
    lengths.set(this.lengths);
    this.starts = starts;
    this.lengths = lengths;
  }

  putString(row: number, v: string | null): void {
    if (v === null) {
      this.lengths[row] = -1;
      return;
    }
    this.room(v.length * 3);
    const len = this.data.write(v, this.used, 'utf8');
    this.starts[row] = this.used;
    this.lengths[row] = len;
    this.used += len;
  }

  putBytes(row: number, src: Uint8Array, start: number, end: number): void {
    const len = end - start;
    this.room(len);
    const d = this.data;
    const at = this.used;
    for (let k = 0; k < len; k++) d[at + k] = src[start + k]!;
    this.starts[row] = at;
    this.lengths[row] = len;
    this.used += len;
  }

  /** The values of `rows`, in that order, for the writer (views into the arena). */
  gather(rows: Int32Array): ColumnData {
    const k = rows.length;
    const starts = new Int32Array(k);
    const lengths = new Int32Array(k);
    for (let j = 0; j < k; j++) {
      const r = rows[j]!;
      starts[j] = this.starts[r]!;
      lengths[j] = this.lengths[r]!;
    }
    return { kind: 'binary', data: this.data, starts, lengths };
  }

  clear(): void {
    // A new arena: the previous one may still back data handed to the writer.
    this.data = Buffer.allocUnsafe(this.data.length);
    this.used = 0;
  }

  private room(n: number): void {
    if (this.used + n <= this.data.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.data.length * 2, this.used + n));
    this.data.copy(next, 0, 0, this.used);
    this.data = next;
  }
}

/**
 * Appends byte strings to one growing buffer and says where each went: the storage of a near-unique
 * string column (order ids), which is written PLAIN without a JS string per value.
 */
export class ByteArena {
  data: Buffer = Buffer.allocUnsafe(256 * 1024);
  private used = 0;
  /** Byte length of the value the last `appendString` stored. */
  lastLength = 0;

  /** Copies `src[start, end)` in; returns its offset. */
  append(src: Uint8Array, start: number, end: number): number {
    const len = end - start;
    this.room(len);
    const d = this.data;
    const at = this.used;
    for (let k = 0; k < len; k++) d[at + k] = src[start + k]!;
    this.used += len;
    return at;
  }

  /** Stores `v` as UTF-8; returns its offset (its length is `lastLength`). */
  appendString(v: string): number {
    this.room(v.length * 3);
    const at = this.used;
    this.lastLength = this.data.write(v, at, 'utf8');
    this.used += this.lastLength;
    return at;
  }

  /** Empties the arena, keeping its buffer (earlier offsets become invalid). */
  clear(): void {
    this.used = 0;
  }

  private room(n: number): void {
    if (this.used + n <= this.data.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.data.length * 2, this.used + n));
    this.data.copy(next, 0, 0, this.used);
    this.data = next;
  }
}

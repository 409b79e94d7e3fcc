/**
 * Interns byte strings (UTF-8 values straight from a file's bytes) to dense integer ids, without
 * making a JS string per value: an open-addressing hash table over a byte arena. Ingest's byte path
 * dictionary-codes SKUs, names and channels this way, and the Parquet dictionary page takes the
 * arena's bytes as they are.
 */
import type { ByteStrings } from './writer.ts';

const EMPTY = -1;

export class ByteDictionary {
  private arena: Buffer = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private table = new Int32Array(2048).fill(EMPTY);
  private mask = 2047;
  size = 0;

  /** The id of bytes `src[start, end)`, adding them when new. */
  intern(src: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
    const len = end - start;
    let slot = h & this.mask;
    for (;;) {
      const id = this.table[slot]!;
      if (id === EMPTY) break;
      if (this.hashes[id] === h && this.lengths[id] === len && this.sameBytes(id, src, start, len)) return id;
      slot = (slot + 1) & this.mask;
    }
    return this.add(src, start, len, h, slot);
  }

  /** True when entry `id` holds exactly the bytes `src[start, end)`. */
  equals(id: number, src: Uint8Array, start: number, end: number): boolean {
    return this.lengths[id] === end - start && this.sameBytes(id, src, start, end - start);
  }

  /** The bytes of entry `id` (a view into the arena, valid until `clear`). */
  bytes(id: number): Uint8Array {
    const s = this.starts[id]!;
    return this.arena.subarray(s, s + this.lengths[id]!);
  }

  /** Entries `ids[0, count)` as views into the arena (valid until `clear`). */
  slices(ids: Int32Array, count: number): ByteStrings {
    const starts = new Int32Array(count);
    const lengths = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      starts[i] = this.starts[id]!;
      lengths[i] = this.lengths[id]!;
    }
    return { data: this.arena, starts, lengths };
  }

  /** The entry as a string (decoded on demand: only for the rare caller that needs one). */
  string(id: number): string {
    const s = this.starts[id]!;
    return this.arena.toString('utf8', s, s + this.lengths[id]!);
  }

  clear(): void {
    this.used = 0;
    this.size = 0;
    this.table.fill(EMPTY);
  }

  private sameBytes(id: number, src: Uint8Array, start: number, len: number): boolean {
    const a = this.arena;
    const s = this.starts[id]!;
    for (let k = 0; k < len; k++) if (a[s + k] !== src[start + k]) return false;
    return true;
  }

  private add(src: Uint8Array, start: number, len: number, h: number, slot: number): number {
    if (this.used + len > this.arena.length) {
      const next = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.used + len));
      this.arena.copy(next, 0, 0, this.used);
      this.arena = next;
    }
    for (let k = 0; k < len; k++) this.arena[this.used + k] = src[start + k]!;
    const id = this.size++;
    if (id === this.starts.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.lengths = grow(this.lengths);
      this.hashes = grow(this.hashes);
    }
    this.starts[id] = this.used;
    this.lengths[id] = len;
    this.hashes[id] = h;
    this.used += len;
    this.table[slot] = id;
    // Kept at most half full, so probes stay short.
    if (this.size * 2 > this.mask) this.rehash();
    return id;
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.hashes[id]! & this.mask;
      while (this.table[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.table[slot] = id;
    }
  }
}

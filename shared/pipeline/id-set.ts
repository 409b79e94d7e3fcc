/**
 * Distinct pseudonymous customer ids, kept as the first 64 bits of each (8 bytes, not an 80-byte
 * string): ingest counts the customers whose contact details it stored, and a 10M-line export has
 * over a million of them. Pseudonyms are hex HMAC-SHA256 values, so 64 of their bits are uniformly
 * spread: two customers share a key with odds of about n² / 2^65 (1 in 20 million at 1.3M customers).
 * The keys travel between threads as one Int32Array (`keys()`), not as a million strings.
 */
/** Value of a hex digit's character code, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const l = c | 0x20; // a-f, either case
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** The 32-bit number the 8 hex digits at `at` spell, or NaN when one is not a hex digit. */
function hex8(id: string, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const d = hexValue(id.charCodeAt(i));
    if (d < 0) return Number.NaN;
    v = (v << 4) | d;
  }
  return v;
}

export class IdSet {
  /** Pairs (high, low) of 32 bits; `used` marks the taken slots (a key may be 0). */
  private table = new Int32Array(2048);
  private used = new Uint8Array(1024);
  private mask = 1023;
  size = 0;

  /** Adds a pseudonym (at least 16 hex digits). */
  add(id: string): void {
    // Digit by digit: a regular expression and two parseInt calls cost a microsecond per id.
    const hi = hex8(id, 0);
    const lo = hex8(id, 8);
    if (Number.isNaN(hi) || Number.isNaN(lo)) throw new Error(`not a pseudonymous id: ${id.slice(0, 20)}`);
    this.addKey(hi, lo);
  }

  /** Adds the keys another set exported with `keys()`. */
  addKeys(keys: Int32Array): void {
    for (let i = 0; i + 1 < keys.length; i += 2) this.addKey(keys[i]!, keys[i + 1]!);
  }

  /** The keys as (high, low) pairs. */
  keys(): Int32Array {
    const out = new Int32Array(this.size * 2);
    let k = 0;
    for (let s = 0; s <= this.mask; s++) {
      if (!this.used[s]) continue;
      out[k++] = this.table[s * 2]!;
      out[k++] = this.table[s * 2 + 1]!;
    }
    return out;
  }

  private addKey(hi: number, lo: number): void {
    let s = (Math.imul(lo ^ hi, 0x9e3779b1) >>> 0) & this.mask;
    while (this.used[s]) {
      if (this.table[s * 2] === hi && this.table[s * 2 + 1] === lo) return;
      s = (s + 1) & this.mask;
    }
    this.used[s] = 1;
    this.table[s * 2] = hi;
    this.table[s * 2 + 1] = lo;
    this.size++;
    // At most half full, so probes stay short.
    if (this.size * 2 > this.mask) this.grow();
  }

  private grow(): void {
    const keys = this.keys();
    const slots = (this.mask + 1) * 2;
    this.table = new Int32Array(slots * 2);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
    this.size = 0;
    this.addKeys(keys);
  }
}

/**
 * Rows of one table held by partition until they are written as one Parquet file per partition. A
 * row goes straight to its partition (row-major there, see Partition), so neither landing a row nor
 * writing a partition reads memory at random: a buffer of all rows gathered per partition at write
 * time was a cache miss per value. Strings are dictionary-coded as they arrive, as UTF-8 bytes (a
 * value repeated a million times is stored once); near-unique ones (order ids) go to a byte arena.
 * No object per row: ingest's hot path.
 *
 * Usage: `startRow(partition)`, then one `set*` per column for that row.
 */
import type { ColumnSpec, TableSpec } from '../schemas/table.ts';
import { ByteArena } from './byte-arena.ts';
import { ByteDictionary } from './byte-dictionary.ts';
import type { ColumnData } from './writer.ts';

interface StringColumn {
  kind: 'string';
  /** Set once the column proves near-unique (order ids): values kept in the arena, written PLAIN. */
  plain: ByteArena | undefined;
  dict: ByteDictionary;
  /** Ids of values that arrived as JS strings (formats mapped field by field). */
  lookup: Map<string, number>;
  /** The last JS string set and its id: statuses and currencies repeat line after line. */
  last: string | null;
  lastId: number;
}
interface NumberColumn {
  kind: 'number';
  type: ColumnSpec['type'];
}
type Column = StringColumn | NumberColumn;

/**
 * One partition's rows, row-major in fixed-size blocks: a row's numbers sit side by side in a block
 * of `numbers` and its string slots (dictionary id or arena offset, then byte length) side by side in
 * a block of `ints`, so landing a row touches two or three cache lines of its partition however many
 * columns the table has. Blocks come from the buffer's pool and go back to it when the partition is
 * drained: no array grows by copying, and a long file reuses the same memory flush after flush
 * (arrays doubled and dropped per flush fragmented the native heap, which then never shrank).
 */
class Partition {
  rows = 0;
  readonly numbers: Float64Array[] = [];
  readonly ints: Int32Array[] = [];

  constructor(readonly values: Record<string, string>) {}
}

/** Rows per block: a block of ints stays below glibc's 128 KB mmap threshold for 60 string columns. */
const BLOCK_SHIFT = 9;
const BLOCK_ROWS = 1 << BLOCK_SHIFT;
const BLOCK_MASK = BLOCK_ROWS - 1;

/**
 * Per column, arrays a drained partition's values are copied into, reused from one partition to the
 * next (sized to the largest): a flush of a million rows would otherwise leave a hundred megabytes of
 * short-lived arrays per flush, and the heap they fragment stays with the process.
 */
class Scratch {
  size = 0;
  f64 = new Float64Array(0);
  i32a = new Int32Array(0);
  i32b = new Int32Array(0);
  u8 = new Uint8Array(0);
  nulls = new Uint8Array(0);

  fit(rows: number): void {
    if (rows <= this.size) return;
    this.size = Math.max(rows, this.size * 2);
    this.f64 = new Float64Array(this.size);
    this.i32a = new Int32Array(this.size);
    this.i32b = new Int32Array(this.size);
    this.u8 = new Uint8Array(this.size);
    this.nulls = new Uint8Array(this.size);
  }
}

/** Rows after which a string column with more than 30 % distinct values stops using a dictionary. */
const DICTIONARY_PROBE_ROWS = 16_384;

/** A value's dictionary id in one column, valid while `generation` is the buffer's (until a flush). */
export interface StringMemo {
  generation: number;
  id: number;
}

export interface PartitionData {
  values: Readonly<Record<string, string>>;
  rows: number;
  columns: ColumnData[];
}

export class ColumnarBuffer {
  private readonly cols: Column[];
  /** Per column: its slot in a row of `numbers`, or the first of its two slots in `ints`. */
  private readonly slot: Int32Array;
  private readonly numberWidth: number;
  private readonly intWidth: number;
  private partitions = new Map<string, Partition>();
  private readonly freeNumbers: Float64Array[] = [];
  private readonly freeInts: Int32Array[] = [];
  private readonly scratch: Scratch[];
  /** The row being set: its partition, the blocks holding it and its first slot in each. */
  private part: Partition | undefined;
  private partKey: string | undefined;
  private numberBlock: Float64Array = new Float64Array(0);
  private intBlock: Int32Array = new Int32Array(0);
  private numberAt = 0;
  private intAt = 0;
  /** Advances when the dictionaries are cleared (a flush): ids held in a StringMemo expire. */
  private generation = 0;
  rows = 0;

  constructor(readonly spec: TableSpec) {
    this.cols = spec.columns.map(
      (c): Column =>
        c.type === 'string'
          ? {
              kind: 'string',
              plain: undefined,
              dict: new ByteDictionary(),
              lookup: new Map(),
              last: null,
              lastId: -1,
            }
          : { kind: 'number', type: c.type },
    );
    let numbers = 0;
    let ints = 0;
    this.slot = Int32Array.from(this.cols, (c) => {
      if (c.kind === 'number') return numbers++;
      ints += 2;
      return ints - 2;
    });
    this.numberWidth = numbers;
    this.intWidth = ints;
    this.scratch = this.cols.map(() => new Scratch());
  }

  /** Index of a column, resolved once by callers so the per-row calls take plain integers. */
  columnIndex(name: string): number {
    const i = this.spec.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`table ${this.spec.name} has no column ${name}`);
    return i;
  }

  /** Starts a row in a partition; `values` gives a new partition's key values (spec key order). */
  startRow(partitionKey: string, values: (key: string) => Record<string, string>): void {
    // Lines of one order, and date-sorted exports, land in the partition of the line before.
    let p = partitionKey === this.partKey ? this.part : this.partitions.get(partitionKey);
    if (p === undefined) {
      p = new Partition(values(partitionKey));
      this.partitions.set(partitionKey, p);
    }
    const at = p.rows & BLOCK_MASK;
    if (at === 0) {
      // Every slot starts null (NaN, -1): a column a row never sets is written as null, not as what
      // a recycled block held, or id 0 of a dictionary. A lander that does not know of a column
      // added to its table (compaction_id) once wrote such leftovers, and readers skipped the rows.
      p.numbers.push(
        (this.freeNumbers.pop() ?? new Float64Array(BLOCK_ROWS * this.numberWidth)).fill(Number.NaN),
      );
      p.ints.push((this.freeInts.pop() ?? new Int32Array(BLOCK_ROWS * this.intWidth)).fill(-1));
    }
    this.part = p;
    this.partKey = partitionKey;
    this.numberBlock = p.numbers[p.numbers.length - 1]!;
    this.intBlock = p.ints[p.ints.length - 1]!;
    this.numberAt = at * this.numberWidth;
    this.intAt = at * this.intWidth;
    p.rows++;
    this.rows++;
  }

  setString(col: number, v: string | null): void {
    const c = this.cols[col] as StringColumn;
    if (!c.plain && this.rows === DICTIONARY_PROBE_ROWS + 1) this.probe(c, col);
    const ints = this.intBlock;
    const at = this.intAt + this.slot[col]!;
    if (c.plain) {
      if (v === null) ints[at + 1] = -1;
      else {
        ints[at] = c.plain.appendString(v);
        ints[at + 1] = c.plain.lastLength;
      }
      return;
    }
    if (v === null) {
      ints[at] = -1;
      return;
    }
    if (v === c.last) {
      ints[at] = c.lastId;
      return;
    }
    let id = c.lookup.get(v);
    if (id === undefined) {
      const bytes = Buffer.from(v, 'utf8');
      id = c.dict.intern(bytes, 0, bytes.length);
      c.lookup.set(v, id);
    }
    ints[at] = id;
    c.last = v;
    c.lastId = id;
  }

  /**
   * A string value whose dictionary id the caller keeps between rows in `memo` (one memo per value
   * and column: a customer's pseudonym), so a value met again costs no lookup until the next flush.
   */
  setStringMemo(col: number, v: string, memo: StringMemo): void {
    const c = this.cols[col] as StringColumn;
    if (!c.plain && this.rows === DICTIONARY_PROBE_ROWS + 1) this.probe(c, col);
    if (!c.plain && memo.generation === this.generation) {
      this.intBlock[this.intAt + this.slot[col]!] = memo.id;
      return;
    }
    this.setString(col, v);
    if (!c.plain) {
      memo.generation = this.generation;
      memo.id = this.intBlock[this.intAt + this.slot[col]!]!;
    }
  }

  /** A non-null string value given as UTF-8 bytes `src[start, end)` (ingest's byte path). */
  setBytes(col: number, src: Uint8Array, start: number, end: number): void {
    const c = this.cols[col] as StringColumn;
    if (!c.plain && this.rows === DICTIONARY_PROBE_ROWS + 1) this.probe(c, col);
    const ints = this.intBlock;
    const at = this.intAt + this.slot[col]!;
    if (c.plain) {
      ints[at] = c.plain.append(src, start, end);
      ints[at + 1] = end - start;
      return;
    }
    ints[at] = c.dict.intern(src, start, end);
  }

  /** Numbers, booleans (0/1), timestamps (epoch ms) and dates (days since epoch); NaN is null. */
  setNumber(col: number, v: number | null): void {
    this.numberBlock[this.numberAt + this.slot[col]!] = v === null ? Number.NaN : v;
  }

  /**
   * A column with mostly distinct values gains nothing from a dictionary but pays a lookup per row:
   * past the probe rows its values move to a byte arena (rows set so far; the current row follows).
   */
  private probe(c: StringColumn, col: number): void {
    if (c.dict.size <= DICTIONARY_PROBE_ROWS * 0.3) return;
    const arena = new ByteArena();
    const s = this.slot[col]!;
    for (const p of this.partitions.values()) {
      // The current row (the last of its partition) is set by the caller after the move.
      const rows = p === this.part ? p.rows - 1 : p.rows;
      for (let i = 0; i < rows; i++) {
        const ints = p.ints[i >> BLOCK_SHIFT]!;
        const at = (i & BLOCK_MASK) * this.intWidth + s;
        const id = ints[at]!;
        if (id < 0) ints[at + 1] = -1;
        else {
          const b = c.dict.bytes(id);
          ints[at] = arena.append(b, 0, b.length);
          ints[at + 1] = b.length;
        }
      }
    }
    c.plain = arena;
    c.lookup.clear();
    c.dict = new ByteDictionary();
  }

  /**
   * The buffered rows, one partition at a time (sorted by partition key), then an empty buffer.
   * One at a time, so a flush holds a single partition's column copies beside the buffer. Its
   * arrays are reused for the next partition and its string values are views into the buffer's
   * arenas: encode each partition before taking the next (the writer copies as it encodes).
   */
  *drain(): Generator<PartitionData> {
    const keys = [...this.partitions.keys()].sort();
    // Per string column, which partition last used each global id and its index there.
    const stamps = this.cols.map((c) =>
      c.kind === 'string' ? new Int32Array(c.dict.size).fill(-1) : undefined,
    );
    const locals = this.cols.map((c) => (c.kind === 'string' ? new Int32Array(c.dict.size) : undefined));
    const partitions = this.partitions;
    try {
      for (const [pi, key] of keys.entries()) {
        const p = partitions.get(key)!;
        const columns = this.cols.map((c, ci) =>
          c.kind === 'string' ? this.strings(c, ci, p, pi, stamps[ci]!, locals[ci]!) : this.numbers(c, ci, p),
        );
        partitions.delete(key);
        this.release(p);
        yield { values: p.values, rows: p.rows, columns };
      }
    } finally {
      this.reset();
    }
  }

  private strings(
    c: StringColumn,
    ci: number,
    p: Partition,
    partition: number,
    stamp: Int32Array,
    local: Int32Array,
  ): ColumnData {
    const k = p.rows;
    const w = this.intWidth;
    const s = this.slot[ci]!;
    const scratch = this.scratch[ci]!;
    scratch.fit(k);
    if (c.plain) {
      const starts = scratch.i32a.subarray(0, k);
      const lengths = scratch.i32b.subarray(0, k);
      for (let j = 0; j < k; j++) {
        const ints = p.ints[j >> BLOCK_SHIFT]!;
        const at = (j & BLOCK_MASK) * w + s;
        starts[j] = ints[at]!;
        lengths[j] = ints[at + 1]!;
      }
      return { kind: 'binary', data: c.plain.data, starts, lengths };
    }
    // The partition's own dictionary: global ids renumbered in order of first use.
    let used = new Int32Array(64);
    let size = 0;
    const indices = scratch.i32a.subarray(0, k);
    for (let j = 0; j < k; j++) {
      const gid = p.ints[j >> BLOCK_SHIFT]![(j & BLOCK_MASK) * w + s]!;
      if (gid < 0) {
        indices[j] = -1;
        continue;
      }
      if (stamp[gid] !== partition) {
        stamp[gid] = partition;
        local[gid] = size;
        if (size === used.length) {
          const more = new Int32Array(size * 2);
          more.set(used);
          used = more;
        }
        used[size++] = gid;
      }
      indices[j] = local[gid]!;
    }
    const dictionary = c.dict.slices(used, size);
    return { kind: 'dict', dictionary, indices };
  }

  private numbers(c: NumberColumn, ci: number, p: Partition): ColumnData {
    const k = p.rows;
    const w = this.numberWidth;
    const s = this.slot[ci]!;
    const scratch = this.scratch[ci]!;
    scratch.fit(k);
    const values = scratch.f64.subarray(0, k);
    const nulls = scratch.nulls.subarray(0, k);
    let anyNull = false;
    for (let j = 0; j < k; j++) {
      const v = p.numbers[j >> BLOCK_SHIFT]![(j & BLOCK_MASK) * w + s]!;
      if (Number.isNaN(v)) {
        nulls[j] = 1;
        values[j] = 0;
        anyNull = true;
      } else {
        nulls[j] = 0;
        values[j] = v;
      }
    }
    const nullable = anyNull ? { nulls } : {};
    switch (c.type) {
      case 'double':
        return { kind: 'double', values, ...nullable };
      case 'timestamp':
        return { kind: 'timestamp_ms', values, ...nullable };
      case 'int32': {
        const ints = scratch.i32a.subarray(0, k);
        ints.set(values);
        return { kind: 'int32', values: ints, ...nullable };
      }
      case 'date': {
        const days = scratch.i32a.subarray(0, k);
        days.set(values);
        return { kind: 'date', values: days, ...nullable };
      }
      case 'boolean': {
        const flags = scratch.u8.subarray(0, k);
        flags.set(values);
        return { kind: 'boolean', values: flags, ...nullable };
      }
      default:
        throw new Error(`unexpected column type ${c.type}`);
    }
  }

  /** A drained partition's blocks go back to the pool (its values were copied out). */
  private release(p: Partition): void {
    this.freeNumbers.push(...p.numbers);
    this.freeInts.push(...p.ints);
  }

  private reset(): void {
    this.rows = 0;
    for (const p of this.partitions.values()) this.release(p);
    this.partitions = new Map();
    this.part = undefined;
    this.partKey = undefined;
    // Whatever was drained has been encoded by now (the writer copies bytes as it encodes): the
    // dictionaries and arenas are reused.
    for (const c of this.cols) {
      if (c.kind === 'string') {
        c.plain?.clear();
        c.lookup.clear();
        c.dict.clear();
        c.last = null;
      }
    }
    this.generation++;
  }
}

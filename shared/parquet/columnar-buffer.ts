/**
 * Rows of one table held column by column, by partition, until they are written as one Parquet file
 * per partition. Strings are dictionary-coded as they arrive (a value repeated a million times is
 * stored and UTF-8-encoded once); numbers go to typed arrays. No object per row: ingest's hot path.
 */
import type { ColumnSpec, TableSpec } from '../schemas/table.ts';
import { ByteDictionary } from './byte-dictionary.ts';
import { PlainBytes } from './plain-bytes.ts';
import type { ColumnData } from './writer.ts';

interface StringColumn {
  kind: 'string';
  /** Set once the column proves near-unique (order ids): values kept as bytes, written PLAIN. */
  plain: PlainBytes | undefined;
  ids: Int32Array;
  dict: ByteDictionary;
  /** Ids of values that arrived as JS strings (formats mapped field by field). */
  lookup: Map<string, number>;
  stamp: Int32Array;
  local: Int32Array;
}
interface NumberColumn {
  kind: 'number';
  type: ColumnSpec['type'];
  values: Float64Array;
  nulls: Uint8Array;
}
type Column = StringColumn | NumberColumn;

/** Rows after which a string column with more than 30 % distinct values stops using a dictionary. */
const DICTIONARY_PROBE_ROWS = 16_384;

export interface PartitionData {
  values: Readonly<Record<string, string>>;
  rows: number;
  columns: ColumnData[];
}

export class ColumnarBuffer {
  private readonly cols: Column[];
  private readonly partitionIds = new Map<string, number>();
  private readonly partitionValues: Record<string, string>[] = [];
  private partitionOf: Int32Array;
  private capacity: number;
  rows = 0;

  constructor(
    readonly spec: TableSpec,
    initialCapacity = 4096,
  ) {
    this.capacity = initialCapacity;
    this.partitionOf = new Int32Array(initialCapacity);
    this.cols = spec.columns.map(
      (c): Column =>
        c.type === 'string'
          ? {
              kind: 'string',
              plain: undefined,
              ids: new Int32Array(initialCapacity),
              dict: new ByteDictionary(),
              lookup: new Map(),
              stamp: new Int32Array(0),
              local: new Int32Array(0),
            }
          : {
              kind: 'number',
              type: c.type,
              values: new Float64Array(initialCapacity),
              nulls: new Uint8Array(initialCapacity),
            },
    );
  }

  /** Index of a column, resolved once by callers so the per-row calls take plain integers. */
  columnIndex(name: string): number {
    const i = this.spec.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`table ${this.spec.name} has no column ${name}`);
    return i;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.partitionOf = g(this.partitionOf, (n) => new Int32Array(n));
    for (const c of this.cols) {
      if (c.kind === 'string') {
        c.ids = g(c.ids, (n) => new Int32Array(n));
        c.plain?.grow(cap);
      } else {
        c.values = g(c.values, (n) => new Float64Array(n));
        c.nulls = g(c.nulls, (n) => new Uint8Array(n));
      }
    }
    this.capacity = cap;
  }

  /** Starts a row in the partition with these key values (in the spec's key order); returns its index. */
  startRow(partitionKey: string, values: () => Record<string, string>): number {
    if (this.rows === this.capacity) this.grow();
    let p = this.partitionIds.get(partitionKey);
    if (p === undefined) {
      p = this.partitionValues.length;
      this.partitionIds.set(partitionKey, p);
      this.partitionValues.push(values());
    }
    this.partitionOf[this.rows] = p;
    return this.rows++;
  }

  setString(col: number, row: number, v: string | null): void {
    const c = this.cols[col] as StringColumn;
    if (c.plain) {
      c.plain.putString(row, v);
      return;
    }
    if (row === DICTIONARY_PROBE_ROWS && c.dict.size > DICTIONARY_PROBE_ROWS * 0.3) {
      this.goPlain(c, row).putString(row, v);
      return;
    }
    if (v === null) {
      c.ids[row] = -1;
      return;
    }
    let id = c.lookup.get(v);
    if (id === undefined) {
      const bytes = Buffer.from(v, 'utf8');
      id = c.dict.intern(bytes, 0, bytes.length);
      c.lookup.set(v, id);
    }
    c.ids[row] = id;
  }

  /** A non-null string value given as UTF-8 bytes `src[start, end)` (ingest's byte path). */
  setBytes(col: number, row: number, src: Uint8Array, start: number, end: number): void {
    const c = this.cols[col] as StringColumn;
    if (c.plain) {
      c.plain.putBytes(row, src, start, end);
      return;
    }
    if (row === DICTIONARY_PROBE_ROWS && c.dict.size > DICTIONARY_PROBE_ROWS * 0.3) {
      this.goPlain(c, row).putBytes(row, src, start, end);
      return;
    }
    c.ids[row] = c.dict.intern(src, start, end);
  }

  /** A column with mostly distinct values gains nothing from a dictionary but pays a lookup per row. */
  private goPlain(c: StringColumn, rows: number): PlainBytes {
    const plain = new PlainBytes(this.capacity);
    for (let i = 0; i < rows; i++) {
      const id = c.ids[i]!;
      if (id < 0) plain.putString(i, null);
      else {
        const b = c.dict.bytes(id);
        plain.putBytes(i, b, 0, b.length);
      }
    }
    c.plain = plain;
    c.lookup.clear();
    c.dict.clear();
    return plain;
  }

  /** Numbers, booleans (0/1), timestamps (epoch ms) and dates (days since epoch). */
  setNumber(col: number, row: number, v: number | null): void {
    const c = this.cols[col] as NumberColumn;
    if (v === null) {
      c.nulls[row] = 1;
      c.values[row] = 0;
    } else {
      c.nulls[row] = 0;
      c.values[row] = v;
    }
  }

  /** The buffered rows, one entry per partition (sorted by partition key), and an empty buffer. */
  drain(): PartitionData[] {
    const n = this.rows;
    const count = new Int32Array(this.partitionValues.length);
    for (let i = 0; i < n; i++) count[this.partitionOf[i]!]!++;
    const start = new Int32Array(count.length + 1);
    for (let p = 0; p < count.length; p++) start[p + 1] = start[p]! + count[p]!;
    const order = new Int32Array(n);
    const fill = start.slice(0, count.length);
    for (let i = 0; i < n; i++) order[fill[this.partitionOf[i]!]!++] = i;

    const out: PartitionData[] = [];
    const keys = [...this.partitionIds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, p] of keys) {
      const rows = order.subarray(start[p]!, start[p + 1]!);
      out.push({
        values: this.partitionValues[p]!,
        rows: rows.length,
        columns: this.cols.map((c) => this.gather(c, rows, p)),
      });
    }
    this.reset();
    return out;
  }

  private gather(c: Column, rows: Int32Array, partition: number): ColumnData {
    const k = rows.length;
    if (c.kind === 'string' && c.plain) return c.plain.gather(rows);
    if (c.kind === 'string') {
      if (c.stamp.length < c.dict.size) {
        c.stamp = new Int32Array(c.dict.size).fill(-1);
        c.local = new Int32Array(c.dict.size);
      }
      const dictionary: Uint8Array[] = [];
      const indices = new Int32Array(k);
      for (let j = 0; j < k; j++) {
        const gid = c.ids[rows[j]!]!;
        if (gid < 0) {
          indices[j] = -1;
          continue;
        }
        if (c.stamp[gid] !== partition) {
          c.stamp[gid] = partition;
          c.local[gid] = dictionary.length;
          dictionary.push(c.dict.bytes(gid));
        }
        indices[j] = c.local[gid]!;
      }
      return { kind: 'dict', dictionary, indices };
    }
    const nulls = new Uint8Array(k);
    let anyNull = false;
    for (let j = 0; j < k; j++) {
      if (c.nulls[rows[j]!]) {
        nulls[j] = 1;
        anyNull = true;
      }
    }
    const pick = <T extends Float64Array | Int32Array | Uint8Array>(make: (n: number) => T): T => {
      const a = make(k);
      for (let j = 0; j < k; j++) a[j] = c.values[rows[j]!]!;
      return a;
    };
    const nullable = anyNull ? { nulls } : {};
    switch (c.type) {
      case 'double':
        return { kind: 'double', values: pick((m) => new Float64Array(m)), ...nullable };
      case 'timestamp':
        return { kind: 'timestamp_ms', values: pick((m) => new Float64Array(m)), ...nullable };
      case 'int32':
        return { kind: 'int32', values: pick((m) => new Int32Array(m)), ...nullable };
      case 'date':
        return { kind: 'date', values: pick((m) => new Int32Array(m)), ...nullable };
      case 'boolean':
        return { kind: 'boolean', values: pick((m) => new Uint8Array(m)), ...nullable };
      default:
        throw new Error(`unexpected column type ${c.type}`);
    }
  }

  private reset(): void {
    this.rows = 0;
    this.partitionIds.clear();
    this.partitionValues.length = 0;
    for (const c of this.cols) {
      if (c.kind === 'string') {
        c.plain?.clear();
        c.lookup.clear();
        c.dict.clear();
        c.stamp = new Int32Array(0);
        c.local = new Int32Array(0);
      }
    }
  }
}

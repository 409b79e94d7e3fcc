/**
 * Buffers rows of one table by partition, column by column, and writes each partition as a Parquet
 * file when the buffer is full and at the end. Memory is bounded by the flush size, not the file size.
 */
import { dataFileKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { encodeTable } from '../lake/parquet.ts';
import type { ColumnValues } from '../schemas/arrow.ts';
import type { TableSpec } from '../schemas/table.ts';

export class PartitionBuffer {
  private readonly partitions = new Map<
    string,
    { values: Record<string, string>; columns: Record<string, ColumnValues> }
  >();
  private buffered = 0;
  private flushes = 0;
  readonly written: string[] = [];
  readonly partitionsTouched = new Set<string>();

  constructor(
    private readonly lake: Lake,
    private readonly spec: TableSpec,
    /** File stem shared by every file of this write: `<stem>-<flush number>.parquet`. */
    private readonly fileStem: string,
    private readonly flushRows: number,
  ) {}

  /** Appends a row. The caller flushes when `full` (between input chunks, so rows are never in flight). */
  add(partition: Readonly<Record<string, string>>, row: Readonly<Record<string, unknown>>): void {
    const id = this.spec.partitionKeys.map((k) => partition[k.name]).join('/');
    let p = this.partitions.get(id);
    if (!p) {
      const columns: Record<string, ColumnValues> = {};
      for (const c of this.spec.columns) columns[c.name] = [];
      p = { values: { ...partition }, columns };
      this.partitions.set(id, p);
    }
    for (const c of this.spec.columns) p.columns[c.name]!.push(row[c.name] ?? null);
    this.buffered++;
  }

  get full(): boolean {
    return this.buffered >= this.flushRows;
  }

  /** Writes every buffered partition; each write is atomic. */
  async flush(): Promise<void> {
    if (this.buffered === 0) return;
    const seq = String(this.flushes++).padStart(4, '0');
    // Take the buffered rows first: rows added while the writes are under way start a new buffer.
    const partitions = [...this.partitions].sort(([a], [b]) => a.localeCompare(b));
    this.partitions.clear();
    this.buffered = 0;
    for (const [id, p] of partitions) {
      const key = dataFileKey(this.spec, p.values, `${this.fileStem}-${seq}`);
      await this.lake.put(key, encodeTable(this.spec, p.columns));
      this.written.push(key);
      this.partitionsTouched.add(id);
    }
  }
}

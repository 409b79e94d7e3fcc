/**
 * Writes one batch's rows of a curated table: buffers them column by column and, when the buffer is
 * full and at the end, writes one Parquet file per partition, `<batch>-<flush number>.parquet`.
 * Memory is bounded by the flush size, not by the file size. File names depend only on the input,
 * so a re-run writes the same files.
 */
import { dataFileKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { ColumnarBuffer } from '../parquet/columnar-buffer.ts';
import { type Codec, writeParquetFile } from '../parquet/writer.ts';
import type { TableSpec } from '../schemas/table.ts';

export const CURATED_CODEC: Codec = 'GZIP';
const WRITES_IN_FLIGHT = 16;

export class CuratedWriter {
  readonly buffer: ColumnarBuffer;
  private flushes = 0;
  readonly written: string[] = [];
  readonly partitionsTouched = new Set<string>();

  constructor(
    private readonly lake: Lake,
    readonly spec: TableSpec,
    private readonly batchId: string,
    private readonly flushRows: number,
  ) {
    this.buffer = new ColumnarBuffer(spec);
  }

  get full(): boolean {
    return this.buffer.rows >= this.flushRows;
  }

  async flush(): Promise<void> {
    if (this.buffer.rows === 0) return;
    const seq = String(this.flushes++).padStart(4, '0');
    // Encoding is CPU on this thread; the writes overlap it, a few at a time.
    const inFlight: Promise<void>[] = [];
    for (const p of this.buffer.drain()) {
      const key = dataFileKey(this.spec, p.values, `${this.batchId}-${seq}`);
      const file = writeParquetFile(this.spec, p.columns, p.rows, { codec: CURATED_CODEC });
      inFlight.push(file.then((bytes) => this.lake.put(key, bytes)));
      if (inFlight.length >= WRITES_IN_FLIGHT) await Promise.all(inFlight.splice(0));
      this.written.push(key);
      this.partitionsTouched.add(key.slice(0, key.lastIndexOf('/')));
    }
    await Promise.all(inFlight);
  }
}

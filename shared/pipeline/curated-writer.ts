/**
 * Writes one batch's rows of a curated table: buffers them column by column and, when the buffer is
 * full and at the end, writes one Parquet file per partition, `<batch>-<flush number>.parquet`.
 * Memory is bounded by the flush size, not by the file size. File names depend only on the input,
 * so a re-run writes the same files.
 */
import { dataFileKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { ByteSink } from '../parquet/byte-sink.ts';
import { ColumnarBuffer } from '../parquet/columnar-buffer.ts';
import { type Codec, writeParquetFileInto } from '../parquet/writer.ts';
import type { TableSpec } from '../schemas/table.ts';

export const CURATED_CODEC: Codec = 'GZIP';
const WRITES_IN_FLIGHT = 16;
const MAX_POOLED_SINK_BYTES = 8 * 1024 * 1024;

export class CuratedWriter {
  readonly buffer: ColumnarBuffer;
  private flushes = 0;
  /** Encoded-file buffers not in a write: at most WRITES_IN_FLIGHT of them, reused flush after flush. */
  private readonly sinks: ByteSink[] = [];
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
    // Encoding is CPU on this thread; the writes overlap it, a few at a time, each from a sink of
    // its own that goes back to the pool when its write is done.
    const inFlight: Promise<void>[] = [];
    for (const p of this.buffer.drain()) {
      const key = dataFileKey(this.spec, p.values, `${this.batchId}-${seq}`);
      const sink = this.sinks.pop() ?? new ByteSink(256 * 1024);
      const bytes = writeParquetFileInto(sink, this.spec, p.columns, p.rows, { codec: CURATED_CODEC });
      inFlight.push(
        this.lake.put(key, bytes).finally(() => {
          // A sink grown by an exceptionally large partition is let go, not kept for the next.
          if (sink.buf.length <= MAX_POOLED_SINK_BYTES) this.sinks.push(sink);
        }),
      );
      if (inFlight.length >= WRITES_IN_FLIGHT) await Promise.all(inFlight.splice(0));
      this.written.push(key);
      this.partitionsTouched.add(key.slice(0, key.lastIndexOf('/')));
    }
    await Promise.all(inFlight);
  }
}

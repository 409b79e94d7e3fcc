/**
 * Reading an export file from disk: one fast pass for its content hash (the batch id) and an
 * encoding check, then a streaming pass that hands parsed records on in batches.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CsvParser, type CsvRecord } from './parser.ts';

const CHUNK = 1 << 20;

export interface FileScan {
  /** sha256 of the bytes, 32 hex characters: identical files get identical batch ids. */
  batchId: string;
  bytes: number;
  /** Undefined when the file is valid UTF-8 (with or without BOM); else where it stops being so. */
  encodingProblem: string | undefined;
}

/** Bytes at the end of `buf` that start a UTF-8 sequence the buffer does not finish. */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

export async function scanFile(path: string): Promise<FileScan> {
  const hash = createHash('sha256');
  let bytes = 0;
  let encodingProblem: string | undefined;
  let tail: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    const buf = chunk as Buffer;
    hash.update(buf);
    if (!encodingProblem) {
      const joined = tail.length ? Buffer.concat([tail, buf]) : buf;
      const cut = joined.length - incompleteTail(joined);
      if (!isUtf8(joined.subarray(0, cut))) {
        encodingProblem = `not valid UTF-8 in bytes ${bytes - tail.length}-${bytes + buf.length}`;
      }
      tail = Buffer.from(joined.subarray(cut));
    }
    bytes += buf.length;
  }
  if (!encodingProblem && tail.length) encodingProblem = 'file ends inside a UTF-8 character';
  return { batchId: hash.digest('hex').slice(0, 32), bytes, encodingProblem };
}

/**
 * Streams CSV records from a UTF-8 file (a BOM is dropped), calling `onRecords` with each batch and
 * `onBytes` with progress. Backpressure is natural: the next chunk is read after the batch is handled.
 */
export async function readCsvFile(
  path: string,
  delimiter: string,
  onRecords: (records: CsvRecord[]) => void | Promise<void>,
  onBytes?: (bytesRead: number) => void,
): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  const parser = new CsvParser(delimiter);
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    const buf = chunk as Buffer;
    read += buf.length;
    const records = parser.push(decoder.decode(buf, { stream: true }));
    if (records.length) await onRecords(records);
    onBytes?.(read);
  }
  const rest = parser.push(decoder.decode());
  parser.end(rest);
  if (rest.length) await onRecords(rest);
}

/** The first record of a file (its header), read without parsing the rest. */
export async function readHeader(path: string, delimiter: string): Promise<CsvRecord | undefined> {
  const decoder = new TextDecoder('utf-8');
  const parser = new CsvParser(delimiter);
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    const records = parser.push(decoder.decode(chunk as Buffer, { stream: true }));
    if (records.length) return records[0];
  }
  return parser.end(parser.push(decoder.decode()))[0];
}

/**
 * Reading an export file from disk: one fast pass for its content hash (the batch id) and an
 * encoding check, then a streaming pass that hands parsed records on in batches.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsvParser, type CsvRecord } from './parser.ts';

const CHUNK = 1 << 20;

export interface FileScan {
  /** sha256 of the bytes, 32 hex characters: identical files get identical batch ids. */
  batchId: string;
  bytes: number;
  /** Undefined when the file is valid UTF-8 (with or without BOM); else where it stops being so. */
  encodingProblem: string | undefined;
  /**
   * A record boundary near the middle of the file, for reading it in two parts: the byte offset of
   * the first record of the second part and its line number. Undefined when there is none (a file
   * without LF line ends, or a middle inside one huge quoted field).
   */
  middle: { offset: number; line: number } | undefined;
}

const LF = 0x0a;
const QUOTE = 0x22;

/** Counts occurrences of a byte in buf[from, to) with the native search. */
function countByte(buf: Buffer, byte: number, from: number, to: number): number {
  let n = 0;
  let i = buf.indexOf(byte, from);
  while (i >= 0 && i < to) {
    n++;
    i = buf.indexOf(byte, i + 1);
  }
  return n;
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
  const target = Math.floor((await stat(path)).size / 2);
  // Quote parity and line count up to the scan position: a LF after an even number of quotes
  // (RFC 4180 doubles quotes inside fields) ends a record.
  let quotes = 0;
  let lines = 0;
  let middle: FileScan['middle'];
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    const buf = chunk as Buffer;
    hash.update(buf);
    if (!middle) {
      const end = buf.length;
      if (bytes + end <= target) {
        quotes += countByte(buf, QUOTE, 0, end);
        lines += countByte(buf, LF, 0, end);
      } else {
        let pos = Math.max(0, target - bytes);
        quotes += countByte(buf, QUOTE, 0, pos);
        lines += countByte(buf, LF, 0, pos);
        for (let nl = buf.indexOf(LF, pos); nl >= 0 && !middle; nl = buf.indexOf(LF, pos)) {
          quotes += countByte(buf, QUOTE, pos, nl);
          lines++;
          pos = nl + 1;
          if (quotes % 2 === 0) middle = { offset: bytes + nl + 1, line: lines + 1 };
        }
        if (!middle) {
          quotes += countByte(buf, QUOTE, pos, end);
          lines += countByte(buf, LF, pos, end);
        }
      }
    }
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
  if (middle && middle.offset >= bytes) middle = undefined;
  return { batchId: hash.digest('hex').slice(0, 32), bytes, encodingProblem, middle };
}

/**
 * Streams CSV records from a UTF-8 file (a BOM is dropped), calling `onRecords` with each batch and
 * `onBytes` with progress. Backpressure is natural: the next chunk is read after the batch is handled.
 */
export interface ByteRange {
  /** First byte to read (a record boundary). */
  start: number;
  /** One past the last byte to read; undefined: to the end of the file. */
  end: number | undefined;
  /** Line number of the record at `start`. */
  firstLine: number;
}

export async function readCsvFile(
  path: string,
  delimiter: string,
  onRecords: (records: CsvRecord[]) => void | Promise<void>,
  onBytes?: (bytesRead: number) => void,
  range: ByteRange = { start: 0, end: undefined, firstLine: 1 },
): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  const parser = new CsvParser(delimiter, range.firstLine);
  let read = 0;
  const stream = createReadStream(path, {
    highWaterMark: CHUNK,
    start: range.start,
    ...(range.end === undefined ? {} : { end: range.end - 1 }),
  });
  for await (const chunk of stream) {
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

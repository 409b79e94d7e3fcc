/**
 * Reading an export file from disk: one fast pass for its content hash (the batch id) and an
 * encoding check, then a streaming pass that hands parsed records on in batches.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { detectLegacyEncoding, type TextEncoding, unicodeBom } from './encoding.ts';
import { binaryContainer, looksLikeWindows1252, utf16WithoutBom, WINDOWS_1252_ADVICE } from './file-kind.ts';
import { CsvParser, type CsvRecord } from './parser.ts';

export type { TextEncoding } from './encoding.ts';

const CHUNK = 1 << 20;

export interface FileScan {
  /** sha256 of the bytes, 32 hex characters: identical files get identical batch ids. */
  batchId: string;
  bytes: number;
  /** How the text is encoded, from the bytes (never from the file name); undefined when unreadable. */
  encoding: TextEncoding | undefined;
  /** Why the bytes are no text storepulse reads; undefined when `encoding` is set. */
  encodingProblem: string | undefined;
  /**
   * A record boundary near `splitAt` of the file's lines, for reading it in two parts: the byte offset of
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

/**
 * `splitAt`: where, as a share of the lines, the second part should start (ingest gives its own
 * thread about half; see firstPartShare in ingest.ts).
 */
export async function scanFile(path: string, splitAt = 0.5): Promise<FileScan> {
  const hash = createHash('sha256');
  let bytes = 0;
  let encodingProblem: string | undefined;
  let tail: Buffer = Buffer.alloc(0);
  // Line feeds and quotes before each chunk: the split point is chosen by lines once they are
  // counted (lines, not bytes, are what a thread's time follows: a file's early lines are often
  // shorter, and a split by bytes left one thread 5 s behind the other on a 2 GB file).
  const marks: Mark[] = [];
  let quotes = 0;
  let lines = 0;
  let bom: TextEncoding | undefined;
  let utf16: InstanceType<typeof TextDecoder> | undefined;
  let head: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    const buf = chunk as Buffer;
    hash.update(buf);
    if (bytes === 0) {
      head = Buffer.from(buf.subarray(0, 64 * 1024));
      // UTF-16 without a byte-order mark is read as UTF-16 all the same.
      bom = unicodeBom(buf) ?? utf16WithoutBom(buf);
      if (bom === 'utf-16le' || bom === 'utf-16be') utf16 = new TextDecoder(bom, { fatal: true });
    }
    if (utf16 && !encodingProblem) {
      try {
        utf16.decode(buf, { stream: true });
      } catch {
        encodingProblem = `not valid ${bom?.toUpperCase()} in bytes ${bytes}-${bytes + buf.length}`;
      }
    }
    if (!utf16) {
      marks.push({ offset: bytes, lines, quotes });
      quotes += countByte(buf, QUOTE, 0, buf.length);
      lines += countByte(buf, LF, 0, buf.length);
    }
    if (!encodingProblem && !utf16) {
      const joined = tail.length ? Buffer.concat([tail, buf]) : buf;
      const cut = joined.length - incompleteTail(joined);
      if (!isUtf8(joined.subarray(0, cut))) {
        encodingProblem = `not valid UTF-8 in bytes ${bytes - tail.length}-${bytes + buf.length}`;
      }
      tail = Buffer.from(joined.subarray(cut));
    }
    bytes += buf.length;
  }
  let encoding: TextEncoding | undefined;
  if (utf16) {
    if (!encodingProblem) {
      try {
        utf16.decode();
        encoding = bom;
      } catch {
        encodingProblem = `file ends inside a ${bom?.toUpperCase()} character`;
      }
    }
  } else {
    if (!encodingProblem && tail.length) encodingProblem = 'file ends inside a UTF-8 character';
    if (!encodingProblem) encoding = 'utf-8';
    else {
      const container = binaryContainer(head);
      if (container) encodingProblem = `this is ${container}`;
      else {
        // Not UTF-8: Chinese platforms still export GBK. Decided from the bytes, by a second pass.
        const legacy = await detectLegacyEncoding(path);
        if (legacy.encoding) {
          encoding = legacy.encoding;
          encodingProblem = undefined;
        } else
          encodingProblem = `${encodingProblem}, and ${legacy.why}${looksLikeWindows1252(head) ? `; ${WINDOWS_1252_ADVICE}` : ''}`;
      }
    }
  }
  // Splitting by bytes needs an encoding whose LF and quote bytes never occur inside a character.
  let middle: FileScan['middle'];
  if (encoding !== undefined && !utf16) {
    middle = await recordBoundary(path, marks, Math.floor(lines * splitAt));
    if (middle && middle.offset >= bytes) middle = undefined;
  }
  return { batchId: hash.digest('hex').slice(0, 32), bytes, encoding, encodingProblem, middle };
}

interface Mark {
  offset: number;
  /** Line feeds before `offset`. */
  lines: number;
  /** Quote characters before `offset`. */
  quotes: number;
}

/**
 * The first record boundary after `afterLines` line feeds: a LF after an even number of quotes (RFC
 * 4180 doubles quotes inside fields). Read from the last mark before it, so a few megabytes at most.
 */
async function recordBoundary(
  path: string,
  marks: readonly Mark[],
  afterLines: number,
): Promise<FileScan['middle']> {
  let from: Mark | undefined;
  for (const m of marks) if (m.lines <= afterLines) from = m;
  if (!from) return undefined;
  let { lines, quotes } = from;
  let offset = from.offset;
  for await (const chunk of createReadStream(path, { start: offset, highWaterMark: CHUNK })) {
    const buf = chunk as Buffer;
    let pos = 0;
    for (let nl = buf.indexOf(LF, pos); nl >= 0; nl = buf.indexOf(LF, pos)) {
      quotes += countByte(buf, QUOTE, pos, nl);
      lines++;
      pos = nl + 1;
      if (lines > afterLines && quotes % 2 === 0) return { offset: offset + pos, line: lines + 1 };
    }
    quotes += countByte(buf, QUOTE, pos, buf.length);
    offset += buf.length;
  }
  return undefined;
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

/** How to read a file's records. */
export interface CsvLayout {
  encoding: TextEncoding;
  delimiter: string;
  /** False for flat files that never quote (Amazon). */
  quoting: boolean;
}

export async function readCsvFile(
  path: string,
  layout: CsvLayout,
  onRecords: (records: CsvRecord[]) => void | Promise<void>,
  onBytes?: (bytesRead: number) => void,
  range: ByteRange = { start: 0, end: undefined, firstLine: 1 },
): Promise<void> {
  // The decoder drops a BOM at the start of the file; a range starting later has none.
  const decoder = new TextDecoder(layout.encoding);
  const parser = new CsvParser(layout.delimiter, range.firstLine, layout.quoting);
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

export interface FileHead {
  /** The header record. */
  header: CsvRecord;
  /** Delimiter the header line uses: the most frequent of comma, TAB and semicolon. */
  delimiter: string;
}

/**
 * The header of a file, read without parsing the rest. A first line `sep=;` (Excel's delimiter hint,
 * which eBay writes) names the delimiter and is skipped; otherwise the header line is sniffed.
 */
export async function readHead(path: string, encoding: TextEncoding): Promise<FileHead | undefined> {
  const decoder = new TextDecoder(encoding);
  let text = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    text += decoder.decode(chunk as Buffer, { stream: true });
    if (text.length > 4 * 1024 * 1024) break;
    if (/\n[\s\S]*\n/.test(text)) break; // two lines: enough for the header even with a sep= line
  }
  text += decoder.decode();
  let line = 1;
  let delimiter: string | undefined;
  const hint = /^sep=(.)\r?\n/i.exec(text);
  if (hint) {
    delimiter = hint[1];
    text = text.slice(hint[0].length);
    line = 2;
  }
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  if (!delimiter) {
    // The most frequent of comma, TAB and semicolon (Excel in many European locales), comma on ties.
    const count = (d: string) => firstLine.split(d).length;
    delimiter = [',', '\t', ';'].reduce((best, d) => (count(d) > count(best) ? d : best), ',');
  }
  const parser = new CsvParser(delimiter, line);
  const records = parser.end(parser.push(text));
  const header = records[0];
  return header ? { header, delimiter } : undefined;
}

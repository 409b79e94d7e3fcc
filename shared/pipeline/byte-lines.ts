/**
 * Ingest's byte path over one range of a UTF-8 file: each line goes to a byte reader first; a line it
 * does not take (a quarantine candidate, a quoted line break, a header) is decoded and parsed by the
 * RFC 4180 record parser, exactly as the field-by-field path reads every line. Line numbers follow
 * the record parser's count, so quarantine lines point where they always did.
 */
import type { ByteRange } from '../csv/file-source.ts';
import { readLineChunks } from '../csv/line-chunks.ts';
import { CsvParser, type CsvRecord } from '../csv/parser.ts';

const LF = 0x0a;
const CR = 0x0d;

export interface ByteLineHandlers {
  /**
   * Tries to take line `buf[start, end)` (line break excluded), the file's line number `line`; false
   * hands it to the record parser.
   */
  take(buf: Buffer, start: number, end: number, line: number): boolean;
  /** Records parsed from lines the byte reader did not take, in file order. */
  records(records: CsvRecord[]): void;
  /** Called between chunks, when the caller may write out what it buffered. */
  betweenChunks(): Promise<void>;
}

export async function readByteLines(
  path: string,
  range: ByteRange,
  delimiter: string,
  /** Lines up to this one are given to the record parser (the header, a `sep=` line). */
  parseThrough: number,
  h: ByteLineHandlers,
  onBytes?: (bytesRead: number) => void,
): Promise<void> {
  let line = range.firstLine;
  // Set while a record is incomplete (a quoted field with line breaks): it gets the next lines.
  let open: CsvParser | undefined;
  const parsed: CsvRecord[] = [];
  const handOn = () => {
    // At once, so rows land in file order (the last row of a customer sets the contact).
    if (parsed.length) {
      h.records(parsed);
      parsed.length = 0;
    }
  };

  await readLineChunks(
    path,
    range,
    async (buf, end) => {
      let i = 0;
      while (i < end) {
        const nl = buf.indexOf(LF, i);
        const hasLf = nl >= 0 && nl < end; // only the file's last line may lack one
        const next = hasLf ? nl + 1 : end;
        if (open) {
          open.push(buf.toString('utf8', i, next), parsed);
          if (!open.pending) {
            line = open.nextLine;
            open = undefined;
          }
          handOn();
          i = next;
          continue;
        }
        let e = hasLf ? nl : end;
        if (e > i && buf[e - 1] === CR) e--;
        if (line > parseThrough) {
          if (e === i) {
            // A blank line: the record parser skips it too.
            line++;
            i = next;
            continue;
          }
          if (h.take(buf, i, e, line)) {
            line++;
            i = next;
            continue;
          }
        }
        const parser = new CsvParser(delimiter, line, true);
        parser.push(buf.toString('utf8', i, next), parsed);
        if (parser.pending) open = parser;
        else line = parser.nextLine;
        handOn();
        i = next;
      }
      await h.betweenChunks();
    },
    onBytes,
  );
  if (open) {
    open.end(parsed);
    if (parsed.length) h.records(parsed);
  }
}

/**
 * Streaming RFC 4180 parser over decoded text. Quoted fields may hold delimiters, doubled quotes and
 * line breaks; records end at LF, CRLF or a lone CR. Each record carries the physical line it starts
 * on, which is what a user finds in an editor. Blank lines are skipped.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based physical line where the record starts (the header is line 1). */
  line: number;
  /** Set when the file ended inside a quoted field. */
  unterminated?: true;
  /**
   * Set when the input ended in this record, with no line break after it: its last field may be
   * cut short (a truncated file). Most files end so, complete; the flag only says it cannot be told.
   */
  unfinished?: true;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvParser {
  private carry = '';
  private carryLine: number;
  private readonly delim: number;

  /**
   * `firstLine`: the physical line number of the input's first character (for a file read in parts).
   * `quoting`: false for flat files that never quote (Amazon's reports), where `"` is an ordinary
   * character that may open a field (`12" pan`).
   */
  constructor(
    delimiter = ',',
    firstLine = 1,
    private readonly quoting = true,
  ) {
    this.delim = delimiter.charCodeAt(0);
    this.carryLine = firstLine;
  }

  /** True while a record is incomplete: the rest of it is expected in the next chunk. */
  get pending(): boolean {
    return this.carry.length > 0;
  }

  /** Physical line number where the next record starts (or the pending one started). */
  get nextLine(): number {
    return this.carryLine;
  }

  /** Parses every complete record in `chunk` (plus what was carried over) and keeps the rest. */
  push(chunk: string, out: CsvRecord[] = []): CsvRecord[] {
    const text = this.carry.length ? this.carry + chunk : chunk;
    this.parse(text, false, out);
    return out;
  }

  /** Parses what is left at end of input. */
  end(out: CsvRecord[] = []): CsvRecord[] {
    if (this.carry.length) this.parse(this.carry, true, out);
    this.carry = '';
    return out;
  }

  private parse(text: string, atEof: boolean, out: CsvRecord[]): void {
    const n = text.length;
    let i = 0;
    let line = this.carryLine;
    const delimChar = String.fromCharCode(this.delim);
    // Fast path: a line with no quote and no stray CR is split natively. Positions of the next quote
    // and CR are looked up once and reused until the scan passes them.
    let nextQuote = this.quoting ? text.indexOf('"') : -1;
    let nextCr = text.indexOf('\r');
    while (i < n) {
      if (nextQuote >= 0 && nextQuote < i) nextQuote = text.indexOf('"', i);
      if (nextCr >= 0 && nextCr < i) nextCr = text.indexOf('\r', i);
      const nl = text.indexOf('\n', i);
      if (nl < 0 && !atEof) break; // the record may continue in the next chunk
      const end = nl < 0 ? n : nl;
      if (nextQuote < 0 || nextQuote >= end) {
        let lineEnd = end;
        if (nextCr >= 0 && nextCr < end) {
          if (nextCr !== end - 1 || nl < 0) {
            // A lone CR ends the record: leave it to the general scanner below.
            line = this.scanRecord(text, i, atEof, out, line);
            if (line < 0) return;
            i = this.pos;
            continue;
          }
          lineEnd = end - 1;
        }
        if (lineEnd > i) {
          const rec: CsvRecord = { fields: text.slice(i, lineEnd).split(delimChar), line };
          if (nl < 0) rec.unfinished = true;
          out.push(rec);
        }
        line++;
        i = nl < 0 ? n : nl + 1;
        continue;
      }
      line = this.scanRecord(text, i, atEof, out, line);
      if (line < 0) return;
      i = this.pos;
    }
    this.carry = i < n ? text.slice(i) : '';
    this.carryLine = line;
  }

  /** Scan position after scanRecord. */
  private pos = 0;

  /**
   * General RFC 4180 scan of one record starting at `start`. Returns the next line number, or -1
   * when the record is incomplete (then the rest of the text is carried over to the next chunk).
   */
  private scanRecord(
    text: string,
    start: number,
    atEof: boolean,
    out: CsvRecord[],
    startLine: number,
  ): number {
    const n = text.length;
    const delim = this.delim;
    let i = start;
    let line = startLine;
    const recordStart = i;
    const recordLine = line;
    const fields: string[] = [];
    let complete = false;
    let unterminated = false;
    let unfinished = false;
    // One record.
    for (;;) {
      if (i >= n) {
        // Input ended right after a delimiter: a trailing empty field.
        if (atEof) {
          fields.push('');
          complete = unfinished = true;
        }
        break;
      }
      let c = text.charCodeAt(i);
      if (c === QUOTE && this.quoting) {
        // Quoted field.
        let value = '';
        let j = i + 1;
        let closed = false;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) break;
          if (q + 1 < n && text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          if (q + 1 >= n && !atEof) break; // could be the first half of a doubled quote
          value += text.slice(j, q);
          j = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          if (!atEof) break;
          value += text.slice(j);
          unterminated = true;
          j = n;
        }
        line += countLineBreaks(text, i, j);
        // Anything between the closing quote and the delimiter is kept, as lenient parsers do.
        let k = j;
        while (k < n) {
          c = text.charCodeAt(k);
          if (c === delim || c === LF || c === CR) break;
          k++;
        }
        if (k > j) value += text.slice(j, k);
        fields.push(value);
        i = k;
      } else {
        let k = i;
        while (k < n) {
          c = text.charCodeAt(k);
          if (c === delim || c === LF || c === CR) break;
          k++;
        }
        fields.push(text.slice(i, k));
        i = k;
      }
      if (i >= n) {
        if (atEof) complete = unfinished = true;
        break;
      }
      c = text.charCodeAt(i);
      if (c === delim) {
        i++;
        continue;
      }
      // Line break ends the record; CRLF needs its LF, which may be in the next chunk.
      if (c === CR) {
        if (i + 1 >= n && !atEof) break;
        i += i + 1 < n && text.charCodeAt(i + 1) === LF ? 2 : 1;
      } else {
        i++;
      }
      line++;
      complete = true;
      break;
    }
    if (!complete) {
      this.carry = text.slice(recordStart);
      this.carryLine = recordLine;
      return -1;
    }
    this.pos = i;
    if (fields.length === 1 && fields[0] === '' && !unterminated) return line; // blank line
    const rec: CsvRecord = { fields, line: recordLine };
    if (unterminated) rec.unterminated = true;
    if (unfinished) rec.unfinished = true;
    out.push(rec);
    return line;
  }
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === LF) count++;
    else if (c === CR && text.charCodeAt(k + 1) !== LF) count++;
  }
  return count;
}

/** Parses a whole string; for small inputs and tests. */
export function parseCsv(text: string, delimiter = ',', quoting = true): CsvRecord[] {
  const p = new CsvParser(delimiter, 1, quoting);
  const out = p.push(text);
  return p.end(out);
}

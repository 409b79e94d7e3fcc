/**
 * The generic orders CSV read straight from UTF-8 bytes: ingest's fast path for large files. It takes
 * a line only when the line is in the plain shape almost every line of a real file has (fields
 * unquoted or simply quoted, numbers as digits, ISO timestamps) and every value is valid; it returns
 * false for anything else, and the caller hands that line to the record parser and the generic
 * mapper, which accept or quarantine it with the same rules as ever. So this file decides speed,
 * never outcomes: a line it takes gets exactly the values the field-by-field path would give it
 * (test/integration/ingest-byte-path.test.ts runs both over the same files).
 */
import { ORDER_STATUSES, type OrderStatus } from '../schemas/tables.ts';
import { validDate, wallTimeToUtc } from '../time.ts';
import type { FormatContext } from './format.ts';
import { columnIndex } from './format.ts';
import { GENERIC_OPTIONAL, GENERIC_REQUIRED } from './generic-orders.ts';
import { AMOUNT_LIMIT, isBad, lakeTimeProblem, parseTimestamp } from './values.ts';

const QUOTE = 0x22;
const CR = 0x0d;
const SPACE = 0x20;

/** Column names whose field bounds a taken row exposes (null when empty or absent). */
export const BYTE_FIELDS = [
  'order_id',
  'line_id',
  'customer_id',
  'sku',
  'product_name',
  'category',
  'channel',
  'country',
  'warehouse',
  'referral_id',
  'email',
  'phone',
] as const;
export type ByteField = (typeof BYTE_FIELDS)[number];

const STATUS_BYTES = ORDER_STATUSES.map((s) => Buffer.from(s, 'latin1'));
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

export class GenericByteRows {
  /** Bounds of each BYTE_FIELDS value in the current line (start === end: null). */
  readonly start = new Int32Array(BYTE_FIELDS.length);
  readonly end = new Int32Array(BYTE_FIELDS.length);
  orderTs = 0;
  /** When the reader was opened: the clock the lake's time bounds are checked against. */
  private readonly openedAt = Date.now();
  /** NaN when empty (null): a number field stays unboxed, no allocation per line. */
  paidTs = Number.NaN;
  quantity = 0;
  unitPrice = 0;
  discount = 0;
  refund = 0;
  currency = '';
  status: OrderStatus = 'pending';

  private readonly fs: Int32Array;
  private readonly fe: Int32Array;
  private readonly byteCol: Int32Array;
  private readonly currencies = new Map<number, string>();

  private constructor(
    private readonly width: number,
    private readonly delimiter: number,
    private readonly pos: Readonly<Record<string, number>>,
    private readonly timeZone: string,
  ) {
    this.fs = new Int32Array(width);
    this.fe = new Int32Array(width);
    this.byteCol = Int32Array.from(BYTE_FIELDS, (c) => pos[c] ?? -1);
  }

  /**
   * A reader for this header, or undefined when the byte path does not apply: lines of a file without
   * a line_id column are numbered across the order, which the field-by-field mapper does.
   */
  static open(header: readonly string[], delimiter: string, ctx: FormatContext): GenericByteRows | undefined {
    const idx = columnIndex(header, [...GENERIC_REQUIRED, ...GENERIC_OPTIONAL]);
    if ((idx.get('line_id') ?? -1) < 0 || delimiter.length !== 1 || delimiter.charCodeAt(0) > 0x7f)
      return undefined;
    return new GenericByteRows(header.length, delimiter.charCodeAt(0), Object.fromEntries(idx), ctx.timeZone);
  }

  /** Reads line `buf[start, end)` (its line break excluded); true when the row is taken. */
  read(buf: Uint8Array, start: number, end: number): boolean {
    if (!this.split(buf, start, end)) return false;
    const p = this.pos;
    for (let k = 0; k < BYTE_FIELDS.length; k++) {
      const c = this.byteCol[k]!;
      if (c < 0) {
        this.start[k] = this.end[k] = 0;
        continue;
      }
      if (!this.trim(buf, c)) return false;
      this.start[k] = this.fs[c]!;
      this.end[k] = this.fe[c]!;
    }
    // Required text (BYTE_FIELDS 0-3: order_id, line_id, customer_id, sku); numbering lines without
    // a line_id is the mapper's job.
    for (let k = 0; k < 4; k++) if (this.start[k] === this.end[k]) return false;

    const ts = this.timestamp(buf, p.order_ts!);
    // A time outside what the lake covers is refused by the field path, with its reason.
    if (ts === null || lakeTimeProblem(ts, this.openedAt) !== undefined) return false;
    this.orderTs = ts;
    const paid = p.paid_ts ?? -1;
    if (paid >= 0 && this.fieldLength(buf, paid) > 0) {
      const v = this.timestamp(buf, paid);
      if (v === null) return false;
      this.paidTs = v;
    } else this.paidTs = Number.NaN;

    const q = this.decimal(buf, p.quantity!, true);
    if (q < 0) return false;
    this.quantity = q;
    const price = this.decimal(buf, p.unit_price!, false);
    if (price < 0) return false;
    this.unitPrice = price;
    const discount = this.optionalDecimal(buf, p.discount ?? -1);
    if (discount < 0) return false;
    this.discount = discount;
    const refund = this.optionalDecimal(buf, p.refund_amount ?? -1);
    if (refund < 0) return false;
    this.refund = refund;
    const currency = this.currencyCode(buf, p.currency!);
    if (currency === undefined) return false;
    this.currency = currency;
    const status = this.statusOf(buf, p.status!);
    if (status === undefined) return false;
    this.status = status;
    return true;
  }

  /**
   * Splits the line into fields: unquoted, or quoted with no doubled quote and nothing after the
   * closing quote. False for anything else (and for a CR inside the line, which the record parser
   * counts as a line break) or a field count other than the header's.
   */
  private split(buf: Uint8Array, start: number, end: number): boolean {
    const d = this.delimiter;
    const width = this.width;
    let i = start;
    let k = 0;
    for (;;) {
      if (k === width) return false;
      if (i < end && buf[i] === QUOTE) {
        let j = i + 1;
        while (j < end) {
          const c = buf[j]!;
          if (c === QUOTE || c === CR) break;
          j++;
        }
        if (j >= end || buf[j] === CR) return false; // unterminated here: may span lines
        if (j + 1 < end && buf[j + 1] !== d) return false; // doubled quote or text after the quote
        this.fs[k] = i + 1;
        this.fe[k] = j;
        k++;
        if (j + 1 >= end) break;
        i = j + 2;
      } else {
        let j = i;
        while (j < end) {
          const c = buf[j]!;
          if (c === d) break;
          if (c === CR) return false;
          j++;
        }
        this.fs[k] = i;
        this.fe[k] = j;
        k++;
        if (j >= end) break;
        i = j + 1;
      }
    }
    return k === width;
  }

  /** Trims field `c` as String.prototype.trim would; false for Unicode spaces (left to the mapper). */
  private trim(buf: Uint8Array, c: number): boolean {
    let s = this.fs[c]!;
    let e = this.fe[c]!;
    while (s < e && (buf[s] === SPACE || (buf[s]! >= 9 && buf[s]! <= 13))) s++;
    while (e > s && (buf[e - 1] === SPACE || (buf[e - 1]! >= 9 && buf[e - 1]! <= 13))) e--;
    this.fs[c] = s;
    this.fe[c] = e;
    if (s === e) return true;
    return !unicodeSpaceStarts(buf, s, e) && !(buf[e - 1]! >= 0x80 && unicodeSpaceEnds(buf, s, e));
  }

  private fieldLength(buf: Uint8Array, c: number): number {
    return this.trim(buf, c) ? this.fe[c]! - this.fs[c]! : -1;
  }

  /**
   * Digits with an optional fraction (`12`, `12.5`, `12.`), at most 15 digits, as the exact double
   * `Number()` gives: the digits form an exact integer and one division by an exact power of ten
   * rounds once, as parsing the decimal does. `whole`: no fraction allowed, at most 9 digits
   * (counts). -1 for any other shape, left to the mapper.
   */
  private decimal(buf: Uint8Array, c: number, whole: boolean): number {
    if (!this.trim(buf, c)) return -1;
    const s = this.fs[c]!;
    const e = this.fe[c]!;
    if (s === e) return -1;
    let m = 0;
    let digits = 0;
    let scale = -1;
    for (let i = s; i < e; i++) {
      const b = buf[i]!;
      if (b >= 0x30 && b <= 0x39) {
        m = m * 10 + (b - 0x30);
        digits++;
        if (scale >= 0) scale++;
      } else if (b === 0x2e && scale < 0 && !whole && i > s) scale = 0;
      else return -1;
    }
    if (digits > (whole ? 9 : 15)) return -1;
    const v = scale > 0 ? m / POW10[scale]! : m;
    // Past the limit the field-by-field mapper says why the value is bad.
    return v > AMOUNT_LIMIT ? -1 : v;
  }

  private optionalDecimal(buf: Uint8Array, c: number): number {
    if (c < 0) return 0;
    const len = this.fieldLength(buf, c);
    if (len < 0) return -1;
    return len === 0 ? 0 : this.decimal(buf, c, false);
  }

  private currencyCode(buf: Uint8Array, c: number): string | undefined {
    if (!this.trim(buf, c)) return undefined;
    const s = this.fs[c]!;
    if (this.fe[c]! - s !== 3) return undefined;
    let code = 0;
    for (let i = s; i < s + 3; i++) {
      let b = buf[i]!;
      if (b >= 0x61 && b <= 0x7a) b -= 0x20;
      if (b < 0x41 || b > 0x5a) return undefined;
      code = code * 256 + b;
    }
    let name = this.currencies.get(code);
    if (name === undefined) {
      name = String.fromCharCode(code >> 16, (code >> 8) & 0xff, code & 0xff);
      this.currencies.set(code, name);
    }
    return name;
  }

  private statusOf(buf: Uint8Array, c: number): OrderStatus | undefined {
    if (!this.trim(buf, c)) return undefined;
    const s = this.fs[c]!;
    const len = this.fe[c]! - s;
    next: for (let k = 0; k < STATUS_BYTES.length; k++) {
      const name = STATUS_BYTES[k]!;
      if (name.length !== len) continue;
      for (let i = 0; i < len; i++) {
        let b = buf[s + i]!;
        if (b >= 0x41 && b <= 0x5a) b += 0x20;
        if (b !== name[i]) continue next;
      }
      return ORDER_STATUSES[k];
    }
    return undefined;
  }

  /**
   * `YYYY-MM-DD[T ]HH:MM[:SS[.fff…]][Z]` from the bytes; other ISO shapes (offsets, bare dates)
   * through parseTimestamp. Null when the field is not a valid timestamp.
   */
  private timestamp(buf: Uint8Array, c: number): number | null {
    if (!this.trim(buf, c)) return null;
    const s = this.fs[c]!;
    const e = this.fe[c]!;
    const n = e - s;
    let zulu = false;
    let last = e;
    if (n > 16 && (buf[e - 1] === 0x5a || buf[e - 1] === 0x7a)) {
      zulu = true;
      last = e - 1;
    }
    const sep = buf[s + 10];
    const plain =
      n >= 16 &&
      buf[s + 4] === 0x2d &&
      buf[s + 7] === 0x2d &&
      (sep === 0x54 || sep === 0x74 || sep === SPACE) &&
      buf[s + 13] === 0x3a &&
      (last === s + 16 || (buf[s + 16] === 0x3a && last >= s + 19));
    if (!plain) return this.timestampText(buf, s, e);
    const y = digits(buf, s, 4);
    const mo = digits(buf, s + 5, 2);
    const d = digits(buf, s + 8, 2);
    const h = digits(buf, s + 11, 2);
    const mi = digits(buf, s + 14, 2);
    let sec = 0;
    let ms = 0;
    if (last > s + 16) {
      sec = digits(buf, s + 17, 2);
      if (last > s + 19) {
        // A fraction: 1 to 9 digits after '.' or ','; milliseconds are its first three, truncated.
        const f = s + 20;
        const fd = last - f;
        const dot = buf[s + 19] === 0x2e || buf[s + 19] === 0x2c;
        // An offset, a space before Z, or more digits: the full parser decides.
        if (!dot || fd < 1 || fd > 9 || digits(buf, f, fd) < 0) return this.timestampText(buf, s, e);
        ms = digits(buf, f, Math.min(fd, 3)) * POW10[3 - Math.min(fd, 3)]!;
      }
    }
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return null;
    if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return null;
    // Date.UTC reads years 0-99 as 1900-1999; parseTimestamp calls it, so those years go the same way.
    const wall =
      y < 100
        ? Date.UTC(y, mo - 1, d, h, mi, sec, ms)
        : daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
    return zulu ? wall : wallTimeToUtc(wall, this.timeZone);
  }

  private timestampText(buf: Uint8Array, s: number, e: number): number | null {
    const v = parseTimestamp(
      Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8'),
      this.timeZone,
    );
    return isBad(v) ? null : v;
  }
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil): no Date call per line. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The value of `count` ASCII digits at `at`, or -1. */
function digits(buf: Uint8Array, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const b = buf[i]! - 0x30;
    if (b < 0 || b > 9) return -1;
    v = v * 10 + b;
  }
  return v;
}

// Unicode spaces String.prototype.trim removes, as UTF-8: U+00A0, U+1680, U+2000-200A, U+2028,
// U+2029, U+202F, U+205F, U+3000, U+FEFF.
function spaceAt(buf: Uint8Array, i: number, e: number): boolean {
  const a = buf[i]!;
  if (a === 0xc2) return i + 1 < e && buf[i + 1] === 0xa0;
  if (i + 2 >= e) return false;
  const b = buf[i + 1]!;
  const c = buf[i + 2]!;
  switch (a) {
    case 0xe1:
      return b === 0x9a && c === 0x80;
    case 0xe2:
      return (
        (b === 0x80 && ((c >= 0x80 && c <= 0x8a) || c === 0xa8 || c === 0xa9 || c === 0xaf)) ||
        (b === 0x81 && c === 0x9f)
      );
    case 0xe3:
      return b === 0x80 && c === 0x80;
    case 0xef:
      return b === 0xbb && c === 0xbf;
    default:
      return false;
  }
}

function unicodeSpaceStarts(buf: Uint8Array, s: number, e: number): boolean {
  return buf[s]! >= 0xc2 && spaceAt(buf, s, e);
}

function unicodeSpaceEnds(buf: Uint8Array, s: number, e: number): boolean {
  return (e - 2 >= s && spaceAt(buf, e - 2, e)) || (e - 3 >= s && spaceAt(buf, e - 3, e));
}

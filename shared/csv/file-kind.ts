/**
 * What a file that is no text storepulse reads most likely is, from its first bytes, so the message
 * says what to do instead of "not valid UTF-8": a compressed file or a workbook by its magic
 * number, UTF-16 without a byte-order mark by its NUL bytes, Windows-1252 (Excel's "CSV" on a
 * Western Windows) by the characters its high bytes make.
 */

/** Magic numbers of containers people send instead of a CSV, and what to do with each. */
const CONTAINERS: { magic: readonly number[]; what: string }[] = [
  {
    magic: [0x1f, 0x8b],
    what: 'a gzip-compressed file (.gz): unzip it first (gunzip FILE) and ingest the file inside',
  },
  {
    magic: [0x50, 0x4b, 0x03, 0x04],
    what: 'a zip archive, or an Excel workbook (.xlsx is one): save the sheet as "CSV UTF-8" in Excel, or unzip the archive, and ingest the CSV',
  },
  {
    magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    what: 'an Excel 97-2003 workbook (.xls): save the sheet as "CSV UTF-8" in Excel and ingest the CSV',
  },
  { magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document, not a data export' },
];

/** The container a file's first bytes announce, said with what to do; undefined when none. */
export function binaryContainer(head: Uint8Array): string | undefined {
  return CONTAINERS.find((c) => c.magic.every((b, i) => head[i] === b))?.what;
}

/**
 * UTF-16 without a byte-order mark: text of mostly ASCII characters has a NUL as every other byte,
 * the high byte (odd positions in little-endian, even in big-endian). Needs 16 pairs to judge.
 */
export function utf16WithoutBom(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.floor(Math.min(head.length, 4096) / 2);
  if (pairs < 16) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenNul++;
    if (head[2 * i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs * 0.6 && evenNul <= pairs * 0.05) return 'utf-16le';
  if (evenNul >= pairs * 0.6 && oddNul <= pairs * 0.05) return 'utf-16be';
  return undefined;
}

/**
 * Whether non-UTF-8 bytes read as Windows-1252 text: every high byte is a character the code page
 * defines (0x81, 0x8D, 0x8F, 0x90, 0x9D are holes), and most are letters of Western European
 * languages or typographic punctuation (é ü ñ ß, curly quotes, dashes, €), not the rest of Latin-1.
 */
export function looksLikeWindows1252(bytes: Uint8Array): boolean {
  const holes = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);
  let high = 0;
  let plausible = 0;
  for (const b of bytes) {
    if (b < 0x80) continue;
    if (holes.has(b)) return false;
    high++;
    // € ‚ „ … ‘ ’ “ ” • – — ™, and À-ÿ (letters; × and ÷ aside).
    if ([0x80, 0x82, 0x84, 0x85, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x99].includes(b)) plausible++;
    else if (b >= 0xc0 && b !== 0xd7 && b !== 0xf7) plausible++;
  }
  return high > 0 && plausible / high >= 0.8;
}

export const WINDOWS_1252_ADVICE =
  'it looks like Windows-1252 (Western European; Excel\'s plain "CSV" on Windows): save it again as "CSV UTF-8" in Excel, or convert it (iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8.csv) and ingest that';

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { looksLikeWindows1252, utf16WithoutBom } from '../../shared/csv/file-kind.ts';
import { scanFile } from '../../shared/csv/file-source.ts';
import { fixture, tempDir } from '../helpers.ts';

describe('encoding from the bytes', () => {
  it('reads GBK Chinese as GB18030, and UTF-16 with its BOM', async () => {
    expect((await scanFile(fixture('formats', 'jd_orders.csv'))).encoding).toBe('gb18030');
    expect((await scanFile(fixture('formats', 'generic_orders_utf16.txt'))).encoding).toBe('utf-16le');
    const dir = await tempDir();
    const be = join(dir, 'be.txt');
    await writeFile(
      be,
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('a,b\n1,2\n', 'utf16le').swap16()]),
    );
    expect((await scanFile(be)).encoding).toBe('utf-16be');
  });

  it('does not take Latin-1 text for Chinese, though GB18030 would decode it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'latin1.csv');
    // "Müller Straße, Grüße aus Köln" in Latin-1: every accented letter is followed by a letter.
    await writeFile(
      path,
      iconv.encode('name,city\nMüller Straße,Grüße aus Köln\nJürgen Böhm,Düsseldorf\n', 'latin1'),
    );
    const gb = new TextDecoder('gb18030', { fatal: true });
    expect(() => gb.decode(iconv.encode('Müller Straße', 'latin1'))).not.toThrow();
    const scan = await scanFile(path);
    expect(scan.encoding).toBeUndefined();
    expect(scan.encodingProblem).toMatch(
      /does not read as GBK\/GB18030 Chinese either \(0 of \d+ .*re-save it as UTF-8/,
    );
  });
});

describe('files that are no text storepulse reads say what they are (issue 20)', () => {
  const orders =
    'order_id,customer_id,order_ts,sku,quantity,unit_price,currency,status\n1,a,2026-11-20T10:00:00Z,S,1,5,USD,paid\n';

  it('names a gzip file, a workbook and an old Excel file, and what to do', async () => {
    const dir = await tempDir();
    const cases: [string, Buffer, RegExp][] = [
      ['orders.csv.gz', gzipSync(orders), /^this is a gzip-compressed file \(\.gz\): unzip it first/],
      // An .xlsx is a zip archive: its first bytes are the zip local-file header.
      [
        'orders.xlsx',
        Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0x08, 0, 0xff, 0xfe, 0x80]),
        /Excel workbook \(\.xlsx is one\): save the sheet as "CSV UTF-8"/,
      ],
      [
        'orders.xls',
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0xff, 0x80]),
        /Excel 97-2003 workbook \(\.xls\)/,
      ],
    ];
    for (const [name, bytes, message] of cases) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      const scan = await scanFile(path);
      expect(scan.encoding).toBeUndefined();
      expect(scan.encodingProblem).toMatch(message);
      expect(scan.encodingProblem).not.toMatch(/not valid UTF-8/);
    }
  });

  it('reads UTF-16 without a byte-order mark, little- and big-endian', async () => {
    const dir = await tempDir();
    const le = join(dir, 'le.csv');
    const be = join(dir, 'be.csv');
    await writeFile(le, Buffer.from(orders, 'utf16le'));
    await writeFile(be, Buffer.from(orders, 'utf16le').swap16());
    expect((await scanFile(le)).encoding).toBe('utf-16le');
    expect((await scanFile(be)).encoding).toBe('utf-16be');
    // Too short to judge: not taken for UTF-16.
    expect(utf16WithoutBom(Buffer.from('a,b\n', 'utf16le'))).toBeUndefined();
  });

  it('names Windows-1252 and how to re-save or convert it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'excel.csv');
    await writeFile(
      path,
      iconv.encode(`${orders}2,b,2026-11-21T10:00:00Z,Café “crème” – 5 €,1,5,EUR,paid\n`, 'win1252'),
    );
    const scan = await scanFile(path);
    expect(scan.encoding).toBeUndefined();
    expect(scan.encodingProblem).toMatch(
      /it looks like Windows-1252 .*"CSV UTF-8".*iconv -f WINDOWS-1252 -t UTF-8/,
    );
    // Bytes Windows-1252 leaves undefined are not taken for it.
    expect(looksLikeWindows1252(Buffer.from([0x41, 0x81, 0xe9]))).toBe(false);
  });
});

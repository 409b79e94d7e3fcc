import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
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

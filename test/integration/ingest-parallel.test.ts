import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { scanFile } from '../../shared/csv/file-source.ts';
import { parseCsv } from '../../shared/csv/parser.ts';
import { RangeWorker } from '../../shared/pipeline/range-worker.ts';
import { ingest, sql, tempDir, tempLake, testConfig } from '../helpers.ts';

/** A generic file with line_id, quoted line breaks and bad rows spread through it (both halves). */
function makeFile(rows: number): string {
  const lines = [
    'order_id,line_id,customer_id,order_ts,sku,product_name,quantity,unit_price,currency,status',
  ];
  for (let i = 0; i < rows; i++) {
    const name = i % 7 === 0 ? `"Gift set, ""deluxe""\nline two #${i}"` : `Item ${i % 13}`;
    const qty = i % 97 === 0 ? 'x' : String(1 + (i % 3));
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(
      `O-${Math.floor(i / 2)},${(i % 2) + 1},c${i % 50},2026-02-${day}T10:00:00Z,S${i % 9},${name},${qty},${(i % 40) + 0.5},USD,paid`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('ingest of a large file on two threads', () => {
  it('finds a record boundary outside quotes near the middle, with its line number', async () => {
    const dir = await tempDir();
    const path = join(dir, 'f.csv');
    const text = 'a,b\n"x\n,y",1\n2,3\n"q","w\nz"\n4,5\n';
    await writeFile(path, text);
    const { middle } = await scanFile(path);
    expect(middle).toBeDefined();
    const before = text.slice(0, middle!.offset);
    expect(before.endsWith('\n')).toBe(true);
    // The second part starts a record: parsing the halves gives the records of the whole.
    const whole = parseCsv(text).map((r) => r.fields);
    const first = parseCsv(before).map((r) => r.fields);
    const second = parseCsv(text.slice(middle!.offset)).map((r) => r.fields);
    expect([...first, ...second]).toEqual(whole);
    expect(middle!.line).toBe(before.split('\n').length);
  });

  it('splits a file of several read chunks at the share of its lines asked for, not of its bytes', async () => {
    // 3 MB: long lines first, short ones after, every seventh record with a quoted line break.
    const rows = Array.from({ length: 40_000 }, (_, i) => {
      const text = i % 7 === 0 ? `"two\nlines ${i}"` : `v${i}`;
      return i < 10_000 ? `${i},${text},${'x'.repeat(200)}` : `${i},${text},y`;
    });
    const text = `id,text,pad\n${rows.join('\n')}\n`;
    const dir = await tempDir();
    const path = join(dir, 'f.csv');
    await writeFile(path, text);
    const { middle } = await scanFile(path, 0.5);
    const before = text.slice(0, middle!.offset);
    const first = parseCsv(before).map((r) => r.fields);
    const second = parseCsv(text.slice(middle!.offset)).map((r) => r.fields);
    expect([...first, ...second]).toEqual(parseCsv(text).map((r) => r.fields));
    expect(middle!.line).toBe(before.split('\n').length);
    // Half the lines (header and records with their line breaks): the first record at or after it.
    const lines = text.split('\n').length - 1;
    expect(middle!.line - 1).toBeGreaterThanOrEqual(Math.floor(lines / 2) + 1);
    expect(middle!.line - 1).toBeLessThanOrEqual(Math.floor(lines / 2) + 2);
    // The long lines come first: half the lines lie well past half the bytes.
    expect(middle!.offset).toBeGreaterThan(text.length * 0.8);
  });

  it('lands and quarantines exactly what one thread does, with the same line numbers', async () => {
    const dir = await tempDir();
    const path = join(dir, 'orders.csv');
    await writeFile(path, makeFile(3000));
    const one = await tempLake();
    const two = await tempLake();
    const single = await ingest(one, path, { config: testConfig({ ingestWorkers: 1 }) });
    const parallel = await ingest(two, path, {
      config: testConfig({ ingestWorkers: 2, ingestParallelMinBytes: 0 }),
    });
    expect(parallel.filesWritten).toBeGreaterThan(single.filesWritten); // two threads wrote files
    expect({ ...parallel, seconds: 0, filesWritten: 0 }).toEqual({ ...single, seconds: 0, filesWritten: 0 });
    expect(single.rowsQuarantined).toBe(31);
    const content =
      'select order_id, line_id, customer_id, product_name, quantity, unit_price, dt from order_lines order by order_id, line_id';
    expect(await sql(two, content)).toEqual(await sql(one, content));
    const q1 = Buffer.from((await one.get(single.quarantineKey!))!).toString('utf8');
    const q2 = Buffer.from((await two.get(parallel.quarantineKey!))!).toString('utf8');
    expect(q2).toBe(q1);
  });

  it('reads a file whose rows do not stand alone on one thread, closing the worker it started', async () => {
    // Without line_id a generic file is not split (a line's number within its order needs the
    // lines before it), though it is large enough for the worker started ahead of the scan.
    const dir = await tempDir();
    const path = join(dir, 'orders.csv');
    const [header, ...rows] = makeFile(600).trimEnd().split('\n');
    const dropLineId = (line: string) => line.replace(/^([^,]*),[^,]*,/, '$1,');
    await writeFile(path, `${[dropLineId(header!), ...rows.map(dropLineId)].join('\n')}\n`);
    const one = await tempLake();
    const two = await tempLake();
    const single = await ingest(one, path, { config: testConfig({ ingestWorkers: 1 }) });
    const close = vi.spyOn(RangeWorker.prototype, 'close');
    const offered = await ingest(two, path, {
      config: testConfig({ ingestWorkers: 2, ingestParallelMinBytes: 0 }),
    });
    expect(close).toHaveBeenCalledTimes(1);
    close.mockRestore();
    expect(offered.filesWritten).toBe(single.filesWritten); // one part: no second thread's files
    expect({ ...offered, seconds: 0 }).toEqual({ ...single, seconds: 0 });
    expect(single.rowsLanded).toBeGreaterThan(0);
  });
});

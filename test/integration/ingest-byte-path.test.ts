/**
 * The byte path (generic UTF-8 files read from their bytes) must land, quarantine and report exactly
 * what the field-by-field path does; it may only be faster. Both paths ingest the same files here:
 * hand-picked awkward lines, then a seeded mix of thousands of them, in a time zone with DST.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GenericByteRows } from '../../shared/formats/generic-bytes.ts';
import type { LocalLake } from '../../shared/lake/local.ts';
import { readParquetRows } from '../../shared/lake/parquet-read.ts';
import type { IngestReport } from '../../shared/pipeline/ingest.ts';
import { ingest, sql, tempDir, tempLake, testConfig } from '../helpers.ts';

const HEADER =
  'order_id,line_id,customer_id,order_ts,paid_ts,sku,product_name,category,quantity,unit_price,discount,refund_amount,currency,status,channel,country,warehouse,email,phone';

/** Lines that stress one rule each; the first is the plain shape. */
const AWKWARD = [
  'O-1,1,C1,2026-03-08T01:30:00Z,2026-03-08T01:31:00Z,SKU-1,Mug,Home,2,9.50,0.50,0,USD,paid,shopify,US,w1,a@example.com,+1 555',
  'O-1,2,C1,2026-03-08 02:30:00,,SKU-2,"Mug, large",Home,1,12.,0,0,usd,PAID,shopify,US,w1,a2@example.com,',
  'O-2,1,C2,2026-03-08T03:04Z,,SKU-3,"Lamp ""Nova""",Home,1,5,,,EUR,Shipped,pos,DE,,,',
  'O-2,2,C2,2026-11-01T01:30:00,,SKU-4,"Line\nbreak",Home,1,5,0,0,EUR,shipped,pos,DE,,,',
  'O-3,1,C3,2026-01-02T03:04:05.1234Z,,SKU-5,茶杯,厨房,3,0.1,0,0,CNY,completed,tmall,CN,,b@example.com,',
  'O-3,2,C3,2026-01-02t03:04:05z,,SKU-6, padded ,  Home  ,1,1.25,0,0,CNY,completed,tmall,CN,,,',
  'O-4,1,C4,2026-01-02T03:04:05+08:00,,SKU-7,\u00a0nbsp\u00a0,Home,1,1,0,0,USD,paid,,,,,',
  'O-4,2,C4,2026-01-02T03:04:05 Z,,SKU-8,\u3000wide\u3000,Home,1,1,0,0,USD,paid,,,,,',
  'O-5,1,C5,2026-01-02,,SKU-9,Bare date,Home,1,1,0,0,USD,paid,,,,,',
  'O-5,2,C5,2026-01-02T03:04:05,5Z,,SKU-10,Comma fraction,Home,1,1,0,0,USD,paid,,,,,',
  'O-5,3,C5,2026-01-02T03:04:05.123456789Z,,SKU-11,Nine digits,Home,+3,1,0,0,USD,paid,,,,,',
  'O-6,1,C6,2026-01-02T03:04:05.1234567890Z,,SKU-12,Ten digits,Home,1,1,0,0,USD,paid,,,,,',
  'O-6,2,C6,2026-02-30T00:00:00Z,,SKU-13,No such day,Home,1,1,0,0,USD,paid,,,,,',
  'O-6,3,C6,2026-01-02T24:00:00Z,,SKU-14,No such hour,Home,1,1,0,0,USD,paid,,,,,',
  'O-7,1,C7,2026-01-02T03:04:05Z,,SKU-15,Qty,Home,3.0,1,0,0,USD,paid,,,,,',
  'O-7,2,C7,2026-01-02T03:04:05Z,,SKU-16,Qty,Home,-1,1,0,0,USD,paid,,,,,',
  'O-7,3,C7,2026-01-02T03:04:05Z,,SKU-17,Qty,Home,2147483648,1,0,0,USD,paid,,,,,',
  'O-7,4,C7,2026-01-02T03:04:05Z,,SKU-18,Qty,Home,007,.5,0,0,USD,paid,,,,,',
  'O-8,1,C8,2026-01-02T03:04:05Z,,SKU-19,Price,Home,1,1e3,0,0,USD,paid,,,,,',
  'O-8,2,C8,2026-01-02T03:04:05Z,,SKU-20,Price,Home,1,"12,50",0,0,USD,paid,,,,,',
  'O-8,3,C8,2026-01-02T03:04:05Z,,SKU-21,Price,Home,1,1234567890.123456,0,0,USD,paid,,,,,',
  'O-8,4,C8,2026-01-02T03:04:05Z,,SKU-22,Price,Home,1,0.30000000000000004,0,0,USD,paid,,,,,',
  'O-9,1,C9,2026-01-02T03:04:05Z,,SKU-23,Currency,Home,1,1,0,0,US,paid,,,,,',
  'O-9,2,C9,2026-01-02T03:04:05Z,,SKU-24,Status,Home,1,1,0,0,USD,lost,,,,,',
  'O-9,3,,2026-01-02T03:04:05Z,,SKU-25,No customer,Home,1,1,0,0,USD,paid,,,,,',
  'O-9,,C9,2026-01-02T03:04:05Z,,SKU-26,No line id,Home,1,1,0,0,USD,paid,,,,,',
  'O-9,,C9,2026-01-02T03:04:05Z,,SKU-27,No line id,Home,1,1,0,0,USD,paid,,,,,',
  'O-10,1,C10,2026-01-02T03:04:05Z,,SKU-28,Too few,Home,1,1,0,0,USD,paid',
  'O-10,2,C10,2026-01-02T03:04:05Z,,SKU-29,"Text" after,Home,1,1,0,0,USD,paid,,,,,',
  'O-10,3,C10,2026-01-02T03:04:05Z,,SKU-30,"Quote"x,Home,1,1,0,0,USD,paid,,,,,',
  'O-10,4,C10,2026-01-02T03:04:05Z,,SKU-31,Lone\rCR,Home,1,1,0,0,USD,paid,,,,,',
  'O-10,5,C10,0099-12-31T23:59:59Z,,SKU-32,Year 99,Home,1,1,0,0,USD,paid,,,,,',
  'O-10,6,C10,1600-02-29T12:00:00Z,,SKU-33,Leap 1600,Home,1,1,0,0,USD,paid,,,,,',
  'O-10,7,C10,2100-02-28T12:00:00Z,2100-03-01T00:00:00.5Z,SKU-34,Not leap 2100,Home,1,1,0,0,USD,paid,,,,,',
  'O-10,8,C10,1969-12-31T23:59:59.999Z,,SKU-35,Before 1970,Home,1,1,0,0,USD,paid,,,,,',
  '',
  'O-11,1,C1,2026-01-03T03:04:05Z,,SKU-1,Mug,Home,1,9.5,0,0,USD,refunded,shopify,US,w1,a-new@example.com,+1 556',
  'O-11,2,C11,2026-01-03T03:04:05Z,,SKU-1,"Unterminated,Home,1,9.5,0,0,USD,paid,,,,,',
];

function awkwardFile(eol: string): string {
  return `\ufeff${HEADER}${eol}${AWKWARD.join(eol)}`; // no line break after the last line
}

/** A seeded mix: mostly plain lines, with every awkward shape spread through the file. */
function mixedFile(rows: number): string {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const plain = AWKWARD.slice(0, 1);
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const pick = rand() < 0.9 ? plain[0]! : AWKWARD[Math.floor(rand() * (AWKWARD.length - 1))]!;
    const day = String(1 + Math.floor(rand() * 28)).padStart(2, '0');
    lines.push(
      pick
        .replace(/^O-\d+,(\d*)/, `O-${i},$1`)
        .replace(/C\d+,/, `C${Math.floor(rand() * 300)},`)
        .replace('2026-03-08T01:30:00Z', `2026-03-${day}T0${Math.floor(rand() * 10)}:30:00Z`)
        .replace('9.50', (rand() * 100).toFixed(2)),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

const ALL_COLUMNS =
  'select order_id, line_id, customer_id, order_ts, paid_ts, status, sku, product_name, category, quantity, unit_price, discount, refund_amount, currency, net_amount, net_amount_rc, channel, country, warehouse, referral_id, dt from order_lines order by all';

async function both(text: string, extra: Parameters<typeof testConfig>[0] = {}) {
  const path = join(await tempDir(), 'orders.csv');
  await writeFile(path, text);
  const run = async (ingestBytePath: boolean) => {
    const lake = await tempLake();
    const config = testConfig({ timeZone: 'America/New_York', ingestBytePath, ...extra });
    const report = await ingest(lake, path, { config, source: 'generic' });
    return { lake, report };
  };
  return { bytes: await run(true), fields: await run(false) };
}

const comparable = (r: IngestReport) => ({ ...r, seconds: 0, filesWritten: 0, bytePathRows: 0 });

async function contactsOf(lake: LocalLake) {
  const rows = await readParquetRows(lake, 'restricted/contacts/');
  return rows
    .map((r) => ({ ...r, exported_at: 0 }) as Record<string, unknown>)
    .sort((a, b) => String(a.customer_id).localeCompare(String(b.customer_id)));
}

async function expectSameOutcome(a: { lake: LocalLake; report: IngestReport }, b: typeof a) {
  expect(comparable(a.report)).toEqual(comparable(b.report));
  expect(await sql(a.lake, ALL_COLUMNS)).toEqual(await sql(b.lake, ALL_COLUMNS));
  expect(await contactsOf(a.lake)).toEqual(await contactsOf(b.lake));
  if (b.report.quarantineKey) {
    const q = async (x: typeof a) =>
      Buffer.from((await x.lake.get(x.report.quarantineKey!))!).toString('utf8');
    expect(await q(a)).toBe(await q(b));
  }
}

describe('ingest byte path', () => {
  it('takes plain lines and leaves every other shape to the field-by-field path', () => {
    const reader = GenericByteRows.open(HEADER.split(','), ',', {
      timeZone: 'UTC',
      currency: 'USD',
      reportingCurrency: 'USD',
      exportedAt: 0,
    })!;
    const take = (line: string) => {
      const b = Buffer.from(line);
      return reader.read(b, 0, b.length);
    };
    expect(take(AWKWARD[0]!)).toBe(true);
    expect(take(AWKWARD[1]!)).toBe(true); // space separator, `12.`, lower-case currency, upper-case status
    expect(reader.unitPrice).toBe(12);
    expect(reader.currency).toBe('USD');
    expect(reader.status).toBe('paid');
    // Times before the lake's first day (1995-01-01: Athena's partitions start there) are left to
    // the field path, which refuses them with the reason.
    for (const name of ['Leap 1600', 'Before 1970'])
      expect(take(AWKWARD.find((l) => l.includes(name))!)).toBe(false);
    expect(take(AWKWARD.find((l) => l.includes('Year 99'))!)).toBe(true);
    expect(reader.orderTs).toBe(Date.UTC(99, 11, 31, 23, 59, 59)); // as Date.UTC reads it: 1999
    expect(take(AWKWARD[2]!)).toBe(false); // doubled quote
    expect(take(AWKWARD[6]!)).toBe(false); // no-break spaces to trim
    expect(take(AWKWARD[17]!)).toBe(false); // `.5`
    expect(take(AWKWARD[25]!)).toBe(false); // empty line_id: numbered by the mapper
    // Without a line_id column the byte path does not apply at all.
    expect(
      GenericByteRows.open(HEADER.replace('line_id,', '').split(','), ',', reader as never),
    ).toBeUndefined();
  });

  for (const eol of ['\n', '\r\n']) {
    it(`lands, quarantines and reports what the field path does (${eol === '\n' ? 'LF' : 'CRLF'})`, async () => {
      const { bytes, fields } = await both(awkwardFile(eol));
      await expectSameOutcome(bytes, fields);
      expect(fields.report.rowsQuarantined).toBeGreaterThan(10);
      expect(bytes.report.bytePathRows).toBeGreaterThan(5);
      expect(fields.report.bytePathRows).toBeUndefined();
    });
  }

  it('agrees on 4,000 mixed lines, read on one thread and on two (with many flushes)', async () => {
    const text = mixedFile(4000);
    const one = await both(text, { ingestWorkers: 1 });
    await expectSameOutcome(one.bytes, one.fields);
    expect(one.bytes.report.bytePathRows).toBeGreaterThan(3000);
    const two = await both(text, { ingestWorkers: 2, ingestParallelMinBytes: 0, ingestFlushRows: 1000 });
    await expectSameOutcome(two.bytes, two.fields);
    expect(comparable(two.bytes.report)).toEqual(comparable(one.bytes.report));
  });
});

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../shared/csv/parser.ts';
import { UnreadableFileError } from '../../shared/errors.ts';
import { Pseudonymiser } from '../../shared/identity.ts';
import { fixture, ingest, sql, tempLake, testConfig } from '../helpers.ts';

const text = async (lake: { get(k: string): Promise<Uint8Array | undefined> }, key: string) =>
  Buffer.from((await lake.get(key))!).toString('utf8');

describe('ingest of a dirty generic file', () => {
  it('lands every good row and quarantines every bad row with file, line, column and reason', async () => {
    const lake = await tempLake();
    const report = await ingest(lake, fixture('dirty', 'dirty_orders.csv'));
    expect(report.rowsRead).toBe(14);
    expect(report.rowsLanded).toBe(5);
    expect(report.rowsQuarantined).toBe(9);

    const landed = await sql(
      lake,
      'select order_id, product_name, category, quantity, unit_price, currency, status from order_lines order by order_id',
    );
    expect(landed.map((r) => r.order_id)).toEqual(['D-1', 'D-11', 'D-14', 'D-2', 'D-3']);
    const byId = Object.fromEntries(landed.map((r) => [r.order_id, r]));
    expect(byId['D-1']!.product_name).toBe('=HYPERLINK("http://evil.example","click")');
    expect(byId['D-2']!.product_name).toBe('Two-line\r\nname, with comma');
    expect(byId['D-3']!.product_name).toHaveLength(5000);
    expect(byId['D-11']).toMatchObject({
      currency: 'USD',
      status: 'paid',
      category: '+SUM(A1:A9)',
      quantity: 3,
    });

    const rows = parseCsv(await text(lake, report.quarantineKey!));
    expect(rows[0]!.fields).toEqual(['file', 'line', 'column', 'reason', 'record']);
    const problems = rows.slice(1).map((r) => [r.fields[1], r.fields[2], r.fields[3]]);
    expect(problems).toEqual([
      ['6', 'quantity', 'not a whole number of units: "two"'],
      ['7', 'unit_price', 'not a price: "12,50"'],
      ['8', 'order_ts', 'no such date: "2026-02-30T10:00:00Z"'],
      ['9', 'order_ts', 'not an ISO-8601 date or date-time: "31/01/2026"'],
      [
        '10',
        'status',
        'unknown status "shipped-ish" (expected one of pending, paid, shipped, completed, cancelled, refunded, partially_refunded)',
      ],
      ['11', '*', 'row has 4 fields, the header has 10'],
      ['12', 'customer_id', 'required value is empty'],
      ['14', 'currency', 'not an ISO 4217 currency code: "US$"'],
      ['15', 'unit_price', 'price is negative: "-5"'],
    ]);
    expect(rows.every((r) => r.fields[0] === 'file' || r.fields[0] === 'dirty_orders.csv')).toBe(true);
    // The record is kept, so nothing is lost; the raw file is kept byte for byte.
    expect(rows[1]!.fields[4]).toBe('D-4,c4,2026-01-08T10:00:00Z,S1,two,10.00,USD,paid,Widget,Home');
    expect(await readFile(lake.uri(report.rawKey))).toEqual(
      await readFile(fixture('dirty', 'dirty_orders.csv')),
    );
    expect(report.reasons).toContainEqual({ column: 'order_ts', reason: 'no such date', count: 1 });
  });

  it('rejects a file in an unknown layout, naming the closest formats, and keeps it in quarantine', async () => {
    const lake = await tempLake();
    const err = await ingest(lake, fixture('dirty', 'unknown_layout.csv')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreadableFileError);
    expect((err as Error).message).toMatch(/unknown export format\. Closest: .*lacks/);
    expect((err as Error).message).toMatch(/"customer_id"/);
    const kept = await lake.list('quarantine/files/');
    expect(kept.some((k) => k.endsWith('/unknown_layout.csv'))).toBe(true);
    expect(await lake.list('curated/')).toEqual([]);
  });

  it('reads GBK from the bytes, and names the Chinese layouts it comes closest to', async () => {
    const lake = await tempLake();
    await expect(ingest(lake, fixture('dirty', 'gbk_taobao.csv'))).rejects.toThrow(
      /Closest: Taobao\/Tmall order report \(订单报表\) \(--source taobao-orders\) lacks "买家应付货款"/,
    );
  });

  it('rejects bytes that are no text it reads before writing any rows', async () => {
    const lake = await tempLake();
    await expect(ingest(lake, fixture('dirty', 'not_utf8.csv'))).rejects.toThrow(
      /not valid UTF-8 in bytes 0-28, and not GB18030\/GBK either; storepulse reads UTF-8, UTF-16/,
    );
    expect(await lake.list('curated/')).toEqual([]);
    expect((await lake.list('raw/')).length).toBe(1);
  });
});

describe('ingest idempotency and versions', () => {
  it('ingesting the same file twice changes nothing', async () => {
    const lake = await tempLake();
    const snapshot = async () => {
      const keys = (await lake.list('')).filter((k) => !k.startsWith('_config/'));
      return Promise.all(
        keys.map(async (k) => [
          k,
          createHash('sha256')
            .update((await lake.get(k))!)
            .digest('hex'),
        ]),
      );
    };
    const first = await ingest(lake, fixture('formats', 'shopify_orders_export_1.csv'));
    const before = await snapshot();
    const second = await ingest(lake, fixture('formats', 'shopify_orders_export_1.csv'), {
      exportedAt: Date.UTC(2027, 0, 1),
    });
    expect(second.status).toBe('skipped');
    expect(second.batchId).toBe(first.batchId);
    expect(await snapshot()).toEqual(before);
    expect(await sql(lake, 'select count(*)::int as n from order_lines_versions')).toEqual([{ n: 6 }]);
  });

  it('shows the latest export of a line when an order comes back with a new status', async () => {
    const lake = await tempLake();
    const dir = join(lake.root, '..');
    const header = 'order_id,customer_id,order_ts,sku,quantity,unit_price,currency,status';
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(dir, 'monday.csv'),
      `${header}\nO-1,c1,2026-01-05,S1,1,10,USD,paid\nO-2,c2,2026-01-05,S1,1,20,USD,paid\n`,
    );
    await writeFile(join(dir, 'tuesday.csv'), `${header}\nO-1,c1,2026-01-05,S1,1,10,USD,refunded\n`);
    // Ingested out of order: the export time decides, not the ingest order.
    await ingest(lake, join(dir, 'tuesday.csv'), { exportedAt: Date.UTC(2026, 0, 6) });
    await ingest(lake, join(dir, 'monday.csv'), { exportedAt: Date.UTC(2026, 0, 5, 20) });
    expect(await sql(lake, 'select order_id, status from order_lines order by order_id')).toEqual([
      { order_id: 'O-1', status: 'refunded' },
      { order_id: 'O-2', status: 'paid' },
    ]);
    expect(await sql(lake, 'select count(*)::int as n from order_lines_versions')).toEqual([{ n: 3 }]);
  });

  it('two ingests running at once into the same lake lose nothing', async () => {
    const lake = await tempLake();
    const [a, b] = await Promise.all([
      ingest(lake, fixture('formats', 'shopify_orders_export_1.csv')),
      ingest(lake, fixture('formats', 'generic_orders.csv')),
    ]);
    expect(a.rowsLanded + b.rowsLanded).toBe(10);
    expect(
      await sql(lake, 'select source, count(*)::int as n from order_lines group by 1 order by 1'),
    ).toEqual([
      { source: 'generic', n: 4 },
      { source: 'shopify', n: 6 },
    ]);
  });
});

describe('curated Parquet read back by DuckDB', () => {
  it('writes canonical types, partitions by source and shop-time-zone order date, and keeps contacts apart', async () => {
    const lake = await tempLake();
    const config = testConfig({ timeZone: 'America/New_York' });
    await ingest(lake, fixture('formats', 'shopify_orders_export_1.csv'), { config });
    const files = await lake.list('curated/order_lines/');
    expect(files.map((k) => k.split('/').slice(2, 4).join('/')).sort()).toEqual([
      'source=shopify/dt=2026-01-31',
      'source=shopify/dt=2026-02-01',
      'source=shopify/dt=2026-02-20',
      'source=shopify/dt=2026-03-02',
    ]);
    const types = await sql(
      lake,
      "select column_name, column_type as data_type from (describe order_lines) where column_name in ('order_ts','quantity','net_amount','dt')",
    );
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.data_type]))).toEqual({
      order_ts: 'TIMESTAMP WITH TIME ZONE',
      quantity: 'INTEGER',
      net_amount: 'DOUBLE',
      dt: 'VARCHAR',
    });
    const lines = await sql(
      lake,
      "select order_id, line_id, customer_id, strftime(order_ts, '%Y-%m-%dT%H:%M:%S') as order_ts, net_amount, net_amount_rc, dt from order_lines order by dt desc, order_id desc, line_id",
    );
    const alice = new Pseudonymiser('test-key-0123456789abcdef').id('shopify', 'alice@example.com');
    expect(lines).toEqual([
      {
        order_id: '#1003',
        line_id: '1',
        customer_id: alice,
        order_ts: '2026-03-02T15:15:00',
        net_amount: 53.3333,
        net_amount_rc: 53.3333,
        dt: '2026-03-02',
      },
      {
        order_id: '#1003',
        line_id: '2',
        customer_id: alice,
        order_ts: '2026-03-02T15:15:00',
        net_amount: 26.6667,
        net_amount_rc: 26.6667,
        dt: '2026-03-02',
      },
      {
        order_id: '#1002',
        line_id: '1',
        customer_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        order_ts: '2026-02-21T04:29:10',
        net_amount: 20,
        net_amount_rc: 20,
        dt: '2026-02-20',
      },
      {
        order_id: '#1001',
        line_id: '1',
        customer_id: alice,
        order_ts: '2026-02-01T12:59:00',
        net_amount: 0,
        net_amount_rc: 0,
        dt: '2026-02-01',
      },
      {
        order_id: '#1000',
        line_id: '1',
        customer_id: null,
        order_ts: '2026-02-01T04:50:00',
        net_amount: 13,
        net_amount_rc: 13,
        dt: '2026-01-31',
      },
      {
        order_id: '#1000',
        line_id: '2',
        customer_id: null,
        order_ts: '2026-02-01T04:50:00',
        net_amount: 6.8,
        net_amount_rc: 6.8,
        dt: '2026-01-31',
      },
    ]);
    // No e-mail or phone in any curated column.
    const curated = await sql(lake, 'select * from order_lines');
    expect(JSON.stringify(curated)).not.toMatch(/example\.com|555/);
    const contactFiles = await lake.list('restricted/contacts/');
    expect(contactFiles).toHaveLength(1);
  });

  it('lands foreign-currency lines with a null reporting amount and says so', async () => {
    const lake = await tempLake();
    const report = await ingest(lake, fixture('formats', 'generic_orders.csv'));
    expect(report.warnings).toContainEqual(
      expect.stringMatching(
        /^1 line\(s\) in EUR dated 2026-03-03\.\.2026-03-03: no exchange rate to USD .* so net_amount_rc is null/,
      ),
    );
    expect(
      await sql(lake, "select net_amount, net_amount_rc from order_lines where currency = 'EUR'"),
    ).toEqual([{ net_amount: 6.75, net_amount_rc: null }]);
  });
});

/**
 * Malformed variants of each marketplace fixture, ingested into a real lake: a bad number and a bad
 * date are quarantined with the column and reason while the other orders land; a truncated file
 * loses only its cut record; a file missing a required column is kept whole in quarantine with a
 * message naming the closest format and the missing column.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../shared/csv/parser.ts';
import { csvLine } from '../../shared/csv/writer.ts';
import { UnreadableFileError } from '../../shared/errors.ts';
import { mapFile } from '../format-harness.ts';
import { fixture, ingest, tempDir, tempLake } from '../helpers.ts';

interface Variant {
  file: string;
  gbk?: true;
  /** [text to find (first occurrence), replacement, column named in the quarantine] */
  number: [string, string, string];
  date?: [string, string, string];
  /** [header text to find, replacement, column reported missing] */
  header: [string, string, string];
  /** Rows that land from a good copy (a Taobao half lands none alone). */
  landsAlone: boolean;
}

const VARIANTS: Variant[] = [
  {
    file: 'amazon_all_orders.txt',
    number: ['\t39.98\t', '\t39,98x\t', 'item-price'],
    date: ['2026-03-03T10:15:00+00:00', '2026-13-03T10:15:00+00:00', 'purchase-date'],
    header: ['\tsku\t', '\tseller-sku-x\t', 'sku'],
    landsAlone: true,
  },
  {
    file: 'taobao_ExportOrderList201707111200.csv',
    gbk: true,
    number: ['"201.12"', '"20x.12"', '买家应付货款'],
    date: ['2017-07-10 08:00:00', '2017-07-32 08:00:00', '订单创建时间'],
    header: ['"买家会员名"', '"买家"', '买家会员名'],
    landsAlone: false,
  },
  {
    file: 'taobao_ExportOrderDetailList201707111200.csv',
    gbk: true,
    number: ['"239.00"', '"2x9"', '价格'],
    header: ['"购买数量"', '"数量"', '购买数量'],
    landsAlone: false,
  },
  {
    file: 'jd_orders.csv',
    gbk: true,
    number: [',79.00,', ',7x9.00,', '京东价'],
    date: ['2015-12-31 11:00:00', '2015-12-31 25:00:00', '下单时间'],
    header: ['订购数量', '数量X', '订购数量'],
    landsAlone: true,
  },
  {
    file: 'pinduoduo_orders.csv',
    number: [',39.80,', ',3x9.80,', '商品总价(元)'],
    date: ['2023-10-10 21:30:00', '2023-10-10 21:61:00', '订单成交时间'],
    header: ['商品总价(元)', '商品总价', '商品总价(元)'],
    landsAlone: true,
  },
  {
    file: 'douyin_orders.csv',
    number: [',129.00,', ',12x9.00,', '商品单价'],
    date: ['2026-03-01 20:00:00', '2026-02-30 20:00:00', '订单提交时间'],
    header: ['子订单编号', '子订单', '子订单编号'],
    landsAlone: true,
  },
  {
    file: 'tiktok_orders.csv',
    number: [',89.00,', ',8x9.00,', 'SKU Unit Original Price'],
    date: ['16/03/2026 23:59:59', '36/03/2026 23:59:59', 'Created Time'],
    header: ['SKU ID', 'SKU', 'SKU ID'],
    landsAlone: true,
  },
  {
    file: 'woocommerce_orders.csv',
    number: [',22.50,', ',22.5.0,', 'Item Cost'],
    date: ['2024-02-02 08:05', '2024-02-02 8h05', 'Order Date'],
    header: ['"Item Cost"', '"Cost"', 'Item Cost'],
    landsAlone: true,
  },
  {
    file: 'ebay_orders.csv',
    number: ['$4.00', '$4.0.0', 'Sold For'],
    date: ['Jul-23-25,Jul-23-25', 'Jux-23-25,Jul-23-25', 'Sale Date'],
    header: ['Sale Date', 'Sale Dat', 'Sale Date'],
    landsAlone: true,
  },
  {
    file: 'shopify_products_export.csv',
    number: [',60.00,', ',6x0.00,', 'Variant Price'],
    header: ['Variant SKU', 'Variant Code', 'Variant SKU'],
    landsAlone: true,
  },
  {
    file: 'shopify_inventory_export.csv',
    number: [',40,44,', ',4x0,44,', 'Available (not editable)'],
    header: ['Available (not editable)', 'Available', 'Available (not editable)'],
    landsAlone: true,
  },
  {
    file: 'amazon_fba_inventory.txt',
    number: ['\t120\t', '\t12x0\t', 'afn-fulfillable-quantity'],
    header: ['afn-reserved-quantity', 'reserved', 'afn-reserved-quantity'],
    landsAlone: true,
  },
  {
    file: 'amazon_business_report.csv',
    number: ['"12,131"', '"12,1x31"', 'Sessions - Total'],
    header: ['Ordered Product Sales,', 'Sales,', 'Ordered Product Sales'],
    landsAlone: true,
  },
];

function variantFile(dir: string, v: Variant, name: string, edit: (text: string) => string): string {
  const bytes = readFileSync(fixture('formats', v.file));
  const text = v.gbk ? new TextDecoder('gb18030').decode(bytes) : bytes.toString('utf8');
  const edited = edit(text);
  expect(edited).not.toBe(text);
  const path = join(dir, `${name}-${v.file}`);
  writeFileSync(path, v.gbk ? iconv.encode(edited, 'gbk') : edited);
  return path;
}

describe.each(VARIANTS)('malformed $file', (v) => {
  it('a bad number is quarantined with its column; other orders land', async () => {
    const lake = await tempLake();
    const path = variantFile(await tempDir(), v, 'number', (t) => t.replace(v.number[0], v.number[1]));
    const r = await ingest(lake, path);
    expect(r.reasons.map((q) => q.column)).toContain(v.number[2]);
    expect(r.rowsQuarantined).toBeGreaterThan(0);
    if (v.landsAlone) expect(r.rowsLanded).toBeGreaterThan(0);
    const q = await lake.get(r.quarantineKey!);
    expect(Buffer.from(q!).toString('utf8')).toContain(v.number[2]);
  });

  it.runIf(v.date)('a bad date is quarantined with its column', async () => {
    const lake = await tempLake();
    const [from, to, column] = v.date!;
    const path = variantFile(await tempDir(), v, 'date', (t) => t.replace(from, to));
    const r = await ingest(lake, path);
    expect(r.reasons.map((q) => q.column)).toContain(column);
    if (v.landsAlone) expect(r.rowsLanded).toBeGreaterThan(0);
  });

  it('a truncated file loses only its cut record', async () => {
    const lake = await tempLake();
    const path = variantFile(await tempDir(), v, 'cut', (t) =>
      // Cut inside the last record (before eBay's footer lines, which are no records).
      t
        .replace(/\n\d+ record\(s\) downloaded[\s\S]*$/, '')
        .trimEnd()
        .slice(0, -12),
    );
    const good = await ingest(await tempLake(), fixture('formats', v.file));
    const r = await ingest(lake, path);
    expect(r.rowsQuarantined).toBeGreaterThanOrEqual(1);
    if (v.landsAlone) expect(r.rowsLanded).toBeGreaterThan(0);
    expect(r.rowsLanded).toBeLessThan(good.rowsLanded + (v.landsAlone ? 0 : 1));
  });

  it('a missing required column rejects the file, naming the closest format and the column', async () => {
    const lake = await tempLake();
    const [from, to, column] = v.header;
    const path = variantFile(await tempDir(), v, 'header', (t) => t.replace(from, to));
    const err = await ingest(lake, path).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/unknown export format\. Closest: /);
    expect((err as Error).message).toContain(`lacks "${column}"`);
    expect(await lake.list('quarantine/files/')).toHaveLength(2);
  });
});

/** A fixture's text (GBK ones decoded), edited, written back in its encoding. */
async function edited(file: string, edit: (text: string) => string, gbk = false): Promise<string> {
  return variantFile(await tempDir(), { file, ...(gbk ? { gbk: true } : {}) } as Variant, 'edit', edit);
}

describe('issue 22: the defects a careful user met', () => {
  it('a Shopify row with a field too many rejects its whole order (no partial order lands)', async () => {
    const path = await edited('shopify_orders_export_1.csv', (t) =>
      t.replace(/\n(#1003,[^\n]*,)\n/, '\n$1,x\n'),
    );
    const m = await mapFile(path);
    expect(m.lines.filter((l) => l.order_id === '#1003')).toEqual([]);
    const rejected = m.rejected.filter((r) => r.record[0] === '#1003');
    expect(rejected.length).toBeGreaterThanOrEqual(2);
    expect(rejected.map((r) => r.reason).join(' ')).toMatch(/row has \d+ fields, the header has 79/);
    expect(m.lines.length).toBeGreaterThan(0);
  });

  it.each([
    ['pinduoduo_orders.csv', ',39.80,', '商品总价(元)', false],
    ['shopify_orders_export_1.csv', ',30.00,,BL-48', 'Lineitem price', false],
    ['jd_orders.csv', ',79.00,', '京东价', true],
    ['taobao_ExportOrderDetailList201707111200.csv', '"239.00"', '价格', true],
  ] as const)(
    'a 400-digit number in %s is a bad value with a reason, never Infinity',
    async (file, find, column, gbk) => {
      const huge = `${'9'.repeat(400)}.00`;
      const path = await edited(file, (t) => t.replace(find, find.replace(/[\d.]+\.\d\d/, huge)), gbk);
      const lake = await tempLake();
      const r = await ingest(lake, path);
      expect(r.reasons.find((q) => q.column === column)?.reason).toMatch(/too large/);
      const q = Buffer.from((await lake.get(r.quarantineKey!))!).toString('utf8');
      expect(q).toContain('is too large (over 1e+13)');
      if (!file.startsWith('taobao')) expect(r.rowsLanded).toBeGreaterThan(0);
    },
  );

  it('a WooCommerce order with an empty Order Date is rejected, never dated as the order before it', async () => {
    const path = await edited('woocommerce_orders.csv', (t) => t.replace('"2024-02-02 08:05"', '""'));
    const m = await mapFile(path);
    expect(m.lines.some((l) => l.order_id === '1042')).toBe(false);
    expect(m.rejected.find((r) => r.record[0] === '1042')).toMatchObject({
      column: 'Order Date',
      reason: 'empty',
    });
  });

  it('JD refuses a negative 京东价', async () => {
    const path = await edited('jd_orders.csv', (t) => t.replace(',79.00,', ',-79.00,'), true);
    const m = await mapFile(path);
    expect(m.lines.some((l) => l.order_id === '10000000001')).toBe(false);
    expect(m.rejected.find((r) => r.column === '京东价')?.reason).toMatch(/price is negative/);
  });

  it('a Taobao order-report row with more fields than the header is rejected', async () => {
    const path = await edited(
      'taobao_ExportOrderList201707111200.csv',
      (t) => t.replace(/("=""401827730129002""".*)\r?\n/, '$1,"extra"\n'),
      true,
    );
    const m = await mapFile(path);
    expect(m.staged.has('401827730129002')).toBe(false);
    expect(m.rejected.map((r) => r.reason)).toContain('row has 62 fields, the header has 61');
  });

  it('Shopify reads 1,299.00, $24.00 and an Excel-guarded 24.00 as the README says', async () => {
    const path = await edited('shopify_orders_export_1.csv', (t) =>
      t.replace(',30.00,,BL-48', ',"1,299.00",,BL-48').replace(',30.00,,CU-01', ",'24.00,,CU-01"),
    );
    const m = await mapFile(path);
    expect(m.rejected).toEqual([]);
    expect(m.lines.filter((l) => l.order_id === '#1003').map((l) => l.unit_price)).toEqual([1299, 24]);
    const dollars = await mapFile(
      await edited('shopify_orders_export_1.csv', (t) => t.replace(',30.00,,BL-48', ',$24.00,,BL-48')),
    );
    expect(dollars.lines.find((l) => l.order_id === '#1003')?.unit_price).toBe(24);
  });

  it('Shopify without its Currency column reads the shop currency and says so', async () => {
    const path = await edited('shopify_orders_export_1.csv', (t) =>
      t.replace(',Currency,', ',Currency Code,'),
    );
    const m = await mapFile(path, { currency: 'EUR' });
    expect(m.rejected).toEqual([]);
    expect(new Set(m.lines.map((l) => l.currency))).toEqual(new Set(['EUR']));
    expect(m.warnings.join('\n')).toMatch(/no Currency column: amounts are read in the shop currency EUR/);
  });

  it('WooCommerce without its quantity column is refused whole, naming the column', async () => {
    const path = await edited('woocommerce_orders.csv', (t) => t.replace('"Quantity (- Refund)"', '"Qty"'));
    const lake = await tempLake();
    const err = await ingest(lake, path).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UnreadableFileError);
    expect((err as Error).message).toContain('"Quantity (- Refund)" or "Quantity"');
    const kept = (await lake.list('quarantine/files/')).find((k) => !k.endsWith('reason.txt'))!;
    expect(Buffer.from((await lake.get(kept))!).equals(readFileSync(path))).toBe(true);
    expect(await lake.list('curated/')).toEqual([]);
  });
});

describe.each(
  VARIANTS.filter(
    (v) =>
      !v.file.startsWith('shopify_') &&
      !v.file.startsWith('amazon_fba') &&
      !v.file.startsWith('amazon_business'),
  ),
)('each column of $file, dropped', (v) => {
  it('is refused whole naming a column, or every row still lands', async () => {
    const dir = await tempDir();
    const bytes = readFileSync(fixture('formats', v.file));
    const text = v.gbk ? new TextDecoder('gb18030').decode(bytes) : bytes.toString('utf8');
    const good = await mapFile(fixture('formats', v.file));
    const header = text
      .split(/\r?\n/)
      .find((l) => l.includes(v.file.endsWith('.txt') ? '\t' : ',') && !l.startsWith('sep='))!;
    const width = parseCsv(header, v.file.endsWith('.txt') ? '\t' : ',', !v.file.endsWith('.txt'))[0]!.fields
      .length;
    for (let k = 0; k < width; k++) {
      // The column dropped from every record (header and rows alike).
      const delimiter = v.file.endsWith('.txt') ? '\t' : ',';
      const records = parseCsv(text.replace(/^\uFEFF/, ''), delimiter, !v.file.endsWith('.txt'));
      const out = records
        .map((r) => {
          if (r.fields.length < width) return r.fields;
          const f = [...r.fields];
          f.splice(k, 1);
          return f;
        })
        .map((f) => (delimiter === '\t' ? f.join('\t') : csvLine(f).trimEnd()))
        .join('\n');
      const path = join(dir, `${k}-${v.file}`);
      writeFileSync(path, v.gbk ? iconv.encode(out, 'gbk') : out);
      const m = await mapFile(path).catch((e: Error) => e);
      if (m instanceof Error) {
        expect(m).toBeInstanceOf(UnreadableFileError);
        continue;
      }
      expect(m.rejected, `column ${k} dropped`).toEqual(good.rejected.length ? m.rejected : []);
      expect(m.lines.length + m.staged.size, `column ${k} dropped`).toBe(
        good.lines.length + good.staged.size,
      );
    }
  }, 60_000);
});

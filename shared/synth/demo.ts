/**
 * The demo's sample exports, one shop selling on several platforms: exchange rates, a Shopify store's
 * orders export, a point-of-sale system's orders in the generic CSV, Amazon's All Orders report (no
 * buyer ids), Taobao's order and item reports (GBK, in yuan), a TikTok Shop export, and a later
 * Shopify re-export of the last 30 days in which some orders were refunded (so the demo shows the
 * latest status winning). File times are set as if downloaded on those days.
 */
import { mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { OrderStatus } from '../schemas/tables.ts';
import { addDays, daysBetween } from '../time.ts';
import { type SynthOrder, synthOrders } from './orders.ts';
import {
  AMAZON_HEADER,
  amazonRows,
  DEMO_CNY_PER_USD,
  ExportFileWriter,
  TAOBAO_ITEM_HEADER,
  TAOBAO_ORDER_HEADER,
  TIKTOK_HEADER,
  taobaoItemRows,
  taobaoOrderRow,
  tiktokRows,
} from './platform-writers.ts';
import { Random } from './random.ts';
import { CsvFileWriter, GENERIC_HEADER, genericRows, SHOPIFY_HEADER, shopifyRows } from './writers.ts';

export const DEMO_AS_OF = '2026-11-23';
const DEMO_START = '2025-05-24';

export interface DemoFile {
  path: string;
  layout: string;
  lines: number;
  exportedAt: Date;
}

export async function writeDemoExports(dir: string, customers = 3000): Promise<DemoFile[]> {
  await mkdir(dir, { recursive: true });
  const shopify: SynthOrder[] = [];
  const pos: SynthOrder[] = [];
  const amazon: SynthOrder[] = [];
  const taobao: SynthOrder[] = [];
  const tiktok: SynthOrder[] = [];
  // Each customer buys on one platform: a quarter at the shop's till, an eighth each on Amazon,
  // Taobao and TikTok, the rest on the Shopify store.
  const platform: SynthOrder[][] = [shopify, tiktok, shopify, pos, shopify, taobao, amazon, pos];
  for (const o of synthOrders({
    seed: 20261123,
    customers,
    start: DEMO_START,
    end: DEMO_AS_OF,
    catalogVariants: 2,
  })) {
    platform[o.customer.index % 8]!.push(o);
  }
  // Shopify lists newest orders first.
  shopify.sort((a, b) => b.createdAt - a.createdAt || b.number - a.number);
  const files: DemoFile[] = [];

  // Exchange rates first: ingest converts yuan with them. Weekdays only, as central banks publish.
  const rates = join(dir, 'fx_rates.csv');
  const rateWriter = new CsvFileWriter(rates, ['date', 'currency', 'rate']);
  for (let day = addDays(DEMO_START, -7); day <= DEMO_AS_OF; day = addDays(day, 1)) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const wobble = 1 + 0.01 * Math.sin(daysBetween(DEMO_START, day) / 20);
    await rateWriter.write([[day, 'CNY', (1 / (DEMO_CNY_PER_USD * wobble)).toFixed(6)]]);
  }
  await rateWriter.close();
  const ratesAt = new Date('2026-11-23T21:00:00Z');
  await utimes(rates, ratesAt, ratesAt);
  files.push({ path: rates, layout: 'exchange rates CSV', lines: rateWriter.lines, exportedAt: ratesAt });

  const writePlatform = async (
    name: string,
    layout: string,
    header: readonly string[],
    style: ConstructorParameters<typeof ExportFileWriter>[2],
    rows: () => Generator<readonly string[]>,
    exportedAt: string,
  ) => {
    const path = join(dir, name);
    const w = new ExportFileWriter(path, header, style);
    for (const r of rows()) await w.write([r]);
    await w.close();
    const at = new Date(exportedAt);
    await utimes(path, at, at);
    files.push({ path, layout, lines: w.lines, exportedAt: at });
  };

  const write = async (
    name: string,
    layout: string,
    header: readonly string[],
    orders: readonly SynthOrder[],
    rows: (o: SynthOrder) => string[][],
    exportedAt: string,
  ) => {
    const path = join(dir, name);
    const w = new CsvFileWriter(path, header);
    for (const o of orders) await w.write(rows(o));
    await w.close();
    const at = new Date(exportedAt);
    await utimes(path, at, at);
    files.push({ path, layout, lines: w.lines, exportedAt: at });
  };

  await write(
    'orders_export_1.csv',
    'Shopify orders export',
    SHOPIFY_HEADER,
    shopify,
    shopifyRows,
    '2026-11-23T22:00:00Z',
  );
  await write(
    'pos_orders.csv',
    'storepulse generic orders CSV',
    GENERIC_HEADER,
    pos,
    (o) => genericRows(o, 'POS-'),
    '2026-11-23T22:30:00Z',
  );

  await writePlatform(
    'amazon_all_orders.txt',
    'Amazon All Orders report (tab-separated)',
    AMAZON_HEADER,
    { delimiter: '\t', quote: 'never', encoding: 'utf-8', lineEnd: '\r\n' },
    function* () {
      for (const o of amazon) yield* amazonRows(o);
    },
    '2026-11-23T22:40:00Z',
  );
  // The item report first: its orders wait in staging until the order report arrives.
  const taobaoStyle = { delimiter: ',', quote: 'all', encoding: 'gbk', lineEnd: '\r\n' } as const;
  await writePlatform(
    'ExportOrderDetailList202611232250.csv',
    'Taobao item report 宝贝报表 (GBK)',
    TAOBAO_ITEM_HEADER,
    taobaoStyle,
    function* () {
      for (const o of taobao) yield* taobaoItemRows(o);
    },
    '2026-11-23T22:50:00Z',
  );
  await writePlatform(
    'ExportOrderList202611232250.csv',
    'Taobao order report 订单报表 (GBK)',
    TAOBAO_ORDER_HEADER,
    taobaoStyle,
    function* () {
      for (const o of taobao) yield taobaoOrderRow(o);
    },
    '2026-11-23T22:50:30Z',
  );
  await writePlatform(
    'tiktok_orders.csv',
    'TikTok Shop orders export',
    TIKTOK_HEADER,
    { delimiter: ',', quote: 'minimal', encoding: 'utf-8', bom: true, lineEnd: '\r\n' },
    function* () {
      for (const o of tiktok) yield* tiktokRows(o);
    },
    '2026-11-23T23:00:00Z',
  );

  // The web store's traffic for its 12 best-selling SKUs over the last 60 days. On the last day one
  // SKU's add-to-cart button breaks: add-to-cart falls to a quarter (a breakpoint for the funnel).
  const sold = new Map<string, number>();
  for (const o of shopify)
    for (const l of o.lines) sold.set(l.product.sku, (sold.get(l.product.sku) ?? 0) + l.quantity);
  const best = [...sold].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 12);
  const rnd = new Random(7);
  const traffic = join(dir, 'traffic.csv');
  const trafficWriter = new CsvFileWriter(traffic, [
    'date',
    'sku',
    'channel',
    'impressions',
    'visits',
    'page_views',
    'add_to_cart',
    'orders',
    'paid_orders',
    'revenue',
  ]);
  for (let back = 59; back >= 0; back--) {
    const day = addDays(DEMO_AS_OF, -back);
    for (const [i, [sku]] of best.entries()) {
      const impressions = Math.round((4000 / (1 + i * 0.3)) * (0.85 + 0.3 * rnd.next()));
      const visits = Math.round(impressions * (0.08 + 0.02 * rnd.next()));
      const broken = back === 0 && i === 2;
      const addToCart = Math.round(visits * (0.12 + 0.02 * rnd.next()) * (broken ? 0.25 : 1));
      const orders = Math.round(addToCart * (0.45 + 0.1 * rnd.next()));
      const paid = Math.round(orders * 0.96);
      const price = shopify.flatMap((o) => o.lines).find((l) => l.product.sku === sku)?.product.price ?? 0;
      await trafficWriter.write([
        [
          day,
          sku,
          'web',
          String(impressions),
          String(visits),
          String(Math.round(visits * 1.6)),
          String(addToCart),
          String(orders),
          String(paid),
          (paid * price).toFixed(2),
        ],
      ]);
    }
  }
  await trafficWriter.close();
  const trafficAt = new Date('2026-11-23T23:30:00Z');
  await utimes(traffic, trafficAt, trafficAt);
  files.push({
    path: traffic,
    layout: 'storepulse generic traffic CSV',
    lines: trafficWriter.lines,
    exportedAt: trafficAt,
  });

  // The catalogue (costs, lead times, shelf lives) and the morning's stock count of the main warehouse.
  const catalogue = new Map<string, SynthOrder['lines'][number]['product']>();
  for (const o of [...shopify, ...pos, ...amazon, ...taobao, ...tiktok])
    for (const l of o.lines) catalogue.set(l.product.sku, l.product);
  const products = [...catalogue.values()].sort((a, b) => a.sku.localeCompare(b.sku));
  const productsPath = join(dir, 'products.csv');
  const productWriter = new CsvFileWriter(productsPath, [
    'sku',
    'name',
    'category',
    'brand',
    'price',
    'unit_cost',
    'lead_time_days',
    'shelf_life_days',
  ]);
  for (const [i, p] of products.entries()) {
    await productWriter.write([
      [
        p.sku,
        p.name,
        p.category,
        p.vendor,
        p.price.toFixed(2),
        (p.price * (0.35 + 0.3 * rnd.next())).toFixed(2),
        // Every seventh product has no lead time yet: the stock model uses the default and says so.
        i % 7 === 3 ? '' : String(rnd.int(5, 30)),
        p.category === 'Snacks' ? String(rnd.int(60, 240)) : '',
      ],
    ]);
  }
  await productWriter.close();
  const catalogueAt = new Date('2026-11-20T08:00:00Z');
  await utimes(productsPath, catalogueAt, catalogueAt);
  files.push({
    path: productsPath,
    layout: 'storepulse generic products CSV',
    lines: productWriter.lines,
    exportedAt: catalogueAt,
  });

  // Units per day over the last 28 days in the main warehouse, to size the stock count around.
  const recentUnits = new Map<string, number>();
  const recentFrom = Date.parse(`${addDays(DEMO_AS_OF, -28)}T00:00:00Z`);
  for (const o of shopify) {
    if (o.createdAt < recentFrom) continue;
    for (const l of o.lines)
      recentUnits.set(l.product.sku, (recentUnits.get(l.product.sku) ?? 0) + l.quantity / 28);
  }
  const inventoryPath = join(dir, 'inventory.csv');
  const stockWriter = new CsvFileWriter(inventoryPath, [
    'snapshot_ts',
    'sku',
    'warehouse',
    'on_hand',
    'inbound',
    'reserved',
  ]);
  for (const p of products) {
    const perDay = recentUnits.get(p.sku) ?? 0;
    // Most items hold 20 to 120 days of stock; one in six is running low.
    const days = rnd.chance(1 / 6) ? rnd.int(0, 6) : rnd.int(20, 120);
    const onHand = Math.round(perDay * days + (perDay === 0 ? rnd.int(0, 40) : 0));
    const inbound = rnd.chance(0.2) ? Math.round(perDay * 30) : 0;
    await stockWriter.write([
      [
        `${DEMO_AS_OF}T06:00:00Z`,
        p.sku,
        'Main warehouse',
        String(onHand),
        String(inbound),
        String(Math.min(onHand, rnd.int(0, 3))),
      ],
    ]);
  }
  await stockWriter.close();
  const stockAt = new Date('2026-11-23T06:05:00Z');
  await utimes(inventoryPath, stockAt, stockAt);
  files.push({
    path: inventoryPath,
    layout: 'storepulse generic inventory CSV',
    lines: stockWriter.lines,
    exportedAt: stockAt,
  });

  // The next morning's re-export of the last 30 days: every eighth shipped order has been refunded since.
  const cutoff = Date.parse(`${DEMO_AS_OF}T00:00:00Z`) - 30 * 86_400_000;
  const recent = shopify
    .filter((o) => o.createdAt >= cutoff)
    .map((o): SynthOrder => {
      if (o.status !== 'shipped' || o.number % 8 !== 0) return o;
      const refund = o.lines.reduce((a, l) => a + l.quantity * l.product.price, 0) - o.discount;
      return { ...o, status: 'refunded' as OrderStatus, refund: Math.round(refund * 100) / 100 };
    });
  await write(
    'orders_export_2.csv',
    'Shopify orders export (re-export)',
    SHOPIFY_HEADER,
    recent,
    shopifyRows,
    '2026-11-24T09:00:00Z',
  );
  return files;
}

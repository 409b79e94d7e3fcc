/**
 * The demo's sample exports: a Shopify store's orders export, a point-of-sale system's orders in the
 * generic CSV, and a later Shopify re-export of the last 30 days in which some orders were refunded
 * (so the demo shows the latest status winning). File times are set as if downloaded on those days.
 */
import { mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { OrderStatus } from '../schemas/tables.ts';
import { type SynthOrder, synthOrders } from './orders.ts';
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
  for (const o of synthOrders({
    seed: 20261123,
    customers,
    start: DEMO_START,
    end: DEMO_AS_OF,
    catalogVariants: 2,
  })) {
    (o.customer.index % 4 === 3 ? pos : shopify).push(o);
  }
  // Shopify lists newest orders first.
  shopify.sort((a, b) => b.createdAt - a.createdAt || b.number - a.number);
  const files: DemoFile[] = [];

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

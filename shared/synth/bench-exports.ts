/**
 * `storepulse synth`: realistic exports of a chosen size, streamed to disk so 10 million lines need
 * no more memory than 1,000. The generic orders CSV carries several marketplaces (channel) and
 * currencies; exchange rates for those currencies (without them a line in CAD, GBP, AUD or EUR has
 * no reporting-currency amount); a Shopify export of the US web store's share; products and
 * inventory snapshots.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays } from '../time.ts';
import { makeCatalog } from './catalog.ts';
import { type SynthOrder, synthOrders } from './orders.ts';
import { Random } from './random.ts';
import { CsvFileWriter, GENERIC_HEADER, genericRows, SHOPIFY_HEADER, shopifyRows } from './writers.ts';

export interface SynthResult {
  files: { path: string; layout: string; lines: number }[];
}

/** Country -> currency and a rough rate from USD list prices. */
const CURRENCY: Record<string, [string, number]> = {
  US: ['USD', 1],
  CA: ['CAD', 1.36],
  GB: ['GBP', 0.79],
  AU: ['AUD', 1.52],
  DE: ['EUR', 0.92],
};
const MARKETPLACES = ['shopify', 'amazon', 'tiktok_shop', 'woocommerce', 'ebay'];

function genericInCurrency(o: SynthOrder): string[][] {
  const [currency, rate] = CURRENCY[o.customer.country] ?? ['USD', 1];
  const channel = MARKETPLACES[o.number % MARKETPLACES.length]!;
  return genericRows(o, 'SO-').map((r) => {
    // columns: ... 9 unit_price, 10 discount, 11 refund_amount, 12 currency, 14 channel
    r[9] = (Number(r[9]) * rate).toFixed(2);
    r[10] = (Number(r[10]) * rate).toFixed(2);
    r[11] = (Number(r[11]) * rate).toFixed(2);
    r[12] = currency;
    r[14] = channel;
    return r;
  });
}

const START = '2025-05-24';
const END = '2026-11-23';

/**
 * Exchange rates into USD for the currencies the orders use, every weekday (as central banks
 * publish) from a week before the first order: the inverse of the list-price rate, with a small
 * drift so converted amounts are not the USD prices again.
 */
async function writeRates(path: string): Promise<number> {
  const rates = new CsvFileWriter(path, ['date', 'currency', 'rate']);
  let k = 0;
  for (let day = addDays(START, -7); day <= END; day = addDays(day, 1), k++) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const drift = 1 + 0.02 * Math.sin(k / 45);
    await rates.write(
      Object.values(CURRENCY)
        .filter(([code]) => code !== 'USD')
        .map(([code, perUsd]) => [day, code, (1 / (perUsd * drift)).toFixed(6)]),
    );
  }
  await rates.close();
  return rates.lines;
}

export async function writeSynthExports(
  dir: string,
  lines: number,
  options: { seed?: number; onProgress?: (linesWritten: number) => void } = {},
): Promise<SynthResult> {
  await mkdir(dir, { recursive: true });
  const rateLines = await writeRates(join(dir, 'fx_rates.csv'));
  const seed = options.seed ?? 42;
  const orders = new CsvFileWriter(join(dir, 'orders.csv'), GENERIC_HEADER);
  const shopify = new CsvFileWriter(join(dir, 'orders_export_1.csv'), SHOPIFY_HEADER);
  // About seven order lines per customer over 18 months, as in the demo's mix.
  const customers = Math.max(10, Math.ceil(lines / 7));
  const catalogVariants = Math.max(2, Math.min(100, Math.round(lines / 20_000)));
  let next = 100_000;
  for (const o of synthOrders({
    seed,
    customers: customers * 2,
    start: START,
    end: END,
    catalogVariants,
  })) {
    if (orders.lines >= lines) break;
    await orders.write(genericInCurrency(o));
    if (o.customer.country === 'US' && o.number % 5 === 0) await shopify.write(shopifyRows(o));
    if (orders.lines >= next) {
      options.onProgress?.(orders.lines);
      next += 100_000;
    }
  }
  await orders.close();
  await shopify.close();

  const rnd = new Random(seed + 1);
  const catalog = makeCatalog(catalogVariants, rnd);
  const products = new CsvFileWriter(join(dir, 'products.csv'), [
    'sku',
    'name',
    'category',
    'brand',
    'unit_cost',
    'lead_time_days',
    'shelf_life_days',
  ]);
  await products.write(
    catalog.map((p) => [
      p.sku,
      p.name,
      p.category,
      p.vendor,
      (p.price * (0.35 + 0.3 * rnd.next())).toFixed(2),
      String(rnd.int(5, 45)),
      p.category === 'Snacks' ? String(rnd.int(90, 365)) : '',
    ]),
  );
  await products.close();
  const inventory = new CsvFileWriter(join(dir, 'inventory.csv'), [
    'snapshot_ts',
    'sku',
    'warehouse',
    'on_hand',
    'inbound',
    'reserved',
  ]);
  for (const warehouse of ['US-EAST', 'EU-CENTRAL']) {
    await inventory.write(
      catalog.map((p) => [
        '2026-11-23T06:00:00Z',
        p.sku,
        warehouse,
        String(rnd.int(0, 400)),
        String(rnd.chance(0.3) ? rnd.int(50, 300) : 0),
        String(rnd.int(0, 20)),
      ]),
    );
  }
  await inventory.close();
  return {
    files: [
      // Rates first: ingest converts each line with the rates it already has.
      { path: join(dir, 'fx_rates.csv'), layout: 'exchange rates CSV', lines: rateLines },
      { path: join(dir, 'orders.csv'), layout: 'storepulse generic orders CSV', lines: orders.lines },
      { path: join(dir, 'orders_export_1.csv'), layout: 'Shopify orders export', lines: shopify.lines },
      { path: join(dir, 'products.csv'), layout: 'products (generic layout)', lines: products.lines },
      {
        path: join(dir, 'inventory.csv'),
        layout: 'inventory snapshot (generic layout)',
        lines: inventory.lines,
      },
    ],
  };
}

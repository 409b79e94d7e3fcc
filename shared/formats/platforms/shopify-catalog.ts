/**
 * Shopify's product and inventory exports. Products (Products > Export): one row per variant, plus
 * extra image rows that carry no variant (skipped); product fields (title, vendor, type) only on a
 * product's first row, so they are carried down by Handle. Inventory (Products > Inventory >
 * Export): one row per variant x location; the file has no time, so the snapshot is the export time.
 * Layouts: ../shared/marketplace-layouts.md §10.
 */
import type { TableFormat } from '../format.ts';
import { widthProblem } from '../format.ts';
import { HeaderMap } from '../header-map.ts';
import { isBad, parseCountLoose, parseMoney } from '../values.ts';

const PRODUCT_COLUMNS = {
  handle: ['Handle'],
  title: ['Title'],
  vendor: ['Vendor'],
  category: ['Product Category'],
  type: ['Type'],
  sku: ['Variant SKU'],
  price: ['Variant Price'],
  cost: ['Cost per item'],
  option1: ['Option1 Value'],
} as const;

export const shopifyProducts: TableFormat = {
  table: 'products',
  name: 'shopify-products',
  source: 'shopify',
  title: 'Shopify products export',
  download: 'Shopify admin > Products > Export > All products, CSV for Excel or plain CSV',
  delimiter: ',',
  quoting: true,
  requiredColumns: ['Handle', 'Title', 'Variant SKU', 'Variant Price', 'Option1 Name'],
  open(header, _ctx, sink) {
    const h = new HeaderMap(header, PRODUCT_COLUMNS);
    const product = new Map<string, { title: string; vendor: string; category: string }>();
    let imageRows = 0;
    return {
      row(fields, line, out) {
        if (fields.length !== h.width) return out.reject(widthProblem(fields, h.width, line));
        const handle = h.get(fields, 'handle');
        if (!product.has(handle) || h.get(fields, 'title')) {
          // Shopify's category is a path ("Apparel > Shirts"); its last step is the category.
          const category = (h.get(fields, 'category').split('>').pop() ?? '').trim() || h.get(fields, 'type');
          product.set(handle, { title: h.get(fields, 'title'), vendor: h.get(fields, 'vendor'), category });
        }
        const sku = h.get(fields, 'sku');
        const priceRaw = h.get(fields, 'price');
        if (!sku && !priceRaw) {
          imageRows++;
          return;
        }
        if (!sku)
          return out.reject({ line, column: 'Variant SKU', reason: 'variant has no SKU', record: fields });
        const price = priceRaw ? parseMoney(priceRaw, 'price') : null;
        if (isBad(price))
          return out.reject({ line, column: 'Variant Price', reason: price.reason, record: fields });
        const costRaw = h.get(fields, 'cost');
        const cost = costRaw ? parseMoney(costRaw, 'cost') : null;
        if (isBad(cost))
          return out.reject({ line, column: 'Cost per item', reason: cost.reason, record: fields });
        const p = product.get(handle)!;
        const option = h.get(fields, 'option1');
        out.accept({
          sku,
          name: option && option !== 'Default Title' ? `${p.title} - ${option}` : p.title || null,
          category: p.category || null,
          brand: p.vendor || null,
          price,
          unit_cost: cost,
          lead_time_days: null,
          shelf_life_days: null,
        });
      },
      finish() {
        if (imageRows) sink.warn(`skipped ${imageRows} image-only row(s) (no variant)`);
      },
    };
  },
};

const INVENTORY_COLUMNS = {
  sku: ['SKU'],
  location: ['Location'],
  incoming: ['Incoming (not editable)', 'Incoming'],
  unavailable: ['Unavailable (not editable)', 'Unavailable'],
  committed: ['Committed (not editable)', 'Committed'],
  onHand: ['On hand (current)', 'On hand'],
  available: ['Available (not editable)', 'Available'],
} as const;

export const shopifyInventory: TableFormat = {
  table: 'inventory',
  name: 'shopify-inventory',
  source: 'shopify',
  title: 'Shopify inventory export',
  download: 'Shopify admin > Products > Inventory > Export (all locations)',
  delimiter: ',',
  quoting: true,
  requiredColumns: ['Handle', 'SKU', 'Location', 'Available (not editable)'],
  open(header, ctx) {
    const h = new HeaderMap(header, INVENTORY_COLUMNS);
    return {
      row(fields, line, out) {
        if (fields.length !== h.width) return out.reject(widthProblem(fields, h.width, line));
        const sku = h.get(fields, 'sku');
        if (!sku) return out.reject({ line, column: 'SKU', reason: 'variant has no SKU', record: fields });
        const counts: Record<string, number | null> = {};
        for (const [k, column] of [
          ['onHand', 'On hand (current)'],
          ['available', 'Available (not editable)'],
          ['incoming', 'Incoming (not editable)'],
          ['committed', 'Committed (not editable)'],
          ['unavailable', 'Unavailable (not editable)'],
        ] as const) {
          const raw = h.get(fields, k);
          // Shopify writes "not stocked" for a variant a location does not carry.
          if (raw === '' || /^not stocked$/i.test(raw)) {
            counts[k] = null;
            continue;
          }
          const v = parseCountLoose(raw.replace(/^-/, ''), 'whole number');
          if (isBad(v)) return out.reject({ line, column, reason: v.reason, record: fields });
          counts[k] = raw.startsWith('-') ? -v : v;
        }
        if (counts.onHand === null && counts.available === null) return;
        out.accept({
          snapshot_ts: ctx.exportedAt,
          sku,
          warehouse: h.get(fields, 'location') || null,
          // Oversold stock shows as a negative count; on hand never goes below zero.
          on_hand: Math.max(0, counts.onHand ?? (counts.available ?? 0) + (counts.committed ?? 0)),
          inbound: counts.incoming ?? null,
          reserved: counts.committed ?? null,
          unsellable: counts.unavailable ?? null,
        });
      },
      finish() {},
    };
  },
};

/** A small invented catalogue for generated exports: SKUs with names, categories and prices. */
import type { Random } from './random.ts';

export interface Product {
  sku: string;
  name: string;
  category: string;
  price: number;
  vendor: string;
  /** The item shoppers often buy with this one (pairs within a family), for basket rules to find. */
  companion?: string;
}

const FAMILIES: readonly { category: string; vendor: string; items: readonly [string, number][] }[] = [
  {
    category: 'Phone accessories',
    vendor: 'Northwind',
    items: [
      ['Phone case', 19.9],
      ['Screen protector', 9.9],
      ['USB-C cable 2m', 12.5],
      ['Wireless charger', 34],
      ['Car mount', 24.5],
    ],
  },
  {
    category: 'Home',
    vendor: 'PawProof',
    items: [
      ['Throw blanket - Beige / Large (48"L x 76"W)', 59],
      ['Cushion cover', 18],
      ['Scented candle', 22],
      ['Linen napkins (4)', 26],
      ['Ceramic vase', 45],
    ],
  },
  {
    category: 'Beauty',
    vendor: 'Lumen',
    items: [
      ['Face serum 30ml', 38],
      ['Hand cream', 12],
      ['Lip balm, mint', 6.5],
      ['Sheet masks (5)', 15],
      ['Hair oil', 29],
    ],
  },
  {
    category: 'Snacks',
    vendor: 'Harvest',
    items: [
      ['Roasted almonds 500g', 11.9],
      ['Dark chocolate 85%', 4.5],
      ['Green tea (50 bags)', 8.9],
      ['Dried mango', 7.5],
      ['Granola, honey', 9.5],
    ],
  },
  {
    category: 'Apparel',
    vendor: 'Fieldwear',
    items: [
      ['Merino socks', 18],
      ['Cotton T-shirt - Navy / M', 24],
      ['Rain jacket - Olive / L', 129],
      ['Beanie', 22],
      ['Canvas tote', 16],
    ],
  },
  {
    category: 'Kitchen',
    vendor: 'Copperline',
    items: [
      ['Chef knife 20cm', 79],
      ['Cutting board', 35],
      ['Pour-over kettle', 64],
      ['Coffee grinder', 89],
      ['Spice jars (6)', 28],
    ],
  },
];

/** `variants` copies of each item with small price differences give a catalogue of any size. */
export function makeCatalog(variants: number, rnd: Random): Product[] {
  const out: Product[] = [];
  for (let v = 0; v < variants; v++) {
    for (const [f, fam] of FAMILIES.entries()) {
      for (const [i, [name, price]] of fam.items.entries()) {
        const suffix = v === 0 ? '' : ` #${v + 1}`;
        const sku = (k: number) => `SP-${f + 1}${k + 1}-${String(v + 1).padStart(3, '0')}`;
        const partner = i % 2 === 0 ? i + 1 : i - 1;
        out.push({
          sku: sku(i),
          ...(partner < fam.items.length ? { companion: sku(partner) } : {}),
          name: `${name}${suffix}`,
          category: fam.category,
          price: Math.round(price * (0.9 + 0.2 * rnd.next()) * 100) / 100,
          vendor: fam.vendor,
        });
      }
    }
  }
  // Popularity rank is the catalogue order; shuffle so best-sellers spread over families.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Invented customers and their orders, with the shapes the models need to show something: loyal
 * buyers, occasional ones, one-timers, valuable customers who went quiet, and new arrivals; Zipf SKU
 * popularity, a November peak, cancellations and refunds. Seeded: same options, same orders.
 */
import type { OrderStatus } from '../schemas/tables.ts';
import { makeCatalog, type Product } from './catalog.ts';
import { Random, zipfSampler } from './random.ts';

const DAY = 86_400_000;

export interface SynthCustomer {
  index: number;
  email: string;
  phone: string;
  firstName: string;
  lastName: string;
  country: string;
  kind: 'loyal' | 'regular' | 'one_time' | 'lapsed' | 'new';
}

export interface SynthLine {
  product: Product;
  quantity: number;
}

export interface SynthOrder {
  number: number;
  customer: SynthCustomer;
  createdAt: number;
  lines: SynthLine[];
  status: OrderStatus;
  discount: number;
  refund: number;
  shipping: number;
}

export interface SynthOptions {
  seed: number;
  customers: number;
  /** First and last order date, `YYYY-MM-DD` (UTC). */
  start: string;
  end: string;
  /** Catalogue size multiplier: 30 SKUs per variant. */
  catalogVariants: number;
}

const FIRST = [
  'Ava',
  'Ben',
  'Chloe',
  'Daniel',
  'Emma',
  'Felix',
  'Grace',
  'Hugo',
  'Iris',
  'Jack',
  'Li',
  'Mei',
  'Noah',
  'Olivia',
  'Priya',
  'Ravi',
  'Sofia',
  'Tom',
  'Wei',
  'Yuki',
];
const LAST = [
  'Smith',
  'Chen',
  'Garcia',
  'Müller',
  "O'Brien",
  'Wang',
  'Kim',
  'Rossi',
  'Dubois',
  'Novak',
  'Tanaka',
  'Silva',
];
const COUNTRIES = ['US', 'US', 'US', 'CA', 'GB', 'AU', 'DE'];

/** Purchase behaviour per kind: mean days between orders, and lines per order. */
const KINDS: readonly { kind: SynthCustomer['kind']; share: number; gapDays: number; basket: number }[] = [
  { kind: 'loyal', share: 0.15, gapDays: 35, basket: 2.2 },
  { kind: 'regular', share: 0.25, gapDays: 110, basket: 1.6 },
  { kind: 'one_time', share: 0.35, gapDays: Number.POSITIVE_INFINITY, basket: 1.4 },
  { kind: 'lapsed', share: 0.15, gapDays: 28, basket: 2.6 },
  { kind: 'new', share: 0.1, gapDays: 45, basket: 1.5 },
];

/** November and December sell more; February least. Acceptance probability of a drawn order. */
const SEASON = [0.8, 0.7, 0.8, 0.85, 0.9, 0.85, 0.85, 0.9, 0.9, 0.95, 1, 1];

function pickKind(u: number): (typeof KINDS)[number] {
  let rest = u;
  for (const k of KINDS) {
    rest -= k.share;
    if (rest < 0) return k;
  }
  return KINDS[0]!;
}

export function* synthOrders(options: SynthOptions): Generator<SynthOrder> {
  const rnd = new Random(options.seed);
  const catalog = makeCatalog(options.catalogVariants, rnd);
  const popular = zipfSampler(catalog.length, 1.1, rnd);
  const start = Date.parse(`${options.start}T00:00:00Z`);
  const end = Date.parse(`${options.end}T00:00:00Z`) + DAY - 1;
  const span = end - start;
  let orderNumber = 1000;

  for (let i = 0; i < options.customers; i++) {
    const profile = pickKind(rnd.next());
    const firstName = rnd.pick(FIRST);
    const lastName = rnd.pick(LAST);
    const customer: SynthCustomer = {
      index: i,
      email: `${firstName}.${lastName}.${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ''),
      phone: `+1 555 ${String(1000000 + ((i * 7919) % 9000000)).slice(0, 3)} ${String(i % 10000).padStart(4, '0')}`,
      firstName,
      lastName,
      country: rnd.pick(COUNTRIES),
      kind: profile.kind,
    };
    const acquired =
      profile.kind === 'new'
        ? end - rnd.next() * 60 * DAY
        : profile.kind === 'lapsed'
          ? start + rnd.next() * span * 0.5
          : start + rnd.next() * span * 0.9;
    // Lapsed customers stop 4 to 10 months before the end of the data.
    const stop = profile.kind === 'lapsed' ? end - (120 + rnd.next() * 180) * DAY : end;
    let t = acquired;
    let first = true;
    while (t <= stop) {
      const month = new Date(t).getUTCMonth();
      if (first || rnd.chance(SEASON[month]!)) {
        yield makeOrder(orderNumber++, customer, t, end, profile.basket, catalog, popular, rnd);
      }
      first = false;
      if (!Number.isFinite(profile.gapDays)) break;
      t += Math.max(1, rnd.exponential(profile.gapDays)) * DAY;
    }
  }
}

const skuIndexes = new WeakMap<readonly Product[], Map<string, Product>>();
function skuIndex(catalog: readonly Product[]): Map<string, Product> {
  let index = skuIndexes.get(catalog);
  if (!index) {
    index = new Map(catalog.map((p) => [p.sku, p]));
    skuIndexes.set(catalog, index);
  }
  return index;
}

function makeOrder(
  number: number,
  customer: SynthCustomer,
  createdAt: number,
  end: number,
  basket: number,
  catalog: readonly Product[],
  popular: () => number,
  rnd: Random,
): SynthOrder {
  const lineCount = Math.max(1, Math.min(6, Math.round(rnd.exponential(basket - 0.5) + 0.5)));
  const lines: SynthLine[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < lineCount; k++) {
    const product = catalog[popular()]!;
    if (seen.has(product.sku)) continue;
    seen.add(product.sku);
    lines.push({ product, quantity: rnd.chance(0.85) ? 1 : rnd.int(2, 4) });
  }
  // Bought together: a third of the time an item's companion joins the basket.
  const bySku = skuIndex(catalog);
  for (const l of [...lines]) {
    const companion = l.product.companion ? bySku.get(l.product.companion) : undefined;
    if (companion && !seen.has(companion.sku) && rnd.chance(0.35)) {
      seen.add(companion.sku);
      lines.push({ product: companion, quantity: 1 });
    }
  }
  const subtotal = lines.reduce((a, l) => a + l.quantity * l.product.price, 0);
  const discount = rnd.chance(0.2) ? Math.round(subtotal * 0.1 * 100) / 100 : 0;
  const ageDays = (end - createdAt) / DAY;
  const u = rnd.next();
  let status: OrderStatus = ageDays > 2 ? 'shipped' : 'paid';
  let refund = 0;
  if (ageDays < 3 && u < 0.02) status = 'pending';
  else if (u < 0.05) status = 'cancelled';
  else if (u < 0.08) {
    status = 'refunded';
    refund = Math.round((subtotal - discount) * 100) / 100;
  } else if (u < 0.11) {
    status = 'partially_refunded';
    refund = Math.round(lines[0]!.product.price * 100) / 100;
  }
  const hour = 8 + rnd.next() * 15;
  const dayStart = Math.floor(createdAt / DAY) * DAY;
  return {
    number,
    customer,
    createdAt: dayStart + Math.floor(hour * 3_600_000),
    lines,
    status,
    discount,
    refund,
    shipping: subtotal >= 50 ? 0 : 5.9,
  };
}

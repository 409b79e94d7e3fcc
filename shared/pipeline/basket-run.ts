/**
 * The basket stage of the daily run: baskets of the last `basketWindowDays` days from the SQL tier,
 * association rules at SKU and at category level, and the "frequently bought together" bundles.
 */
import type { Config } from '../config.ts';
import { type BasketParams, type Bundle, bundlesFromRules, mineRules, type Rule } from '../models/basket.ts';
import type { RowOf } from '../schemas/table.ts';
import type { basketRules } from '../schemas/tables.ts';
import { addDays } from '../time.ts';
import type { Log } from './log.ts';

export interface BasketSummary {
  baskets: number;
  skuRules: number;
  categoryRules: number;
  bundles: number;
  seconds: number;
}

export interface BasketOutputs {
  rules: RowOf<typeof basketRules>[];
  bundles: Bundle[];
  summary: BasketSummary;
}

/** The settings the basket models read. */
export type BasketSettings = Pick<
  Config,
  'basketWindowDays' | 'basketMinSupport' | 'basketMinConfidence' | 'basketMinLift' | 'basketMaxLength'
>;

export const basketParams = (config: Omit<BasketSettings, 'basketWindowDays'>): BasketParams => ({
  minSupport: config.basketMinSupport,
  minConfidence: config.basketMinConfidence,
  minLift: config.basketMinLift,
  maxLength: config.basketMaxLength,
});

/**
 * Groups (basket, item) rows into one item list per basket, in first-seen order. A basket whose items
 * are all null (no category known) stays, empty: every order counts in N, as arules counts it.
 */
export function basketsOf(rows: readonly { basket: unknown; item: unknown }[]): string[][] {
  const byBasket = new Map<string, Set<string>>();
  for (const r of rows) {
    const key = String(r.basket);
    let set = byBasket.get(key);
    if (!set) {
      set = new Set();
      byBasket.set(key, set);
    }
    if (r.item !== null && r.item !== undefined) set.add(String(r.item));
  }
  return [...byBasket.values()].map((s) => [...s]);
}

const ruleRow =
  (level: RowOf<typeof basketRules>['level'], baskets: number) =>
  (r: Rule): RowOf<typeof basketRules> => ({
    level,
    antecedent: JSON.stringify(r.antecedent),
    antecedent_size: r.antecedent.length,
    consequent: r.consequent[0],
    support: r.support,
    confidence: r.confidence,
    lift: r.lift,
    leverage: r.leverage,
    conviction: r.conviction,
    count: r.count,
    baskets,
  });

/**
 * basketsOf for rows given column by column, for two item columns at once (SKUs and categories of
 * the same lines): the baskets are keyed once, and a basket's items are an array (a basket holds a
 * handful of items; a Set per basket costs more than it saves).
 */
export function basketsOfColumns(
  baskets: readonly string[],
  ...itemColumns: readonly (readonly (string | null)[])[]
): string[][][] {
  const index = new Map<string, number>();
  const rowBasket = new Int32Array(baskets.length);
  for (let i = 0; i < baskets.length; i++) {
    let k = index.get(baskets[i]!);
    if (k === undefined) {
      k = index.size;
      index.set(baskets[i]!, k);
    }
    rowBasket[i] = k;
  }
  return itemColumns.map((items) => {
    const out = Array.from({ length: index.size }, (): string[] => []);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const basket = out[rowBasket[i]!]!;
      if (item !== null && item !== undefined && !basket.includes(item)) basket.push(item);
    }
    return out;
  });
}

/** The basket lines of the window, column by column: the basket key, its SKU and category. */
export interface BasketLines {
  basket: readonly string[];
  sku: readonly string[];
  category: readonly (string | null)[];
}

export async function runBasketModels(
  readLines: (window: { as_of: string; since: string }) => Promise<BasketLines>,
  config: BasketSettings,
  asOf: string,
  log: Log,
): Promise<BasketOutputs> {
  const started = performance.now();
  const since = addDays(asOf, -config.basketWindowDays);
  const lines = await readLines({ as_of: asOf, since });
  const params = basketParams(config);
  // Every purchased order is a basket, also for categories (N is the same at both levels).
  const [skuBaskets = [], categoryBaskets = []] = basketsOfColumns(lines.basket, lines.sku, lines.category);
  log.info(
    `run ${asOf}: basket rules over ${skuBaskets.length} orders since ${since} ` +
      `(support >= ${params.minSupport}, confidence >= ${params.minConfidence}, lift >= ${params.minLift}, up to ${params.maxLength} items)`,
  );
  const sku = await mineRules(skuBaskets, params);
  const category = await mineRules(categoryBaskets, params);
  const bundleRows = bundlesFromRules(sku.rules);
  return {
    rules: [
      ...sku.rules.map(ruleRow('sku', sku.transactions)),
      ...category.rules.map(ruleRow('category', category.transactions)),
    ],
    bundles: bundleRows,
    summary: {
      baskets: sku.transactions,
      skuRules: sku.rules.length,
      categoryRules: category.rules.length,
      bundles: bundleRows.length,
      seconds: (performance.now() - started) / 1000,
    },
  };
}

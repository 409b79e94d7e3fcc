/**
 * Basket association rules, as the R package arules' `apriori` makes them: frequent itemsets over
 * transactions (the distinct items of an order), then every rule with one item on the right-hand
 * side whose support and confidence reach the thresholds (an empty left-hand side included, as
 * arules does). Frequent itemsets come from node-fpgrowth (FP-Growth, exact); rules and measures are
 * computed here. Measures follow arules: support = n(X∪Y)/N, confidence = n(X∪Y)/n(X),
 * lift = confidence / supp(Y), leverage = supp(X∪Y) − supp(X)·supp(Y),
 * conviction = (1 − supp(Y)) / (1 − confidence) (Infinity at confidence 1).
 */
import fpgrowth from 'node-fpgrowth';
import type { RowOf } from '../schemas/table.ts';
import type { bundles } from '../schemas/tables.ts';

export interface BasketParams {
  /** Share of transactions an itemset (antecedent ∪ consequent) must appear in. */
  minSupport: number;
  minConfidence: number;
  /** Rules below this lift are dropped (1: keep only rules better than chance would be 0). */
  minLift: number;
  /** Most items in a rule, antecedent and consequent together (arules maxlen). */
  maxLength: number;
}

export const DEFAULT_BASKET_PARAMS: BasketParams = {
  minSupport: 0.001,
  minConfidence: 0.5,
  minLift: 0,
  maxLength: 10,
};

export interface Rule {
  antecedent: string[];
  /** One item: a rule has one item on the right, as arules' apriori makes them. */
  consequent: [string];
  support: number;
  confidence: number;
  lift: number;
  leverage: number;
  conviction: number;
  count: number;
}

export interface BasketResult {
  transactions: number;
  frequentItemsets: number;
  rules: Rule[];
}

export function checkBasketParams(p: BasketParams): void {
  const bad = (what: string) => {
    throw new RangeError(what);
  };
  if (!(p.minSupport > 0 && p.minSupport <= 1)) bad(`min support must be in (0, 1], got ${p.minSupport}`);
  if (!(p.minConfidence >= 0 && p.minConfidence <= 1))
    bad(`min confidence must be in [0, 1], got ${p.minConfidence}`);
  if (!(p.minLift >= 0)) bad(`min lift must be >= 0, got ${p.minLift}`);
  if (!(Number.isInteger(p.maxLength) && p.maxLength >= 1))
    bad(`max length must be a whole number >= 1, got ${p.maxLength}`);
}

/** Order of rules in every output: lift, then confidence, then support, then the items (deterministic). */
export function compareRules(a: Rule, b: Rule): number {
  return (
    b.lift - a.lift ||
    b.confidence - a.confidence ||
    b.support - a.support ||
    a.antecedent.join('\u0000').localeCompare(b.antecedent.join('\u0000')) ||
    a.consequent[0].localeCompare(b.consequent[0])
  );
}

/**
 * Mines the rules of `transactions` (each a list of items; duplicates within one are ignored, as in
 * arules' itemMatrix). Empty transactions count in N, as arules counts them.
 */
export async function mineRules(
  transactions: readonly (readonly string[])[],
  params: BasketParams = DEFAULT_BASKET_PARAMS,
): Promise<BasketResult> {
  checkBasketParams(params);
  const n = transactions.length;
  if (n === 0) return { transactions: 0, frequentItemsets: 0, rules: [] };
  // Items are mined as small integers; labels are looked up at the end.
  const ids = new Map<string, number>();
  const labels: string[] = [];
  const encoded = transactions.map((t) => {
    const set = new Set<number>();
    for (const item of t) {
      let id = ids.get(item);
      if (id === undefined) {
        id = labels.length;
        ids.set(item, id);
        labels.push(item);
      }
      set.add(id);
    }
    return [...set];
  });
  const minCount = Math.ceil(params.minSupport * n - 1e-9);
  // node-fpgrowth compares counts with support × N; nudging the fraction keeps "at least minCount".
  const miner = new fpgrowth.FPGrowth<number>((minCount - 0.5) / n);
  const itemsets = (await miner.exec(encoded.filter((t) => t.length > 0))).filter(
    (s) => s.items.length <= params.maxLength && s.support >= minCount,
  );
  const countOf = new Map<string, number>();
  const key = (items: readonly number[]) => [...items].sort((a, b) => a - b).join(',');
  for (const s of itemsets) countOf.set(key(s.items), s.support);

  const rules: Rule[] = [];
  for (const s of itemsets) {
    const items = [...s.items].sort((a, b) => a - b);
    for (let k = 0; k < items.length; k++) {
      const consequent = items[k]!;
      const antecedent = items.filter((_, j) => j !== k);
      const nX = antecedent.length ? countOf.get(key(antecedent)) : n;
      const nY = countOf.get(String(consequent));
      // Subsets of a frequent itemset are frequent (and within maxLength), so both counts exist.
      if (nX === undefined || nY === undefined) continue;
      const confidence = s.support / nX;
      if (confidence < params.minConfidence) continue;
      const support = s.support / n;
      const suppY = nY / n;
      const lift = confidence / suppY;
      if (lift < params.minLift) continue;
      rules.push({
        antecedent: antecedent.map((i) => labels[i]!).sort(),
        consequent: [labels[consequent]!],
        support,
        confidence,
        lift,
        leverage: support - (nX / n) * suppY,
        conviction: confidence === 1 ? Number.POSITIVE_INFINITY : (1 - suppY) / (1 - confidence),
        count: s.support,
      });
    }
  }
  rules.sort(compareRules);
  return { transactions: n, frequentItemsets: itemsets.length, rules };
}

export type Bundle = RowOf<typeof bundles>;

/**
 * "Frequently bought together": for each item, the best `perItem` one-to-one rules {item} -> {other},
 * by lift then confidence.
 */
export function bundlesFromRules(rules: readonly Rule[], perItem = 3): Bundle[] {
  const byItem = new Map<string, Rule[]>();
  for (const r of rules) {
    if (r.antecedent.length !== 1) continue;
    const sku = r.antecedent[0]!;
    const list = byItem.get(sku) ?? [];
    list.push(r);
    byItem.set(sku, list);
  }
  const out: Bundle[] = [];
  for (const sku of [...byItem.keys()].sort()) {
    const best = byItem.get(sku)!.sort(compareRules).slice(0, perItem);
    for (const [i, r] of best.entries()) {
      out.push({
        sku,
        rank: i + 1,
        bundle_sku: r.consequent[0],
        confidence: r.confidence,
        lift: r.lift,
        support: r.support,
        count: r.count,
      });
    }
  }
  return out;
}

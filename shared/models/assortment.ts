/**
 * Assortment models of the catalogue (source article: ABC 分类, 波士顿矩阵):
 * - ABC-XYZ: SKUs by cumulative revenue share (A up to 80 %, B up to 95 %, C the rest) and by demand
 *   variability, the coefficient of variation of weekly units (X <= 0.5, Y <= 1.0, Z above).
 * - Boston matrix: market growth (revenue this window vs the previous one) against relative share
 *   (revenue over the category leader's; the leader's over the runner-up's), with the quadrant's action.
 */
import type { abc, bcg } from '../schemas/product-tables.ts';
import type { RowOf } from '../schemas/table.ts';

export interface SkuRevenue {
  sku: string;
  category: string | null;
  revenue: number;
  /** Units per week over the window, oldest first (weeks without sales are 0). */
  weeklyUnits: number[];
}

export interface AbcThresholds {
  a: number;
  b: number;
  x: number;
  y: number;
}

export const DEFAULT_ABC: AbcThresholds = { a: 0.8, b: 0.95, x: 0.5, y: 1.0 };

/** An abc row but its window_days: the caller knows the window the weekly units were summed over. */
export type AbcRow = Omit<RowOf<typeof abc>, 'window_days'>;

/** Coefficient of variation (population standard deviation over mean); null when the mean is 0. */
export function coefficientOfVariation(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean === 0) return null;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

/**
 * ABC by the cumulative share of revenue, largest first; a SKU is A while the share before it is
 * below the A cut-off (so the SKU that crosses 80 % is still A), as the Pareto rule is usually applied.
 */
export function abcXyz(skus: readonly SkuRevenue[], t: AbcThresholds = DEFAULT_ABC): AbcRow[] {
  const sorted = [...skus].sort((p, q) => q.revenue - p.revenue || p.sku.localeCompare(q.sku));
  const total = sorted.reduce((a, s) => a + Math.max(0, s.revenue), 0);
  let before = 0;
  return sorted.map((s) => {
    const share = total > 0 ? Math.max(0, s.revenue) / total : 0;
    const abc = before < t.a ? 'A' : before < t.b ? 'B' : 'C';
    before += share;
    const cv = coefficientOfVariation(s.weeklyUnits);
    const xyz = cv !== null && cv <= t.x ? 'X' : cv !== null && cv <= t.y ? 'Y' : 'Z';
    return {
      sku: s.sku,
      category: s.category,
      revenue: s.revenue,
      share,
      cumulative_share: before,
      abc_class: abc,
      units: s.weeklyUnits.reduce((a, b) => a + b, 0),
      weekly_cv: cv,
      xyz_class: xyz,
      abc_xyz: `${abc}-${xyz}`,
    };
  });
}

export type Quadrant = RowOf<typeof bcg>['quadrant'];

export const QUADRANT_ACTION: Record<Quadrant, string> = {
  star: 'invest: keep it in stock, feature it, defend its lead',
  cash_cow: 'harvest: protect margin, spend little on promotion',
  question_mark: 'test: promote selectively, keep it only if it gains share',
  dog: 'phase out: clear the stock, delist unless it anchors a bundle',
};

export interface BcgThresholds {
  /** Growth at or above this is "high" (0.1 = 10 % over the previous window). */
  growth: number;
  /** Relative share at or above this is "high" (1 = as large as the category leader). */
  relativeShare: number;
}

export const DEFAULT_BCG: BcgThresholds = { growth: 0.1, relativeShare: 1 };

export interface BcgInput {
  key: string;
  /** The group the share is relative within (the SKU's category; one group for categories). */
  group: string;
  revenue: number;
  previousRevenue: number;
  /** Revenue of the same window a year earlier, when the history reaches back that far. */
  lastYearRevenue: number | null;
}

/** A bcg row but its level: a matrix is of SKUs or of categories, and the caller says which. */
export type BcgRow = Omit<RowOf<typeof bcg>, 'level'>;

export function bostonMatrix(items: readonly BcgInput[], t: BcgThresholds = DEFAULT_BCG): BcgRow[] {
  const byGroup = new Map<string, BcgInput[]>();
  for (const i of items) byGroup.set(i.group, [...(byGroup.get(i.group) ?? []), i]);
  const out: BcgRow[] = [];
  for (const group of [...byGroup.keys()].sort()) {
    const members = byGroup.get(group)!.sort((p, q) => q.revenue - p.revenue || p.key.localeCompare(q.key));
    const leader = members[0]!;
    const runnerUp = members[1];
    for (const m of members) {
      // The leader's share is relative to the runner-up; everyone else's to the leader.
      const against = m === leader ? runnerUp?.revenue : leader.revenue;
      const relative = against && against > 0 ? m.revenue / against : m === leader ? null : 0;
      const growth = m.previousRevenue > 0 ? m.revenue / m.previousRevenue - 1 : null;
      const yoy = m.lastYearRevenue && m.lastYearRevenue > 0 ? m.revenue / m.lastYearRevenue - 1 : null;
      // A SKU new this window (no previous revenue) counts as growing.
      const highGrowth = growth === null ? m.revenue > 0 : growth >= t.growth;
      const highShare = relative === null ? true : relative >= t.relativeShare;
      const quadrant: Quadrant = highGrowth
        ? highShare
          ? 'star'
          : 'question_mark'
        : highShare
          ? 'cash_cow'
          : 'dog';
      out.push({
        item: m.key,
        peer_group: group,
        revenue: m.revenue,
        previous_revenue: m.previousRevenue,
        growth,
        yoy_growth: yoy,
        relative_share: relative,
        quadrant,
        action: QUADRANT_ACTION[quadrant],
      });
    }
  }
  return out;
}

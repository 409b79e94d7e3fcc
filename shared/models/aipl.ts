/**
 * Alibaba's AIPL customer stages and the FAST and GROW indicators built on them, from orders alone
 * (the lake has no behaviour events yet, so "aware" cannot be observed and is 0):
 * - AIPL stage of a customer as of the run date: `loyal` = two or more purchase days in the last
 *   365 days; `purchased` = at least one purchase (ever) otherwise; `interested` = placed orders but
 *   never completed a purchase (pending or cancelled only).
 * - FAST: F (fertility) population size A+I+P+L; A (advancing) share of yesterday's I and P customers
 *   who moved up a stage (null without yesterday's run); S (superiority) super users = loyal
 *   customers whose spend is in the RFM "high" half (m_high); T (thriving) active-member rate = share
 *   of purchasing customers (P+L) who bought in the last 30 days.
 * - GROW: G (gain) new buyers in the last 30 days per purchasing customer; R (retain) share of the
 *   previous 30 days' buyers who bought again in the last 30; O (boost) spend per buyer, last 30 days
 *   over the previous 30; W (widen) share of the last 30 days' buyers who bought a category new to them.
 * Sources: Alibaba (Tmall) Strategy Center, "FAST" and "GROW" consumer-operations indicators (2019),
 * as summarised in the source article's data-driven models section.
 */
import type { RowOf } from '../schemas/table.ts';
import type { aipl, fast, grow } from '../schemas/tables.ts';

export type AiplStage = RowOf<typeof aipl>['stage'];
const RANK: Record<AiplStage, number> = { aware: 0, interested: 1, purchased: 2, loyal: 3 };

export interface CustomerFeatures {
  customer_id: string;
  orders: number;
  first_purchase_dt: string | null;
  purchase_days: number;
  purchase_days_365: number;
  purchase_days_30: number;
  purchase_days_prev30: number;
  spend_30: number;
  spend_prev30: number;
  new_categories_30: number;
}

export const aiplStage = (c: CustomerFeatures): AiplStage =>
  c.purchase_days_365 >= 2
    ? 'loyal'
    : c.purchase_days > 0
      ? 'purchased'
      : c.orders > 0
        ? 'interested'
        : 'aware';

export type FastRow = RowOf<typeof fast>;
export type GrowRow = RowOf<typeof grow>;

/** The features column by column, one entry per customer. */
export type FeatureColumns = {
  readonly customer_id: readonly string[];
  readonly first_purchase_dt: readonly (string | null)[];
} & {
  readonly [K in Exclude<keyof CustomerFeatures, 'customer_id' | 'first_purchase_dt'>]: ArrayLike<number>;
};

/**
 * AIPL stages, FAST and GROW of customers given column by column: a stage per customer (the
 * stage's name, not an object) and one pass of counts.
 */
export function fastAndGrowColumns(
  c: FeatureColumns,
  d30: string,
  opts: { previousStages?: ReadonlyMap<string, AiplStage>; highSpenders?: ReadonlySet<string> } = {},
): { stages: { customer_id: readonly string[]; stage: AiplStage[] }; fast: FastRow; grow: GrowRow } {
  const n = c.customer_id.length;
  const {
    orders,
    purchase_days: days,
    purchase_days_365: days365,
    purchase_days_30: days30,
    purchase_days_prev30: daysPrev,
    spend_30: spend30s,
    spend_prev30: spendPrevs,
    new_categories_30: newCategories,
  } = c;
  const stage = new Array<AiplStage>(n);
  const counts: Record<AiplStage, number> = { aware: 0, interested: 0, purchased: 0, loyal: 0 };
  let advanced = 0;
  let candidates = 0;
  let superUsers = 0;
  let purchasers = 0;
  let gained = 0;
  let buyers30 = 0;
  let buyersPrev = 0;
  let retained = 0;
  let widened = 0;
  let spend30 = 0;
  let spendPrev = 0;
  for (let i = 0; i < n; i++) {
    const s: AiplStage =
      days365[i]! >= 2 ? 'loyal' : days[i]! > 0 ? 'purchased' : orders[i]! > 0 ? 'interested' : 'aware';
    stage[i] = s;
    counts[s]++;
    const id = c.customer_id[i]!;
    const before = opts.previousStages?.get(id);
    if (before === 'interested' || before === 'purchased') {
      candidates++;
      if (RANK[s] > RANK[before]) advanced++;
    }
    if (s === 'loyal' && opts.highSpenders?.has(id)) superUsers++;
    if (days[i]! > 0) {
      purchasers++;
      const first = c.first_purchase_dt[i];
      if (first !== null && first !== undefined && first > d30) gained++;
    }
    if (days30[i]! > 0) {
      buyers30++;
      spend30 += spend30s[i]!;
      if (newCategories[i]! > 0) widened++;
    }
    if (daysPrev[i]! > 0) {
      buyersPrev++;
      spendPrev += spendPrevs[i]!;
      if (days30[i]! > 0) retained++;
    }
  }
  const ratio = (a: number, b: number) => (b ? a / b : 0);
  const fast: FastRow = {
    population: n,
    ...counts,
    advance_rate: opts.previousStages ? ratio(advanced, candidates) : null,
    super_users: superUsers,
    active_member_rate: ratio(buyers30, purchasers),
  };
  const grow: GrowRow = {
    gain: ratio(gained, purchasers),
    retain: ratio(retained, buyersPrev),
    boost: buyers30 && buyersPrev && spendPrev ? spend30 / buyers30 / (spendPrev / buyersPrev) : null,
    widen: ratio(widened, buyers30),
  };
  return { stages: { customer_id: c.customer_id, stage }, fast, grow };
}

/** fastAndGrowColumns of customers given as rows. */
export function fastAndGrow(
  customers: readonly CustomerFeatures[],
  d30: string,
  opts: { previousStages?: ReadonlyMap<string, AiplStage>; highSpenders?: ReadonlySet<string> } = {},
): { stages: { customer_id: string; stage: AiplStage }[]; fast: FastRow; grow: GrowRow } {
  const column = <K extends keyof CustomerFeatures>(k: K) => customers.map((c) => c[k]);
  const r = fastAndGrowColumns(
    {
      customer_id: column('customer_id'),
      orders: column('orders'),
      first_purchase_dt: column('first_purchase_dt'),
      purchase_days: column('purchase_days'),
      purchase_days_365: column('purchase_days_365'),
      purchase_days_30: column('purchase_days_30'),
      purchase_days_prev30: column('purchase_days_prev30'),
      spend_30: column('spend_30'),
      spend_prev30: column('spend_prev30'),
      new_categories_30: column('new_categories_30'),
    },
    d30,
    opts,
  );
  return {
    stages: r.stages.stage.map((stage, i) => ({ customer_id: r.stages.customer_id[i]!, stage })),
    fast: r.fast,
    grow: r.grow,
  };
}

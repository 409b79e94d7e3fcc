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
export type AiplStage = 'aware' | 'interested' | 'purchased' | 'loyal';
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

export interface FastRow {
  population: number;
  aware: number;
  interested: number;
  purchased: number;
  loyal: number;
  advance_rate: number | null;
  super_users: number;
  active_member_rate: number;
}

export interface GrowRow {
  gain: number;
  retain: number;
  boost: number | null;
  widen: number;
}

export function fastAndGrow(
  customers: readonly CustomerFeatures[],
  d30: string,
  opts: { previousStages?: ReadonlyMap<string, AiplStage>; highSpenders?: ReadonlySet<string> } = {},
): { stages: { customer_id: string; stage: AiplStage }[]; fast: FastRow; grow: GrowRow } {
  const stages = customers.map((c) => ({ customer_id: c.customer_id, stage: aiplStage(c) }));
  const count = (s: AiplStage) => stages.filter((x) => x.stage === s).length;
  let advanced = 0;
  let candidates = 0;
  if (opts.previousStages) {
    for (const s of stages) {
      const before = opts.previousStages.get(s.customer_id);
      if (before === 'interested' || before === 'purchased') {
        candidates++;
        if (RANK[s.stage] > RANK[before]) advanced++;
      }
    }
  }
  const purchasers = customers.filter((c) => c.purchase_days > 0);
  const buyers30 = customers.filter((c) => c.purchase_days_30 > 0);
  const buyersPrev = customers.filter((c) => c.purchase_days_prev30 > 0);
  const spend30 = buyers30.reduce((a, c) => a + c.spend_30, 0);
  const spendPrev = buyersPrev.reduce((a, c) => a + c.spend_prev30, 0);
  const ratio = (a: number, b: number) => (b ? a / b : 0);
  const fast: FastRow = {
    population: stages.length,
    aware: count('aware'),
    interested: count('interested'),
    purchased: count('purchased'),
    loyal: count('loyal'),
    advance_rate: opts.previousStages ? ratio(advanced, candidates) : null,
    super_users: stages.filter((s) => s.stage === 'loyal' && opts.highSpenders?.has(s.customer_id)).length,
    active_member_rate: ratio(buyers30.length, purchasers.length),
  };
  const grow: GrowRow = {
    gain: ratio(
      purchasers.filter((c) => c.first_purchase_dt !== null && c.first_purchase_dt > d30).length,
      purchasers.length,
    ),
    retain: ratio(buyersPrev.filter((c) => c.purchase_days_30 > 0).length, buyersPrev.length),
    boost:
      buyers30.length && buyersPrev.length && spendPrev
        ? spend30 / buyers30.length / (spendPrev / buyersPrev.length)
        : null,
    widen: ratio(buyers30.filter((c) => c.new_categories_30 > 0).length, buyers30.length),
  };
  return { stages, fast, grow };
}

/**
 * AARRR lifecycle (source article §二.1 用户生命周期模型): acquisition, activation, retention, revenue,
 * referral. Cohorts are first-purchase months; the matrix is filled with zero-activity months up to
 * the as-of month, so cumulative revenue per customer is continuous.
 */
import type { RowOf } from '../schemas/table.ts';
import type { aarrrCohorts, aarrrDaily } from '../schemas/tables.ts';

export interface CohortActivity {
  cohort_month: string;
  month_index: number;
  cohort_customers: number;
  active_customers: number;
  revenue: number;
}

export type CohortRow = RowOf<typeof aarrrCohorts>;

const monthsBetween = (from: string, to: string): number =>
  (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 +
  Number(to.slice(5, 7)) -
  Number(from.slice(5, 7));

export function cohortMatrix(activity: readonly CohortActivity[], asOf: string): CohortRow[] {
  const byCohort = new Map<string, Map<number, CohortActivity>>();
  for (const a of activity) {
    const m = byCohort.get(a.cohort_month) ?? new Map<number, CohortActivity>();
    m.set(a.month_index, a);
    byCohort.set(a.cohort_month, m);
  }
  const rows: CohortRow[] = [];
  for (const cohort of [...byCohort.keys()].sort()) {
    const months = byCohort.get(cohort)!;
    const size = [...months.values()][0]!.cohort_customers;
    let cumulative = 0;
    for (let i = 0; i <= monthsBetween(cohort, asOf.slice(0, 7)); i++) {
      const a = months.get(i) ?? {
        cohort_month: cohort,
        month_index: i,
        cohort_customers: size,
        active_customers: 0,
        revenue: 0,
      };
      cumulative += a.revenue;
      rows.push({
        ...a,
        retention_pct: size ? (100 * a.active_customers) / size : 0,
        cumulative_revenue_per_customer: size ? cumulative / size : 0,
      });
    }
  }
  return rows;
}

export interface DailyActivity {
  date: string;
  source: string;
  channel: string;
  new_customers: number;
  activated_customers: number;
  buyers: number;
  repeat_buyers: number;
  paid_orders: number;
  revenue: number;
  referral_customers: number;
  has_referrals: number;
}

export type DailyRow = RowOf<typeof aarrrDaily>;

/**
 * One row per day, source and channel. Referral figures are null for a source whose exports carry no
 * referral / group-buy id. K-factor here is the day's referred new customers per buyer that day.
 */
export function dailyLifecycle(activity: readonly DailyActivity[]): DailyRow[] {
  return [...activity]
    .sort(
      (a, b) =>
        a.date.localeCompare(b.date) ||
        a.source.localeCompare(b.source) ||
        a.channel.localeCompare(b.channel),
    )
    .map(({ has_referrals, referral_customers, ...a }) => ({
      ...a,
      arpu: a.buyers ? a.revenue / a.buyers : 0,
      referral_customers: has_referrals ? referral_customers : null,
      k_factor: has_referrals ? (a.buyers ? referral_customers / a.buyers : 0) : null,
    }));
}

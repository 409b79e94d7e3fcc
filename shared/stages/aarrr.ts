/** AARRR: the cohort matrix and the daily lifecycle (shared/models/aarrr.ts), aggregated in SQL. */
import { cohortMatrix, dailyLifecycle } from '../models/aarrr.ts';
import { cohortsSection } from '../report/sections/cohorts.ts';
import { aarrrCohorts, aarrrDaily } from '../schemas/tables.ts';
import { query } from './row-shape.ts';
import { columnsOf, defineStage } from './stage.ts';

const cohortActivity = query('aarrr_cohort_activity', {
  cohort_month: 'string',
  month_index: 'int',
  cohort_customers: 'int',
  active_customers: 'int',
  revenue: 'double',
});
const dailyActivity = query('aarrr_daily_activity', {
  date: 'date',
  source: 'string',
  channel: 'string',
  new_customers: 'int',
  activated_customers: 'int',
  buyers: 'int',
  repeat_buyers: 'int',
  paid_orders: 'int',
  revenue: 'double',
  referral_customers: 'int',
  has_referrals: 'int',
});

export const aarrrStage = defineStage({
  name: 'aarrr',
  doc: 'AARRR cohorts (retention and revenue by first-purchase month) and daily lifecycle counts.',
  queries: [cohortActivity, dailyActivity],
  reads: [],
  writes: [aarrrCohorts, aarrrDaily],
  settings: [],
  memoryMb: 2048,
  timeoutSeconds: 900,
  report: [cohortsSection],
  async run(ctx) {
    ctx.log.info(`run ${ctx.asOf}: AARRR`);
    const cohorts = cohortMatrix(await ctx.rows(cohortActivity, { as_of: ctx.asOf }), ctx.asOf);
    const daily = dailyLifecycle(await ctx.rows(dailyActivity, { as_of: ctx.asOf }));
    return {
      tables: {
        aarrr_cohorts: columnsOf(aarrrCohorts, cohorts),
        aarrr_daily: columnsOf(aarrrDaily, daily),
      },
      summary: { cohortRows: cohorts.length, dailyRows: daily.length },
    };
  },
});

/**
 * Churn recall (shared/alerts/churn-recall.ts): valuable customers going to sleep, from today's RFM
 * and CLV partitions, less those recalled within the cooldown.
 */
import { type ChurnRecallAlert, churnRecallAlerts } from '../alerts/churn-recall.ts';
import type { ClvRow } from '../models/clv.ts';
import type { RfmRow } from '../models/rfm.ts';
import { churnRecall, clv, rfm } from '../schemas/tables.ts';
import { addDays } from '../time.ts';
import { arrowRows } from './arrow-rows.ts';
import { query } from './row-shape.ts';
import { columnsOf, defineStage } from './stage.ts';

const recentlyRecalled = query('recently_recalled', { customer_id: 'string' });
const todaysRfm = { table: rfm, day: 'run' } as const;
const todaysClv = { table: clv, day: 'run' } as const;

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export const churnRecallStage = defineStage({
  name: 'churn_recall',
  doc: 'The churn-recall alerts: valuable customers whose segment turned to sleeping or whose P(alive) fell.',
  queries: [recentlyRecalled],
  reads: [todaysRfm, todaysClv],
  writes: [churnRecall],
  settings: ['cooldownDays', 'recallTopShare', 'recallPAliveThreshold'],
  async run(ctx) {
    const { asOf, settings } = ctx;
    const rows = arrowRows((await ctx.read(todaysRfm))!) as unknown as RfmRow[];
    const clvRows = arrowRows((await ctx.read(todaysClv))!) as unknown as ClvRow[];
    const means = {
      recency_days: mean(rows.map((r) => r.recency_days)),
      frequency: mean(rows.map((r) => r.frequency)),
      monetary: mean(rows.map((r) => r.monetary)),
    };
    const recent = await ctx.rows(recentlyRecalled, {
      as_of: asOf,
      since: addDays(asOf, -settings.cooldownDays),
    });
    const recalled = new Set(recent.map((r) => r.customer_id));
    const byId = new Map(clvRows.map((r) => [r.customer_id, r]));
    const options = {
      means,
      clv: byId,
      topShare: settings.recallTopShare,
      pAliveThreshold: settings.recallPAliveThreshold,
    };
    const alerts: ChurnRecallAlert[] = churnRecallAlerts(rows, { ...options, recentlyRecalled: recalled });
    const alerted = new Set(alerts.map((a) => a.customer_id));
    const suppressed = churnRecallAlerts(rows, { ...options, recentlyRecalled: new Set() }).filter(
      (a) => !alerted.has(a.customer_id),
    ).length;
    return {
      tables: new Map([[churnRecall, columnsOf(churnRecall, alerts)]]),
      summary: { alerts: alerts.length, suppressedByCooldown: suppressed, top: alerts.slice(0, 5) },
    };
  },
});

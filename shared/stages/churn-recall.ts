/**
 * Churn recall (shared/alerts/churn-recall.ts): valuable customers going to sleep, from today's RFM
 * and CLV partitions, less those recalled within the cooldown. The partitions are read column by
 * column; only the customers who could be alerted (valuable, and asleep by segment or P(alive))
 * become rows.
 */
import {
  churnRecallAlerts,
  RECALL_CLV_COLUMNS,
  RECALL_RFM_COLUMNS,
  RECALL_SEGMENTS,
  type RecallClv,
  type RecallRfm,
  topValueCustomers,
} from '../alerts/churn-recall.ts';
import { recallListKey } from '../lake/keys.ts';
import { recallSection } from '../report/sections/recall.ts';
import { churnRecall, clv, rfm, type Segment } from '../schemas/tables.ts';
import { addDays } from '../time.ts';
import { arrowColumns } from './arrow-rows.ts';
import { query } from './row-shape.ts';
import { columnsOf, defineStage } from './stage.ts';

const recentlyRecalled = query('recently_recalled', { customer_id: 'string' });
const todaysRfm = { table: rfm, day: 'run' } as const;
const todaysClv = { table: clv, day: 'run' } as const;

/** The mean of a column, added in row order (as computeRfm adds it). */
const mean = (xs: readonly unknown[]): number => {
  let total = 0;
  for (const x of xs) total += x as number;
  return xs.length ? total / xs.length : 0;
};

const rowAt = <K extends string>(columns: Record<K, unknown[]>, names: readonly K[], i: number) =>
  Object.fromEntries(names.map((n) => [n, columns[n][i]]));

export const churnRecallStage = defineStage({
  name: 'churn_recall',
  doc: 'The churn-recall alerts: valuable customers whose segment turned to sleeping or whose P(alive) fell.',
  queries: [recentlyRecalled],
  reads: [todaysRfm, todaysClv],
  writes: [churnRecall],
  settings: ['cooldownDays', 'recallTopShare', 'recallPAliveThreshold'],
  memoryMb: 2048,
  timeoutSeconds: 900,
  report: [recallSection],
  async run(ctx) {
    const { asOf, settings } = ctx;
    const r = arrowColumns((await ctx.read(todaysRfm))!, RECALL_RFM_COLUMNS);
    const c = arrowColumns((await ctx.read(todaysClv))!, RECALL_CLV_COLUMNS);
    const means = {
      recency_days: mean(r.recency_days),
      frequency: mean(r.frequency),
      monetary: mean(r.monetary),
    };
    const clvIds = c.customer_id as string[];
    const topValue = topValueCustomers(clvIds, c.clv_12m as number[], settings.recallTopShare);
    const clvIndex = new Map(clvIds.map((id, i) => [id, i]));
    // Only a valuable customer asleep by segment or by P(alive) can be alerted.
    const candidates: RecallRfm[] = [];
    const models = new Map<string, RecallClv>();
    const ids = r.customer_id as string[];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const k = clvIndex.get(id);
      const valuable = r.m_high[i] === true || topValue.has(id);
      const asleep =
        RECALL_SEGMENTS.has(r.segment[i] as Segment) ||
        (k !== undefined && (c.p_alive[k] as number) < settings.recallPAliveThreshold);
      if (!valuable || !asleep) continue;
      candidates.push(rowAt(r, RECALL_RFM_COLUMNS, i) as RecallRfm);
      if (k !== undefined) models.set(id, rowAt(c, RECALL_CLV_COLUMNS, k) as RecallClv);
    }
    const recent = await ctx.rows(recentlyRecalled, {
      as_of: asOf,
      since: addDays(asOf, -settings.cooldownDays),
    });
    const options = {
      means,
      clv: models,
      topValue,
      topShare: settings.recallTopShare,
      pAliveThreshold: settings.recallPAliveThreshold,
    };
    const alerts = churnRecallAlerts(candidates, {
      ...options,
      recentlyRecalled: new Set(recent.map((x) => x.customer_id)),
    });
    const alerted = new Set(alerts.map((a) => a.customer_id));
    const suppressed = churnRecallAlerts(candidates, { ...options, recentlyRecalled: new Set() }).filter(
      (a) => !alerted.has(a.customer_id),
    ).length;
    return {
      tables: { churn_recall: columnsOf(churnRecall, alerts) },
      summary: { alerts: alerts.length, suppressedByCooldown: suppressed, top: alerts.slice(0, 5) },
    };
  },
  describe: (s, { asOf }) => [
    `Churn recall: ${s.alerts} alert(s)` +
      (s.suppressedByCooldown ? `, ${s.suppressedByCooldown} already recalled within the cooldown` : '') +
      // The run's second step writes the list of these alerts, with contact details, at this key.
      `; CRM list: ${recallListKey(asOf)}`,
    ...(s.top.length
      ? [
          {
            columns: ['customer_id', 'segment', 'last_order_date', 'monetary', 'offer'],
            rows: s.top.map((a) => ({ ...a, monetary: Math.round(a.monetary * 100) / 100 })),
          },
        ]
      : []),
  ],
});

/**
 * The churn_recall stage's section: churn recall as open items, today's alerts (new) and the
 * customers alerted within the cooldown who have not bought since (still open). One who bought
 * again is resolved; "resolved" counts those whose new purchase came after the previous run.
 */
import { recallListKey } from '../../lake/keys.ts';
import type { RowOf } from '../../schemas/table.ts';
import { churnRecall, rfm } from '../../schemas/tables.ts';
import { addDays } from '../../time.ts';
import { esc, table } from '../format.ts';
import { renderReason, SEGMENT_NAMES } from '../labels.ts';
import {
  type ItemStatus,
  listsByDate,
  type OpenList,
  openSplit,
  openSummary,
  statusTag,
} from '../open-items.ts';
import { partitionDates } from '../rows.ts';
import { defineSection } from '../section.ts';

/** How many open items the page shows; the rest are in the CSV lists it links. */
const SHOWN_ROWS = 15;

const EN = {
  recall: 'Churn recall: valuable customers going to sleep',
  recallOpen: 'Churn recall: open',
  customer: 'Customer',
  segment: 'Segment',
  lastOrder: 'Last order',
  spend: 'Spend',
  pAlive: 'P(alive)',
  valueAtRisk: 'Value at risk',
  offer: 'Offer',
  byValueAtRisk: 'value at risk',
};
const ZH: typeof EN = {
  recall: '流失召回：即将沉睡的高价值客户',
  recallOpen: '流失召回：待处理',
  customer: '客户',
  segment: '分层',
  lastOrder: '最近下单',
  spend: '累计消费',
  pAlive: '存活概率',
  valueAtRisk: '风险价值',
  offer: '召回策略',
  byValueAtRisk: '风险价值',
};

/** Recall offers by segment in Chinese (shared/alerts/churn-recall.ts writes the English ones). */
const OFFERS_ZH: Record<string, string> = {
  important_value: 'VIP 关怀电话：新季抢先购，无需折扣',
  important_development: '会员升级：下单积分加倍',
  important_retention: 'VIP 召回：专属私信附会员礼品',
  important_winback: '折扣召回：常购品类限时优惠券',
  '': '唤醒：专属私信附限时优惠',
};

/** An alert's row as the page shows it, with its status and the run that raised it. */
export type RecallItem = Pick<
  RowOf<typeof churnRecall>,
  | 'customer_id'
  | 'segment'
  | 'last_order_date'
  | 'monetary'
  | 'p_alive'
  | 'value_at_risk'
  | 'reason'
  | 'offer'
> & {
  status: ItemStatus;
  /** The run that raised the alert. */
  alerted: string;
};

const recallItem = (r: RowOf<typeof churnRecall>, status: ItemStatus, alerted: string): RecallItem => ({
  customer_id: r.customer_id,
  segment: r.segment,
  last_order_date: r.last_order_date,
  monetary: r.monetary,
  p_alive: r.p_alive,
  value_at_risk: r.value_at_risk,
  reason: r.reason,
  offer: r.offer,
  status,
  alerted,
});

export const recallSection = defineSection({
  id: 'recall',
  placement: 'alerts',
  labels: { en: EN, zh: ZH },
  title: (page) => page.labels.recall,
  async gather({ lake, asOf, previousAsOf, settings, partition }): Promise<OpenList<RecallItem>> {
    const today = (await partition(churnRecall, asOf)).map((r) => recallItem(r, 'new', asOf));
    const todayIds = new Set(today.map((r) => r.customer_id));
    const earlier = new Map<string, RecallItem>();
    for (const d of await partitionDates(lake, churnRecall, addDays(asOf, -settings.cooldownDays), asOf)) {
      for (const r of await partition(churnRecall, d)) {
        if (!todayIds.has(r.customer_id)) earlier.set(r.customer_id, recallItem(r, 'open', d));
      }
    }
    const lastOrder = new Map((await partition(rfm, asOf)).map((r) => [r.customer_id, r.last_order_date]));
    const stillOpen: RecallItem[] = [];
    let resolved = 0;
    for (const item of earlier.values()) {
      const last = lastOrder.get(item.customer_id);
      if (last !== undefined && last > item.last_order_date) {
        if (previousAsOf === null || last > previousAsOf) resolved++;
      } else stillOpen.push(item);
    }
    const open = [...today, ...stillOpen].sort(
      (a, b) => (b.value_at_risk ?? 0) - (a.value_at_risk ?? 0) || b.monetary - a.monetary,
    );
    return {
      rows: open.slice(0, SHOWN_ROWS),
      open: open.length,
      newToday: today.length,
      stillOpen: stillOpen.length,
      resolved,
      lists: listsByDate(
        open.map((item) => item.alerted),
        recallListKey,
      ),
    };
  },
  render(recall, { labels: L, format: f, language, hrefs }) {
    if (recall.open + recall.resolved === 0) return null;
    const segmentName = (s: string) => SEGMENT_NAMES[language][s] ?? s;
    const offer = (segment: string) => (language === 'zh' ? (OFFERS_ZH[segment] ?? OFFERS_ZH['']!) : null);
    return (
      openSummary(recall, L, L.byValueAtRisk, hrefs) +
      (recall.rows.length
        ? table(
            [
              { header: L.customer, nowrap: true },
              { header: L.segment },
              { header: L.status, nowrap: true },
              { header: L.lastOrder, nowrap: true },
              { header: L.spend, numeric: true },
              { header: L.pAlive, numeric: true },
              { header: L.valueAtRisk, numeric: true },
              { header: L.reason, wide: true },
              { header: L.offer, wide: true },
            ],
            recall.rows.map((r) => [
              `<span class="sku">${esc(r.customer_id.slice(0, 12))}</span>`,
              esc(segmentName(r.segment)),
              statusTag(r, L),
              esc(r.last_order_date),
              esc(f.money(r.monetary)),
              r.p_alive === null ? '—' : r.p_alive.toFixed(2),
              r.value_at_risk === null ? '—' : esc(f.money(r.value_at_risk)),
              esc(renderReason(r.reason, language, f.money)),
              esc(offer(r.segment) ?? r.offer),
            ]),
          )
        : `<p class="empty">${esc(L.noneOpen)}</p>`)
    );
  },
  cards: (recall, { labels: L, format: f }) => [
    { label: L.recallOpen, value: f.count(recall.open), sub: openSplit(recall, L) },
  ],
  links: (recall) => recall.lists.map((l) => l.key),
});

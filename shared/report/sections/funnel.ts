/**
 * The funnel stage's section: the traffic funnel with today's most significant breakpoint (else the
 * busiest) and the order funnel of all channels, counts and step conversion on the bars, the
 * breakpoint in red.
 */
import type { RowOf } from '../../schemas/table.ts';
import { funnel } from '../../schemas/tables.ts';
import { chartCanvas, esc } from '../format.ts';
import type { Language } from '../labels.ts';
import { defineSection } from '../section.ts';

const EN = {
  funnels: 'Funnels (breakpoint in red)',
  trafficFunnel: 'Traffic funnel',
  orderFunnel: 'Order funnel, all channels',
  conversion: 'conversion',
  breakpoint: 'breakpoint',
  belowBaseline: 'below its 28-day baseline',
  noBreakpoint: 'No significant breakpoint today.',
  count: 'Count',
};
const ZH: typeof EN = {
  funnels: '转化漏斗（红色为断点）',
  trafficFunnel: '流量漏斗',
  orderFunnel: '订单漏斗（全部渠道）',
  conversion: '转化率',
  breakpoint: '断点',
  belowBaseline: '低于其 28 天基线',
  noBreakpoint: '今日无显著断点。',
  count: '数量',
};

const FUNNEL_STEPS: Record<Language, Record<string, string>> = {
  en: {
    impressions: 'impressions',
    visits: 'visits',
    page_views: 'page views',
    add_to_cart: 'add to cart',
    orders: 'orders',
    paid_orders: 'paid orders',
    created: 'created',
    paid: 'paid',
    shipped: 'shipped',
    completed: 'completed',
    cancelled: 'cancelled',
    refunded: 'refunded',
  },
  zh: {
    impressions: '曝光',
    visits: '访问',
    page_views: '浏览',
    add_to_cart: '加购',
    orders: '下单',
    paid_orders: '支付',
    created: '创建',
    paid: '已付款',
    shipped: '已发货',
    completed: '已完成',
    cancelled: '已取消',
    refunded: '已退款',
  },
};

export interface FunnelStep {
  step: string;
  count: number;
  conversion: number | null;
  breakpoint: boolean;
  drop: number | null;
}

export interface Funnels {
  traffic: { channel: string; sku: string | null; name: string | null; steps: FunnelStep[] } | null;
  orders: { steps: FunnelStep[] } | null;
}

type FunnelRow = RowOf<typeof funnel>;

/** The steps of one funnel in order; the leakage rows (cancelled, refunded) have no place in it. */
function funnelSteps(rows: readonly FunnelRow[]): FunnelStep[] {
  return rows
    .filter((r): r is FunnelRow & { step_index: number } => r.step_index !== null)
    .sort((a, b) => a.step_index - b.step_index)
    .map((r) => ({
      step: r.step,
      count: r.count,
      conversion: r.step_conversion,
      breakpoint: r.is_breakpoint && r.significant,
      drop:
        r.baseline_conversion && r.step_conversion !== null
          ? 1 - r.step_conversion / r.baseline_conversion
          : null,
    }));
}

export const funnelSection = defineSection({
  id: 'funnels',
  placement: 'customers',
  labels: { en: EN, zh: ZH },
  title: (page) => page.labels.funnels,
  async gather({ asOf, partition, productName }): Promise<Funnels> {
    const funnelRows = (await partition(funnel, asOf)).filter((r) => r.date === asOf);
    const traffic = funnelRows.filter((r) => r.kind === 'traffic');
    // The traffic funnel shown: the one with today's most significant breakpoint, else the busiest.
    const trafficKeys = new Map<string, FunnelRow[]>();
    for (const r of traffic) {
      const k = `${r.channel}\u0000${r.sku ?? ''}`;
      trafficKeys.set(k, [...(trafficKeys.get(k) ?? []), r]);
    }
    const flagged = [...trafficKeys].find(([, rows]) => rows.some((r) => r.is_breakpoint && r.significant));
    const busiest = [...trafficKeys].sort(
      ([, a], [, b]) => Math.max(...b.map((r) => r.count)) - Math.max(...a.map((r) => r.count)),
    )[0];
    const shown = (flagged ?? busiest)?.[1];
    const orders = funnelRows.filter((r) => r.kind === 'orders');
    // The order funnel of all channels: each step's counts summed (a copy of its first row).
    const orderTotals = new Map<string, FunnelRow>();
    for (const r of orders) {
      const t = orderTotals.get(r.step) ?? { ...r, count: 0, is_breakpoint: false, significant: false };
      t.count += r.count;
      if (r.is_breakpoint && r.significant) {
        t.is_breakpoint = true;
        t.significant = true;
      }
      orderTotals.set(r.step, t);
    }
    const orderSteps = [...orderTotals.values()];
    // Conversions of the summed funnel, step over step (the leakage rows sort first and are skipped).
    orderSteps.sort((a, b) => (a.step_index ?? 0) - (b.step_index ?? 0));
    let prev: number | null = null;
    for (const s of orderSteps) {
      if (s.step_index === null) continue;
      s.step_conversion = prev ? s.count / prev : null;
      prev = s.count;
    }
    return {
      traffic: shown?.[0]
        ? {
            channel: shown[0].channel,
            sku: shown[0].sku,
            name: shown[0].sku === null ? null : productName(shown[0].sku),
            steps: funnelSteps(shown),
          }
        : null,
      orders: orderSteps.length ? { steps: funnelSteps(orderSteps) } : null,
    };
  },
  render({ traffic: tf, orders }, { labels: L, format: f, language }) {
    if (!tf && !orders) return null;
    const stepName = (s: string) => FUNNEL_STEPS[language][s] ?? s;
    const breakpointNote = (steps: readonly FunnelStep[]) => {
      const b = steps.find((s) => s.breakpoint);
      return `<p class="note">${b ? `${esc(L.breakpoint)}: <b>${esc(stepName(b.step))}</b>, ${f.pct(b.drop ?? 0, 0)} ${esc(L.belowBaseline)}` : esc(L.noBreakpoint)}</p>`;
    };
    const trafficTitle = tf ? [tf.channel, tf.sku, tf.name].filter(Boolean).join(' · ') : '';
    return `<div class="two">${
      tf
        ? `<div><h3>${esc(L.trafficFunnel)} — ${esc(trafficTitle)}</h3>${chartCanvas('chart-traffic')}${breakpointNote(tf.steps)}</div>`
        : ''
    }${
      orders
        ? `<div><h3>${esc(L.orderFunnel)}</h3>${chartCanvas('chart-orders')}${breakpointNote(orders.steps)}</div>`
        : ''
    }</div>`;
  },
  chart: {
    labels: ({ labels: L }) => ({ count: L.count, conversion: L.conversion }),
    data: ({ traffic, orders }, { language }) => {
      const translated = (steps: readonly FunnelStep[] | undefined) =>
        steps ? steps.map((s) => ({ ...s, label: FUNNEL_STEPS[language][s.step] ?? s.step })) : null;
      return { traffic: translated(traffic?.steps), orders: translated(orders?.steps) };
    },
    script: `
  function funnel(id, steps, logarithmic) {
    if (!steps) return;
    draw(id, {
      type: 'bar',
      data: {
        labels: steps.map(function (s) { return s.label; }),
        datasets: [{
          data: steps.map(function (s) { return s.count; }),
          backgroundColor: steps.map(function (s) { return s.breakpoint ? '#c62828' : '#3b6fd8'; })
        }]
      },
      options: {
        layout: { padding: { top: 30 } },
        scales: {
          y: logarithmic
            ? { type: 'logarithmic', title: { display: true, text: T.count + ' (log)' }, ticks: { callback: function (v) {
                var m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9)); return Math.abs(m - 1) < 1e-9 ? count.format(v) : '';
              } } }
            : { beginAtZero: true, title: { display: true, text: T.count }, ticks: { callback: function (v) { return count.format(v); } } },
          x: { ticks: { maxRotation: 0, autoSkip: false } }
        },
        plugins: { legend: { display: false }, tooltip: { callbacks: {
          label: function (c) { return T.count + ' ' + count.format(steps[c.dataIndex].count); },
          afterLabel: function (c) { var s = steps[c.dataIndex]; return s.conversion === null ? '' : T.conversion + ' ' + pct(s.conversion); }
        } } }
      },
      plugins: [overlay('funnel-labels', function (chart, ctx) {
        var bars = chart.getDatasetMeta(0).data;
        ctx.textAlign = 'center'; ctx.fillStyle = '#1d2330';
        bars.forEach(function (bar, i) {
          var s = steps[i];
          ctx.fillText(count.format(s.count), bar.x, bar.y - 16);
          if (s.conversion !== null) { ctx.fillStyle = s.breakpoint ? '#c62828' : '#5b6475'; ctx.fillText(pct(s.conversion), bar.x, bar.y - 4); ctx.fillStyle = '#1d2330'; }
        });
      })]
    });
  }
  funnel('chart-traffic', data.traffic, true);
  funnel('chart-orders', data.orders, false);`,
  },
});

/** The rfm stage's section: customers and spend per RFM value segment, and the moves since the previous run. */
import { rfm, SEGMENTS } from '../../schemas/tables.ts';
import { esc } from '../format.ts';
import { SEGMENT_NAMES } from '../labels.ts';
import { defineSection } from '../section.ts';

const EN = {
  rfm: 'RFM value segments (customers with a buyer id)',
  value: 'Spend',
  movement: 'Since last run',
  joined: 'in',
  left: 'out',
};
const ZH: typeof EN = {
  rfm: 'RFM 用户分层（可识别客户）',
  value: '消费额',
  movement: '较上次变化',
  joined: '流入',
  left: '流出',
};

export const segmentsSection = defineSection({
  id: 'rfm',
  placement: 'customers',
  labels: { en: EN, zh: ZH },
  title: (page) => page.labels.rfm,
  async gather(ctx) {
    const rows = await ctx.partition(rfm, ctx.asOf);
    const previous = ctx.previousAsOf ? await ctx.partition(rfm, ctx.previousAsOf) : [];
    const before = new Map(previous.map((r) => [r.customer_id, r.segment]));
    return SEGMENTS.map((segment) => {
      const inSegment = rows.filter((r) => r.segment === segment);
      const ids = new Set(inSegment.map((r) => r.customer_id));
      return {
        segment,
        customers: inSegment.length,
        spend: inSegment.reduce((a, r) => a + r.monetary, 0),
        joined: ctx.previousAsOf ? inSegment.filter((r) => before.get(r.customer_id) !== segment).length : 0,
        left: ctx.previousAsOf ? [...before].filter(([id, s]) => s === segment && !ids.has(id)).length : 0,
      };
    });
  },
  render(segments, { labels: L, format: f, language, previousAsOf }) {
    if (!segments.some((s) => s.customers > 0)) return null;
    const segmentName = (s: string) => SEGMENT_NAMES[language][s] ?? s;
    return `<div class="grid">${segments
      .map(
        (s) =>
          `<div class="cell"><div class="label">${esc(segmentName(s.segment))}</div><div class="value">${f.count(s.customers)}</div>` +
          `<div class="sub">${esc(L.value)} ${esc(f.money(s.spend))}</div>` +
          (previousAsOf
            ? `<div class="sub">${esc(L.movement)}: ${esc(L.joined)} ${s.joined}, ${esc(L.left)} ${s.left}</div>`
            : '') +
          '</div>',
      )
      .join('')}</div>`;
  },
});

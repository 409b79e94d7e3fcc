/** The product stage's channel mix section: revenue by platform and channel over the assortment window. */
import { channelMix } from '../../schemas/tables.ts';
import { chartCanvas } from '../format.ts';
import { fill } from '../labels.ts';
import { defineSection } from '../section.ts';

const EN = { channels: 'Channel mix (revenue by platform and channel, last {days} days)' };
const ZH: typeof EN = { channels: '渠道结构（近 {days} 天按平台与渠道的销售额）' };

export const channelsSection = defineSection({
  id: 'channels',
  placement: 'sales',
  labels: { en: EN, zh: ZH },
  title: ({ labels: L, windowDays }) => fill(L.channels, { days: windowDays }),
  async gather({ asOf, partition }) {
    const channels = new Map<string, { revenue: number; share: number }>();
    for (const m of await partition(channelMix, asOf)) {
      if (m.source === '(all)') continue;
      const label = `${m.source} / ${m.channel}`;
      const c = channels.get(label) ?? { revenue: 0, share: 0 };
      c.revenue += m.revenue;
      c.share += m.share;
      channels.set(label, c);
    }
    return [...channels]
      .map(([label, c]) => ({ label, ...c }))
      .sort((a, b) => b.revenue - a.revenue)
      .slice(0, 12);
  },
  render: (channels) => (channels.length ? chartCanvas('chart-channels') : null),
  chart: {
    labels: ({ labels: L }) => ({ revenue: L.revenue }),
    data: (channels) => ({ channels: channels.length ? channels : null }),
    script: `
  if (data.channels) {
    draw('chart-channels', {
      type: 'bar',
      data: { labels: data.channels.map(function (c) { return c.label; }), datasets: [{ data: data.channels.map(function (c) { return c.revenue; }), backgroundColor: '#3b6fd8' }] },
      options: {
        indexAxis: 'y',
        scales: { x: { ticks: { maxRotation: 0, callback: function (v) { return compactMoney.format(v); } } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) {
          var ch = data.channels[c.dataIndex]; return T.revenue + ' ' + money.format(ch.revenue) + ' (' + pct(ch.share) + ')';
        } } } }
      }
    });
  }`,
  },
});

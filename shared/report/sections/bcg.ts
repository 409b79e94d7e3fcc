/**
 * The product stage's Boston matrix section: SKUs by growth and relative share, bubbles sized by
 * revenue, quadrant lines at the configured thresholds.
 */
import { bcg } from '../../schemas/tables.ts';
import { chartCanvas } from '../format.ts';
import { fill } from '../labels.ts';
import { defineSection } from '../section.ts';

const EN = {
  bcg: 'Boston matrix (growth × relative share, bubble = revenue, last {days} days)',
  relativeShare: 'Relative share (× the category leader, log scale)',
  growth: 'Growth vs the {days} days before',
  star: 'Star',
  cash_cow: 'Cash cow',
  question_mark: 'Question mark',
  dog: 'Dog',
  share: 'share',
};
const ZH: typeof EN = {
  bcg: '波士顿矩阵（增长率 × 相对份额，气泡 = 销售额，近 {days} 天）',
  relativeShare: '相对份额（相对品类第一，对数刻度）',
  growth: '较前 {days} 天增长率',
  star: '明星',
  cash_cow: '现金牛',
  question_mark: '问题',
  dog: '瘦狗',
  share: '占比',
};

export const bcgSection = defineSection({
  id: 'bcg',
  placement: 'sales',
  labels: { en: EN, zh: ZH },
  title: ({ labels: L, windowDays }) => fill(L.bcg, { days: windowDays }),
  async gather({ asOf, settings, partition, productName }) {
    const items = (await partition(bcg, asOf)).flatMap((r) =>
      r.level === 'sku' && r.growth !== null && r.relative_share !== null
        ? [
            {
              sku: r.item,
              name: productName(r.item),
              growth: r.growth,
              share: r.relative_share,
              revenue: r.revenue,
              quadrant: r.quadrant,
            },
          ]
        : [],
    );
    return { items, thresholds: { growth: settings.bcgGrowthThreshold, share: settings.bcgShareThreshold } };
  },
  render: ({ items }) => (items.length ? chartCanvas('chart-bcg', 'chart tall') : null),
  chart: {
    labels: ({ labels: L, windowDays }) => ({
      revenue: L.revenue,
      relativeShare: L.relativeShare,
      growth: fill(L.growth, { days: windowDays }),
      share: L.share,
      quadrants: { star: L.star, cash_cow: L.cash_cow, question_mark: L.question_mark, dog: L.dog },
    }),
    data: ({ items, thresholds }) => ({ bcg: items.length ? items : null, bcgThresholds: thresholds }),
    script: `
  if (data.bcg) {
    var colours = { star: '#1a7f37', cash_cow: '#3b6fd8', question_mark: '#e0a100', dog: '#c62828' };
    var maxRevenue = Math.max.apply(null, data.bcg.map(function (b) { return b.revenue; })) || 1;
    var quadrants = ['star', 'cash_cow', 'question_mark', 'dog'];
    var th = data.bcgThresholds;
    var shares = data.bcg.map(function (b) { return b.share; }).concat([th.share]);
    draw('chart-bcg', {
      type: 'bubble',
      data: { datasets: quadrants.map(function (q) {
        return { label: T.quadrants[q], backgroundColor: colours[q] + 'aa', borderColor: colours[q],
          data: data.bcg.filter(function (b) { return b.quadrant === q; }).map(function (b) {
            return { x: b.share, y: b.growth * 100, r: (narrow ? 2 : 3) + (narrow ? 11 : 17) * Math.sqrt(b.revenue / maxRevenue), item: b };
          }) };
      }) },
      options: {
        scales: {
          x: { type: 'logarithmic', min: Math.min.apply(null, shares) / 1.5, max: Math.max.apply(null, shares) * 1.5,
            title: { display: true, text: T.relativeShare },
            ticks: { maxRotation: 0, autoSkip: false, callback: function (v) {
              var m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
              var keep = narrow ? [1] : [1, 3];
              for (var i = 0; i < keep.length; i++) if (Math.abs(m - keep[i]) < 1e-6) return (v < 1 ? Number(v.toPrecision(1)) : count.format(v)) + '×';
              return '';
            } } },
          y: { title: { display: true, text: T.growth }, ticks: { callback: function (v) { return v + ' %'; } } }
        },
        plugins: {
          legend: { labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: function (c) {
            var b = c.raw.item;
            return [named(b), T.revenue + ' ' + money.format(b.revenue), T.growth + ' ' + pct(b.growth, 0), T.share + ' ' + b.share.toFixed(2) + '×'];
          } } }
        }
      },
      plugins: [overlay('quadrants', function (chart, ctx) {
        var area = chart.chartArea, x = chart.scales.x, y = chart.scales.y;
        var px = x.getPixelForValue(th.share), py = y.getPixelForValue(th.growth * 100);
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
        ctx.beginPath(); ctx.moveTo(area.left, py); ctx.lineTo(area.right, py); ctx.stroke();
        ctx.font = 'bold ' + ctx.font;
        ctx.textAlign = 'right'; ctx.fillStyle = colours.star; ctx.fillText(T.quadrants.star, area.right - 4, area.top + 12);
        ctx.fillStyle = colours.cash_cow; ctx.fillText(T.quadrants.cash_cow, area.right - 4, area.bottom - 4);
        ctx.textAlign = 'left'; ctx.fillStyle = colours.question_mark; ctx.fillText(T.quadrants.question_mark, area.left + 4, area.top + 12);
        ctx.fillStyle = colours.dog; ctx.fillText(T.quadrants.dog, area.left + 4, area.bottom - 4);
      })]
    });
  }`,
  },
});

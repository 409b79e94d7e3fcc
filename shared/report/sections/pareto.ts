/** The product stage's ABC section: the Pareto curve of revenue by SKU with the 80 % and 95 % cut lines. */
import { abc } from '../../schemas/tables.ts';
import { chartCanvas } from '../format.ts';
import { fill } from '../labels.ts';
import { defineSection } from '../section.ts';

const EN = {
  pareto: 'ABC Pareto curve (revenue by SKU, last {days} days)',
  paretoRank: 'SKU rank by revenue',
  cumulativeShare: 'Cumulative share of revenue',
  classA: 'A: first 80 % of revenue',
  classB: 'B: to 95 %',
  classC: 'C: the rest',
};
const ZH: typeof EN = {
  pareto: 'ABC 帕累托曲线（近 {days} 天各 SKU 销售额）',
  paretoRank: 'SKU 销售额排名',
  cumulativeShare: '累计销售额占比',
  classA: 'A 类：前 80 % 销售额',
  classB: 'B 类：至 95 %',
  classC: 'C 类：其余',
};

export const paretoSection = defineSection({
  id: 'pareto',
  placement: 'sales',
  labels: { en: EN, zh: ZH },
  title: ({ labels: L, windowDays }) => fill(L.pareto, { days: windowDays }),
  async gather({ asOf, partition, productName }) {
    return [...(await partition(abc, asOf))]
      .sort((a, b) => b.revenue - a.revenue)
      .map((r) => ({
        sku: r.sku,
        name: productName(r.sku),
        cumulative: r.cumulative_share,
        revenue: r.revenue,
        abc: r.abc_class,
      }));
  },
  render: (pareto) => (pareto.length ? chartCanvas('chart-pareto') : null),
  chart: {
    labels: ({ labels: L }) => ({
      revenue: L.revenue,
      cumulativeShare: L.cumulativeShare,
      paretoRank: L.paretoRank,
      classA: L.classA,
      classB: L.classB,
      classC: L.classC,
    }),
    data: (pareto) => ({ pareto: pareto.length ? pareto : null }),
    script: `
  if (data.pareto) {
    var classColour = { A: '#3b6fd8', B: '#8fb0ee', C: '#d3def7' };
    draw('chart-pareto', {
      data: {
        labels: data.pareto.map(function (p, i) { return i + 1; }),
        datasets: [
          { type: 'line', label: T.cumulativeShare, yAxisID: 'share', data: data.pareto.map(function (p) { return p.cumulative * 100; }), borderColor: '#1d2330', pointRadius: 0 },
          { type: 'bar', label: T.classA, yAxisID: 'revenue', data: data.pareto.map(function (p) { return p.revenue; }),
            backgroundColor: data.pareto.map(function (p) { return classColour[p.abc] || '#d3def7'; }) }
        ]
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          share: { position: 'right', min: 0, max: 100, title: { display: !narrow, text: T.cumulativeShare }, ticks: { stepSize: 20, callback: function (v) { return v + ' %'; } }, grid: { drawOnChartArea: false } },
          revenue: { position: 'left', title: { display: !narrow, text: T.revenue }, ticks: { callback: function (v) { return compactMoney.format(v); } } },
          x: { title: { display: true, text: T.paretoRank }, ticks: { maxRotation: 0, autoSkipPadding: 8 } }
        },
        plugins: {
          legend: { labels: { generateLabels: function () {
            return [
              { text: T.cumulativeShare, fillStyle: '#1d2330', strokeStyle: '#1d2330', lineWidth: 0 },
              { text: T.classA, fillStyle: classColour.A, strokeStyle: classColour.A, lineWidth: 0 },
              { text: T.classB, fillStyle: classColour.B, strokeStyle: classColour.B, lineWidth: 0 },
              { text: T.classC, fillStyle: classColour.C, strokeStyle: classColour.C, lineWidth: 0 }
            ];
          } }, onClick: null },
          tooltip: { callbacks: {
            title: function (items) { var p = data.pareto[items[0].dataIndex]; return '#' + (items[0].dataIndex + 1) + ' ' + named(p) + ' (' + p.abc + ')'; },
            label: function (c) { var p = data.pareto[c.dataIndex]; return c.dataset.type === 'line' ? T.cumulativeShare + ' ' + pct(p.cumulative) : T.revenue + ' ' + money.format(p.revenue); }
          } }
        }
      },
      plugins: [overlay('abc-cuts', function (chart, ctx) {
        var area = chart.chartArea, y = chart.scales.share, x = chart.scales.x;
        [[80, 'A | B'], [95, 'B | C']].forEach(function (cut) {
          var py = y.getPixelForValue(cut[0]);
          ctx.beginPath(); ctx.moveTo(area.left, py); ctx.lineTo(area.right, py); ctx.stroke();
          ctx.textAlign = 'right'; ctx.fillText(cut[1] + '  ' + cut[0] + ' %', area.right - 4, py - 3);
        });
        for (var i = 1; i < data.pareto.length; i++) {
          if (data.pareto[i].abc !== data.pareto[i - 1].abc) {
            var px = (x.getPixelForValue(i - 1) + x.getPixelForValue(i)) / 2;
            ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
          }
        }
      })]
    });
  }`,
  },
});

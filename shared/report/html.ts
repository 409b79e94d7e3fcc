/**
 * The daily report as one self-contained HTML page: headline figures with their change, the RFM
 * grid, the recall list, the cohort heat map, the funnels with their breakpoint, the ABC Pareto
 * curve, the Boston matrix, channel mix, stockout warnings and bundles. Charts are drawn by Chart.js,
 * inlined; the page sets `data-charts-drawn` on <body> when every chart is drawn (the browser test
 * waits for it). A section whose model has no data says so instead of drawing an empty chart.
 */
import { chartLibrary } from './chart-library.ts';
import type { ReportData } from './data.ts';
import { LABELS, type Language } from './labels.ts';

const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const money = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pct = (v: number, digits = 1) => `${(v * 100).toFixed(digits)} %`;

function change(now: number, before: number | undefined, format: (v: number) => string): string {
  if (before === undefined) return '';
  const d = now - before;
  const cls = d > 0 ? 'up' : d < 0 ? 'down' : 'flat';
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  return `<span class="delta ${cls}">${sign}${format(Math.abs(d))}</span>`;
}

function table(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
  numeric: readonly boolean[] = [],
): string {
  const th = headers.map((h, i) => `<th${numeric[i] ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const section = (id: string, title: string, body: string | null, noData: string) =>
  `<section id="${id}"><h2>${esc(title)}</h2>${body ?? `<p class="empty">${esc(noData)}</p>`}</section>`;

/** Heat-map colour for a retention percentage. */
const heat = (v: number) => `hsl(210, 70%, ${Math.round(96 - Math.min(1, v / 60) * 50)}%)`;

export function renderReport(d: ReportData, language: Language): string {
  const L = LABELS[language];
  const h = d.headline;
  const p = d.previous ?? undefined;
  const cards = [
    [
      L.customers,
      h.customers.toLocaleString('en-US'),
      change(h.customers, p?.customers, (v) => v.toLocaleString('en-US')),
    ],
    [L.revenue30, money(h.revenue30), change(h.revenue30, p?.revenue30, money)],
    [L.activeRate, pct(h.activeRate), change(h.activeRate, p?.activeRate, (v) => pct(v))],
    [L.alerts, String(h.alerts), change(h.alerts, p?.alerts, String)],
  ]
    .map(
      ([label, value, delta]) =>
        `<div class="card"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div>${delta}</div>`,
    )
    .join('');

  const segmentName = (s: { segment: string; segment_zh: string }) =>
    language === 'zh' ? s.segment_zh || s.segment : s.segment.replace(/_/g, ' ');
  const grid = d.segments.some((s) => s.customers > 0)
    ? `<div class="grid">${d.segments
        .map(
          (s) =>
            `<div class="cell"><div class="label">${esc(segmentName(s))}</div><div class="value">${s.customers.toLocaleString('en-US')}</div>` +
            `<div class="sub">${esc(L.value)} ${money(s.spend)}</div>` +
            (d.previousAsOf
              ? `<div class="sub">${esc(L.movement)}: ${esc(L.joined)} ${s.joined}, ${esc(L.left)} ${s.left}</div>`
              : '') +
            '</div>',
        )
        .join('')}</div>`
    : null;

  const recall = d.recall.length
    ? table(
        ['customer', L.segment, L.lastOrder, L.value, L.offer],
        d.recall.map((r) => [
          String(r.customer_id).slice(0, 12),
          language === 'zh' ? r.segment_zh : r.segment,
          typeof r.last_order_date === 'number'
            ? new Date(r.last_order_date).toISOString().slice(0, 10)
            : r.last_order_date,
          money(Number(r.monetary)),
          r.offer,
        ]),
        [false, false, false, true, false],
      )
    : null;

  const months = Math.max(0, ...d.cohorts.map((c) => c.cells.length));
  const cohorts = d.cohorts.length
    ? `<table class="heat"><thead><tr><th>${esc(L.cohort)}</th>${Array.from({ length: months }, (_, i) => `<th class="n">${i}</th>`).join('')}</tr></thead><tbody>${d.cohorts
        .map(
          (c) =>
            `<tr><td>${esc(c.cohort)}</td>${Array.from({ length: months }, (_, i) => {
              const v = c.cells[i];
              return v === null || v === undefined
                ? '<td></td>'
                : `<td class="n" style="background:${heat(v)}">${v.toFixed(0)}</td>`;
            }).join('')}</tr>`,
        )
        .join('')}</tbody></table>`
    : null;

  const breakpointNote = (steps: { step: string; breakpoint: boolean; drop: number | null }[]) => {
    const b = steps.find((s) => s.breakpoint);
    return `<p class="note">${b ? `${esc(L.breakpoint)}: <b>${esc(b.step)}</b>, ${pct(b.drop ?? 0, 0)} ${esc(L.belowBaseline)}` : esc(L.noBreakpoint)}</p>`;
  };
  const funnels =
    d.trafficFunnel || d.orderFunnel
      ? `<div class="two">${
          d.trafficFunnel
            ? `<div><h3>${esc(L.trafficFunnel)} — ${esc(d.trafficFunnel.title)}</h3><canvas id="chart-traffic"></canvas>${breakpointNote(d.trafficFunnel.steps)}</div>`
            : ''
        }${
          d.orderFunnel
            ? `<div><h3>${esc(L.orderFunnel)}</h3><canvas id="chart-orders"></canvas>${breakpointNote(d.orderFunnel.steps)}</div>`
            : ''
        }</div>`
      : null;

  const stock = d.stockouts.length
    ? table(
        [L.severity, 'SKU', 'warehouse', 'ABC', L.available, L.cover, L.stockoutDate, L.order],
        d.stockouts.map((s) => [
          s.severity,
          s.sku,
          s.warehouse,
          s.abc_class,
          Number(s.available),
          s.days_of_cover === null ? '—' : Number(s.days_of_cover).toFixed(1),
          s.expected_stockout_date ?? '—',
          Number(s.suggested_order_qty),
        ]),
        [false, false, false, false, true, true, false, true],
      )
    : null;
  const bundleTable = d.bundles.length
    ? table(
        ['SKU', L.with, L.confidence, L.lift],
        d.bundles.map((b) => [b.sku, b.bundle_sku, pct(Number(b.confidence), 0), Number(b.lift).toFixed(1)]),
        [false, false, true, true],
      )
    : null;

  const chartData = {
    traffic: d.trafficFunnel?.steps ?? null,
    orders: d.orderFunnel?.steps ?? null,
    pareto: d.pareto.length ? d.pareto : null,
    bcg: d.bcg.length ? d.bcg : null,
    channels: d.channels.length ? d.channels : null,
  };
  const json = JSON.stringify(chartData).replace(/</g, '\\u003c');
  const compare = d.previousAsOf ? `${esc(L.previous)} ${esc(d.previousAsOf)}` : esc(L.noPrevious);

  return `<!doctype html>
<html lang="${language === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(L.title)} ${esc(d.asOf)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.8}
main{max-width:1180px;margin:0 auto;padding:16px 24px}
section{background:#fff;border-radius:8px;padding:14px 18px;margin:14px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h2{font-size:16px;margin:0 0 10px}h3{font-size:14px;margin:4px 0}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}.card,.cell{background:#f0f3f8;border-radius:6px;padding:10px 12px}
.label{font-size:12px;color:#5b6475}.value{font-size:22px;font-weight:600}.sub{font-size:12px;color:#5b6475}
.delta{font-size:12px;font-weight:600}.delta.up{color:#1a7f37}.delta.down{color:#c62828}.delta.flat{color:#5b6475}
.grid{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}.two{display:grid;grid-template-columns:1fr 1fr;gap:18px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #e6e8ec;text-align:left}.n{text-align:right}
table.heat td{border:1px solid #fff;text-align:center}.empty{color:#8a93a6;font-style:italic}.note{font-size:12px;color:#5b6475}
canvas{max-height:320px}
</style>
</head>
<body>
<header><h1>${esc(L.title)}</h1><p>${esc(L.asOf)} ${esc(d.asOf)} · ${compare}</p></header>
<main>
<section id="headline"><div class="cards">${cards}</div></section>
${section('rfm', L.rfm, grid, L.noData)}
${section('recall', L.recall, recall, L.noData)}
${section('cohorts', L.cohorts, cohorts, L.noData)}
${section('funnels', L.funnels, funnels, L.noData)}
${section('pareto', L.pareto, chartData.pareto ? '<canvas id="chart-pareto"></canvas>' : null, L.noData)}
${section('bcg', L.bcg, chartData.bcg ? '<canvas id="chart-bcg"></canvas>' : null, L.noData)}
${section('channels', L.channels, chartData.channels ? '<canvas id="chart-channels"></canvas>' : null, L.noData)}
${section('stockout', L.stockout, stock, L.noData)}
${section('bundles', L.bundles, bundleTable, L.noData)}
<p class="note">${esc(L.generated)} · ${esc(d.asOf)}</p>
</main>
<script type="application/json" id="report-data">${json}</script>
<script>${chartLibrary().replace(/<\/script/gi, '<\\/script')}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var drawn = 0;
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  function draw(id, config) {
    var el = document.getElementById(id);
    if (!el) return;
    new Chart(el, config);
    drawn++;
  }
  function funnel(id, steps) {
    if (!steps) return;
    draw(id, {
      type: 'bar',
      data: {
        labels: steps.map(function (s) { return s.step; }),
        datasets: [{
          data: steps.map(function (s) { return s.count; }),
          backgroundColor: steps.map(function (s) { return s.breakpoint ? '#c62828' : '#3b6fd8'; })
        }]
      },
      options: { scales: { y: { type: 'logarithmic' } }, plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: function (c) {
        var s = steps[c.dataIndex]; return s.conversion === null ? '' : 'conversion ' + (s.conversion * 100).toFixed(1) + ' %';
      } } } } }
    });
  }
  funnel('chart-traffic', data.traffic);
  funnel('chart-orders', data.orders);
  if (data.pareto) {
    draw('chart-pareto', {
      data: {
        labels: data.pareto.map(function (p, i) { return i + 1; }),
        datasets: [
          { type: 'line', label: 'cumulative share', yAxisID: 'share', data: data.pareto.map(function (p) { return p.cumulative * 100; }), borderColor: '#1d2330', pointRadius: 0 },
          { type: 'bar', label: 'revenue', yAxisID: 'revenue', data: data.pareto.map(function (p) { return p.revenue; }),
            backgroundColor: data.pareto.map(function (p) { return p.abc === 'A' ? '#3b6fd8' : p.abc === 'B' ? '#8fb0ee' : '#d3def7'; }) }
        ]
      },
      options: { scales: { share: { position: 'right', min: 0, max: 100 }, revenue: { position: 'left' } } }
    });
  }
  if (data.bcg) {
    var colours = { star: '#1a7f37', cash_cow: '#3b6fd8', question_mark: '#e0a100', dog: '#c62828' };
    var maxRevenue = Math.max.apply(null, data.bcg.map(function (b) { return b.revenue; })) || 1;
    var quadrants = ['star', 'cash_cow', 'question_mark', 'dog'];
    draw('chart-bcg', {
      type: 'bubble',
      data: { datasets: quadrants.map(function (q) {
        return { label: q, backgroundColor: colours[q] + 'aa', data: data.bcg.filter(function (b) { return b.quadrant === q; }).map(function (b) {
          return { x: b.share, y: b.growth * 100, r: 3 + 17 * Math.sqrt(b.revenue / maxRevenue), sku: b.sku };
        }) };
      }) },
      options: { scales: { x: { type: 'logarithmic', title: { display: true, text: 'relative share' } }, y: { title: { display: true, text: 'growth %' } } } }
    });
  }
  if (data.channels) {
    draw('chart-channels', {
      type: 'bar',
      data: { labels: data.channels.map(function (c) { return c.label; }), datasets: [{ data: data.channels.map(function (c) { return c.revenue; }), backgroundColor: '#3b6fd8' }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } } }
    });
  }
  document.body.dataset.chartsDrawn = String(drawn);
  document.body.dataset.chartsExpected = String(document.querySelectorAll('canvas').length);
})();
</script>
</body>
</html>
`;
}

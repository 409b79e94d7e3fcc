/**
 * The daily report as one self-contained HTML page, laid out for a desktop and a phone (390 px: no
 * horizontal scroll; tables turn into one card per row): headline figures with their change, the
 * open churn-recall and stockout items with links to their CSV lists, the RFM grid, the cohort heat
 * map, the funnels with their breakpoint, the ABC Pareto curve, the Boston matrix, channel mix and
 * bundles. Charts are drawn by Chart.js, inlined; the page sets `data-charts-drawn` on <body> when
 * every chart is drawn (the browser test waits for it). A section whose model has no data says so
 * instead of drawing an empty chart.
 */
import { chartLibrary } from './chart-library.ts';
import type { OpenList, ReportData } from './data.ts';
import {
  FUNNEL_STEPS,
  fill,
  LABELS,
  type Labels,
  type Language,
  OFFERS_ZH,
  renderReason,
  SEGMENT_NAMES,
} from './labels.ts';

const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface RenderOptions {
  /** Where each CSV list of the page links to, by lake key (relative locally, presigned in AWS). */
  hrefs: ReadonlyMap<string, string>;
  /** When the page was written, as the footer shows it. */
  generatedAt: string;
}

/** Number formats of one page: amounts always carry the reporting currency. */
function formats(language: Language, currency: string) {
  const locale = language === 'zh' ? 'zh-CN' : 'en-US';
  const moneyFormat = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    maximumFractionDigits: 0,
  });
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  return {
    locale,
    money: (v: number) => moneyFormat.format(v),
    count: (v: number) => count.format(v),
    pct: (v: number, digits = 1) => `${(v * 100).toFixed(digits)} %`,
  };
}

/** The change since the previous run, rounded to `step` first (a change that rounds to 0 is none). */
function change(
  now: number,
  before: number | null | undefined,
  format: (v: number) => string,
  step = 1,
): string {
  if (before === undefined || before === null) return '';
  const d = Math.round((now - before) / step) * step;
  const cls = d > 0 ? 'up' : d < 0 ? 'down' : 'flat';
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  return ` <span class="delta ${cls}">${sign}${format(Math.abs(d))}</span>`;
}

interface Column {
  header: string;
  numeric?: boolean;
  /** Wide text: on a phone the cell takes the full row. */
  wide?: boolean;
  /** Short text kept on one line (dates, codes). */
  nowrap?: boolean;
  /** On a phone the cell takes the card's full width (a product name). */
  full?: boolean;
}

/** A table; on a phone each row becomes a card whose cells say their column (data-label). */
function table(columns: readonly Column[], rows: readonly (readonly string[])[], cls = 'rows'): string {
  const th = columns.map((c) => `<th${c.numeric ? ' class="n"' : ''}>${esc(c.header)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((cell, i) => {
            const c = columns[i]!;
            const classes = [
              c.numeric ? 'n' : '',
              c.wide ? 'wide' : '',
              c.nowrap ? 'nw' : '',
              c.full ? 'full' : '',
            ]
              .filter(Boolean)
              .join(' ');
            return `<td${classes ? ` class="${classes}"` : ''} data-label="${esc(c.header)}">${cell}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const section = (id: string, title: string, body: string | null, noData: string) =>
  `<section id="${id}"><h2>${esc(title)}</h2>${body ?? `<p class="empty">${esc(noData)}</p>`}</section>`;

/** Heat-map colour for a retention percentage. */
const heat = (v: number) => `hsl(210, 70%, ${Math.round(96 - Math.min(1, v / 60) * 50)}%)`;

/** "SKU · name" for a cell: the code, and the name a person recognises. */
const product = (sku: string, name: string | null) =>
  `<span class="sku">${esc(sku)}</span>${name ? ` <span class="pname">${esc(name)}</span>` : ''}`;

/** The counts line, the top rows' note and the links to the CSV lists of an open-items list. */
function openSummary<T>(
  list: OpenList<T>,
  L: Labels,
  order: string,
  hrefs: ReadonlyMap<string, string>,
): string {
  const counts = `<p class="counts">${esc(
    fill(L.openSplit, { new: list.newToday, still: list.stillOpen, resolved: list.resolved }),
  )}</p>`;
  const shown =
    list.open > 0
      ? `<p class="note">${esc(fill(L.shownOf, { shown: list.rows.length, total: list.open, order }))}</p>`
      : '';
  const links = list.lists.length
    ? `<p class="lists">${esc(L.fullList)}: ${list.lists
        .map(
          (l) =>
            `<a href="${esc(hrefs.get(l.key) ?? l.key)}" download>${esc(fill(L.listOf, { date: `${l.date} CSV`, n: l.items }))}</a>`,
        )
        .join(' · ')}</p>`
    : '';
  return counts + shown + links;
}

export function renderReport(d: ReportData, language: Language, options: RenderOptions): string {
  const L = LABELS[language];
  const f = formats(language, d.currency);
  const days = d.windowDays;
  const h = d.headline;
  const p = d.previous ?? undefined;
  const segmentName = (s: string) => SEGMENT_NAMES[language][s] ?? s;
  const severity = (s: string) => (L as Record<string, string>)[s] ?? s;
  const status = (s: { status: string; alerted: string | null }) =>
    s.status === 'new'
      ? `<span class="tag new">${esc(L.statusNew)}</span>`
      : `<span class="tag open">${esc(s.alerted ? fill(L.statusOpen, { date: s.alerted }) : L.statusOpenUnknown)}</span>`;

  const identifiedShare =
    h.revenueAll && h.revenueAll > 0
      ? fill(L.revenueIdentified, { share: f.pct(h.revenueIdentified / h.revenueAll, 0) })
      : '';
  const cards: [string, string, string, string, string?][] = [
    [L.customers, f.count(h.customers), change(h.customers, p?.customers, f.count), ''],
    [
      fill(L.revenueAll, { days: h.revenueDays }),
      h.revenueAll === null ? '—' : f.money(h.revenueAll),
      h.revenueAll === null ? '' : change(h.revenueAll, p?.revenueAll, f.money),
      identifiedShare,
    ],
    [
      L.revenueCustomers30,
      f.money(h.revenueCustomers30),
      change(h.revenueCustomers30, p?.revenueCustomers30, f.money),
      L.revenueCustomersNote,
    ],
    [
      L.activeRate,
      f.pct(h.activeRate),
      change(h.activeRate, p?.activeRate, (v) => `${(v * 100).toFixed(1)} ${L.pp}`, 0.001),
      '',
    ],
    [
      L.recallOpen,
      f.count(d.recall.open),
      '',
      fill(L.openSplit, { new: d.recall.newToday, still: d.recall.stillOpen, resolved: d.recall.resolved }),
      '#recall',
    ],
    [
      L.stockOpen,
      f.count(d.stock.open),
      '',
      fill(L.openSplit, { new: d.stock.newToday, still: d.stock.stillOpen, resolved: d.stock.resolved }),
      '#stockout',
    ],
  ];
  const cardHtml = cards
    .map(([label, value, delta, sub, href]) => {
      const inner = `<div class="label">${esc(label)}</div><div class="value">${esc(value)}${delta}</div>${sub ? `<div class="sub">${esc(sub)}</div>` : ''}`;
      return href ? `<a class="card" href="${href}">${inner}</a>` : `<div class="card">${inner}</div>`;
    })
    .join('');

  const grid = d.segments.some((s) => s.customers > 0)
    ? `<div class="grid">${d.segments
        .map(
          (s) =>
            `<div class="cell"><div class="label">${esc(segmentName(s.segment))}</div><div class="value">${f.count(s.customers)}</div>` +
            `<div class="sub">${esc(L.value)} ${esc(f.money(s.spend))}</div>` +
            (d.previousAsOf
              ? `<div class="sub">${esc(L.movement)}: ${esc(L.joined)} ${s.joined}, ${esc(L.left)} ${s.left}</div>`
              : '') +
            '</div>',
        )
        .join('')}</div>`
    : null;

  const offer = (segment: string) => (language === 'zh' ? (OFFERS_ZH[segment] ?? OFFERS_ZH['']!) : null);
  const recall =
    d.recall.open + d.recall.resolved > 0
      ? openSummary(d.recall, L, L.byValueAtRisk, options.hrefs) +
        (d.recall.rows.length
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
              d.recall.rows.map((r) => [
                `<span class="sku">${esc(r.customer_id.slice(0, 12))}</span>`,
                esc(segmentName(r.segment)),
                status(r),
                esc(r.last_order_date),
                esc(f.money(r.monetary)),
                r.p_alive === null ? '—' : r.p_alive.toFixed(2),
                r.value_at_risk === null ? '—' : esc(f.money(r.value_at_risk)),
                esc(renderReason(r.reason, language, f.money)),
                esc(offer(r.segment) ?? r.offer),
              ]),
            )
          : `<p class="empty">${esc(L.noneOpen)}</p>`)
      : null;

  const stock =
    d.stock.open + d.stock.resolved > 0
      ? openSummary(d.stock, L, L.bySeverity, options.hrefs) +
        (d.stock.rows.length
          ? table(
              [
                { header: L.severity, nowrap: true },
                { header: L.product, full: true },
                { header: L.status, nowrap: true },
                { header: L.warehouse },
                { header: L.abc },
                { header: L.available, numeric: true },
                { header: L.inbound, numeric: true },
                { header: L.cover, numeric: true },
                { header: L.stockoutDate, nowrap: true },
                { header: L.order, numeric: true },
                { header: L.reason, wide: true },
              ],
              d.stock.rows.map((s) => [
                `<span class="sev ${esc(s.severity)}">${esc(severity(s.severity))}</span>`,
                product(s.sku, s.name),
                status(s),
                esc(s.warehouse),
                esc(s.abc_class),
                f.count(s.available),
                f.count(s.inbound),
                s.days_of_cover === null ? '—' : s.days_of_cover.toFixed(1),
                esc(s.expected_stockout_date ?? '—'),
                f.count(s.suggested_order_qty),
                esc(renderReason(s.reason, language, f.money)),
              ]),
            )
          : `<p class="empty">${esc(L.noneOpen)}</p>`) +
        (d.stock.resolvedItems.length
          ? `<p class="note">${esc(L.resolvedList)}: ${d.stock.resolvedItems
              .map((r) => `${product(r.sku, r.name)} (${esc(r.warehouse)})`)
              .join(', ')}</p>`
          : '')
      : null;

  const months = Math.max(0, ...d.cohorts.map((c) => c.cells.length));
  const cohorts = d.cohorts.length
    ? `<div class="scroll"><table class="heat"><thead><tr><th>${esc(L.cohort)}</th>${Array.from({ length: months }, (_, i) => `<th class="n">${i}</th>`).join('')}</tr></thead><tbody>${d.cohorts
        .map(
          (c) =>
            `<tr><td>${esc(c.cohort)}</td>${Array.from({ length: months }, (_, i) => {
              const v = c.cells[i];
              return v === null || v === undefined
                ? '<td></td>'
                : `<td class="n" style="background:${heat(v)}">${v.toFixed(0)}</td>`;
            }).join('')}</tr>`,
        )
        .join('')}</tbody></table></div>`
    : null;

  const stepName = (s: string) => FUNNEL_STEPS[language][s] ?? s;
  const breakpointNote = (steps: { step: string; breakpoint: boolean; drop: number | null }[]) => {
    const b = steps.find((s) => s.breakpoint);
    return `<p class="note">${b ? `${esc(L.breakpoint)}: <b>${esc(stepName(b.step))}</b>, ${f.pct(b.drop ?? 0, 0)} ${esc(L.belowBaseline)}` : esc(L.noBreakpoint)}</p>`;
  };
  const tf = d.trafficFunnel;
  const trafficTitle = tf ? [tf.channel, tf.sku, tf.name].filter(Boolean).join(' · ') : '';
  const funnels =
    tf || d.orderFunnel
      ? `<div class="two">${
          tf
            ? `<div><h3>${esc(L.trafficFunnel)} — ${esc(trafficTitle)}</h3><div class="chart"><canvas id="chart-traffic"></canvas></div>${breakpointNote(tf.steps)}</div>`
            : ''
        }${
          d.orderFunnel
            ? `<div><h3>${esc(L.orderFunnel)}</h3><div class="chart"><canvas id="chart-orders"></canvas></div>${breakpointNote(d.orderFunnel.steps)}</div>`
            : ''
        }</div>`
      : null;

  const bundleTable = d.bundles.length
    ? table(
        [
          { header: 'SKU' },
          { header: L.with },
          { header: L.confidence, numeric: true },
          { header: L.lift, numeric: true },
        ],
        d.bundles.map((b) => [
          product(b.sku, b.name),
          product(b.bundle_sku, b.bundle_name),
          f.pct(b.confidence, 0),
          b.lift.toFixed(1),
        ]),
        'plain',
      )
    : null;

  const translateSteps = <T extends { step: string }>(steps: readonly T[] | undefined) =>
    steps ? steps.map((s) => ({ ...s, label: stepName(s.step) })) : null;
  const chartData = {
    locale: f.locale,
    currency: d.currency,
    labels: {
      count: L.count,
      conversion: L.conversion,
      revenue: L.revenue,
      cumulativeShare: L.cumulativeShare,
      paretoRank: L.paretoRank,
      classA: L.classA,
      classB: L.classB,
      classC: L.classC,
      relativeShare: L.relativeShare,
      growth: fill(L.growth, { days }),
      share: L.share,
      quadrants: { star: L.star, cash_cow: L.cash_cow, question_mark: L.question_mark, dog: L.dog },
    },
    traffic: translateSteps(tf?.steps),
    orders: translateSteps(d.orderFunnel?.steps),
    pareto: d.pareto.length ? d.pareto : null,
    bcg: d.bcg.length ? d.bcg : null,
    bcgThresholds: d.bcgThresholds,
    channels: d.channels.length ? d.channels : null,
  };
  const json = JSON.stringify(chartData).replace(/</g, '\\u003c');
  const compare = d.previousAsOf ? `${esc(L.previous)} ${esc(d.previousAsOf)}` : esc(L.noPrevious);
  const chart = (id: string, cls = 'chart') => `<div class="${cls}"><canvas id="${id}"></canvas></div>`;

  return `<!doctype html>
<html lang="${language === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(L.title)} ${esc(d.asOf)}</title>
<style>
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.8}
main{max-width:1180px;margin:0 auto;padding:16px 24px}
section{background:#fff;border-radius:8px;padding:14px 18px;margin:14px 0;box-shadow:0 1px 2px rgba(0,0,0,.06);min-width:0}
h2{font-size:16px;margin:0 0 10px}h3{font-size:14px;margin:4px 0}
.cards{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:12px}
.card,.cell{background:#f0f3f8;border-radius:6px;padding:10px 12px;min-width:0;color:inherit;text-decoration:none;display:block}
a.card{box-shadow:inset 3px 0 0 #3b6fd8}
.label{font-size:12px;color:#5b6475}.value{font-size:22px;font-weight:600}.sub{font-size:12px;color:#5b6475}
.delta{font-size:12px;font-weight:600;white-space:nowrap}.delta.up{color:#1a7f37}.delta.down{color:#c62828}.delta.flat{color:#5b6475}
.grid{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:10px}.two{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:18px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #e6e8ec;text-align:left;vertical-align:top}.n{text-align:right;white-space:nowrap}
td.wide{min-width:16em;max-width:30em}.nw{white-space:nowrap}
table.heat td{border:1px solid #fff;text-align:center}.empty{color:#8a93a6;font-style:italic}.note,.counts,.lists{font-size:12px;color:#5b6475;margin:4px 0 8px}
.counts{font-size:13px;color:#1d2330;font-weight:600}
.sku{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}.pname{color:#5b6475}
.tag{font-size:11px;border-radius:3px;padding:0 4px;white-space:nowrap}.tag.new{background:#fde7e7;color:#a11}.tag.open{background:#eef1f6;color:#5b6475}
.sev.critical{color:#c62828;font-weight:600}.sev.high{color:#d35400;font-weight:600}
.scroll{overflow-x:auto}
.chart{position:relative;height:320px}.chart.tall{height:380px}
footer{max-width:1180px;margin:0 auto;padding:0 24px 24px;font-size:12px;color:#5b6475}
@media (max-width:700px){
  header{padding:12px 14px}main{padding:8px 10px}footer{padding:0 14px 16px}
  section{padding:12px;margin:10px 0}
  .cards,.grid{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}.two{grid-template-columns:minmax(0,1fr)}
  .value{font-size:19px}
  table.rows thead{display:none}
  table.rows,table.rows tbody,table.rows tr{display:block;width:100%}
  table.rows tr{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:2px 10px;border:1px solid #e6e8ec;border-radius:6px;padding:6px 8px;margin:0 0 8px}
  table.rows td{display:block;border:0;padding:0;text-align:left;min-width:0;max-width:none;overflow-wrap:anywhere}
  table.rows td::before{content:attr(data-label);display:block;color:#5b6475;font-size:11px}
  table.rows td.wide,table.rows td.full{grid-column:1/-1}
  table.rows td.nw,table.rows .tag{white-space:normal}
  table.plain{font-size:12px}table.plain th,table.plain td{padding:3px 4px}
  table.heat{font-size:11px}table.heat th,table.heat td{padding:2px 1px}
  .chart{height:260px}.chart.tall{height:340px}
}
</style>
</head>
<body>
<header><h1>${esc(L.title)}</h1><p>${esc(L.asOf)} ${esc(d.asOf)} · ${compare}</p></header>
<main>
<section id="headline"><div class="cards">${cardHtml}</div></section>
${section('recall', L.recall, recall, L.noData)}
${section('stockout', L.stockout, stock, L.noData)}
${section('rfm', L.rfm, grid, L.noData)}
${section('cohorts', L.cohorts, cohorts, L.noData)}
${section('funnels', L.funnels, funnels, L.noData)}
${section('pareto', fill(L.pareto, { days }), chartData.pareto ? chart('chart-pareto') : null, L.noData)}
${section('bcg', fill(L.bcg, { days }), chartData.bcg ? chart('chart-bcg', 'chart tall') : null, L.noData)}
${section('channels', fill(L.channels, { days }), chartData.channels ? chart('chart-channels') : null, L.noData)}
${section('bundles', L.bundles, bundleTable, L.noData)}
</main>
<footer>${esc(fill(L.generated, { time: options.generatedAt }))} · ${esc(L.asOf)} ${esc(d.asOf)}</footer>
<script type="application/json" id="report-data">${json}</script>
<script>${chartLibrary().replace(/<\/script/gi, '<\\/script')}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}

/** Draws the charts from the page's JSON; browser code, ES5 so it runs on any phone. */
const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var T = data.labels;
  var drawn = 0;
  var money = new Intl.NumberFormat(data.locale, { style: 'currency', currency: data.currency, maximumFractionDigits: 0 });
  var compactMoney = new Intl.NumberFormat(data.locale, { style: 'currency', currency: data.currency, notation: 'compact', maximumFractionDigits: 1 });
  var count = new Intl.NumberFormat(data.locale, { maximumFractionDigits: 0 });
  var narrow = window.matchMedia('(max-width: 700px)').matches;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = narrow ? 10 : 12;
  function pct(v, digits) { return (v * 100).toFixed(digits === undefined ? 1 : digits) + ' %'; }
  function named(p) { return p.name ? p.sku + ' · ' + p.name : p.sku; }
  function draw(id, config) {
    var el = document.getElementById(id);
    if (!el) return;
    new Chart(el, config);
    drawn++;
  }
  // Lines and captions drawn over a chart's area (quadrant lines, class cut lines).
  function overlay(id, paint) {
    return { id: id, afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx; ctx.save(); ctx.setLineDash([5, 4]); ctx.strokeStyle = '#5b6475'; ctx.fillStyle = '#5b6475';
      ctx.lineWidth = 1; ctx.font = (narrow ? 10 : 11) + 'px ' + Chart.defaults.font.family;
      paint(chart, ctx); ctx.restore();
    } };
  }
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
  funnel('chart-orders', data.orders, false);
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
  }
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
  }
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
  }
  document.body.dataset.chartsDrawn = String(drawn);
  document.body.dataset.chartsExpected = String(document.querySelectorAll('canvas').length);
})();
`;

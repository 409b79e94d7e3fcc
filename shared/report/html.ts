/**
 * The daily report as one self-contained HTML page, laid out for a desktop and a phone (390 px: no
 * horizontal scroll; tables turn into one card per row): the headline figures with their change and
 * the cards the sections add, then the sections the stages declare (registry.ts), each with its
 * body or, when its model has no data, a line saying so. Charts are drawn by Chart.js, inlined: the
 * page's chart script runs each section's chart code over the page's JSON and sets
 * `data-charts-drawn` on <body> when every chart is drawn (the browser test waits for it).
 */
import { chartLibrary } from './chart-library.ts';
import type { ReportData } from './data.ts';
import { esc, formats } from './format.ts';
import { fill, LABELS, type Language } from './labels.ts';
import type { PageChart, PageContext } from './section.ts';

export interface RenderOptions {
  /** Where each CSV list of the page links to, by lake key (relative locally, presigned in AWS). */
  hrefs: ReadonlyMap<string, string>;
  /** When the page was written, as the footer shows it. */
  generatedAt: string;
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

const section = (id: string, title: string, body: string | null, noData: string) =>
  `<section id="${id}"><h2>${esc(title)}</h2>${body ?? `<p class="empty">${esc(noData)}</p>`}</section>`;

/** Merges the sections' chart labels or JSON entries; a key given two values (by the page or a section) is an error. */
function merge(
  charts: readonly (readonly [string, PageChart])[],
  part: 'labels' | 'data',
  into: Record<string, unknown>,
): Record<string, unknown> {
  for (const [id, chart] of charts)
    for (const [key, value] of Object.entries(chart[part])) {
      if (key in into && JSON.stringify(into[key]) !== JSON.stringify(value))
        throw new Error(`report section "${id}": chart ${part} "${key}" already has another value`);
      into[key] = value;
    }
  return into;
}

export function renderReport(d: ReportData, language: Language, options: RenderOptions): string {
  const L = LABELS[language];
  const f = formats(language, d.currency);
  const page: PageContext = {
    language,
    format: f,
    asOf: d.asOf,
    previousAsOf: d.previousAsOf,
    windowDays: d.windowDays,
    hrefs: options.hrefs,
  };
  const h = d.headline;
  const p = d.previous ?? undefined;

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
    // The sections' cards link to their section.
    ...d.sections.flatMap((s) =>
      s
        .cards(page)
        .map((c): [string, string, string, string, string] => [c.label, c.value, '', c.sub, `#${s.id}`]),
    ),
  ];
  const cardHtml = cards
    .map(([label, value, delta, sub, href]) => {
      const inner = `<div class="label">${esc(label)}</div><div class="value">${esc(value)}${delta}</div>${sub ? `<div class="sub">${esc(sub)}</div>` : ''}`;
      return href ? `<a class="card" href="${href}">${inner}</a>` : `<div class="card">${inner}</div>`;
    })
    .join('');

  const charts = d.sections.flatMap((s) => {
    const chart = s.chart(page);
    return chart ? [[s.id, chart] as const] : [];
  });
  // The page's JSON: its own entries first, so a section's entry cannot replace one of them.
  const chartData = merge(charts, 'data', {
    locale: f.locale,
    currency: d.currency,
    labels: merge(charts, 'labels', {}),
  });
  const json = JSON.stringify(chartData).replace(/</g, '\\u003c');
  const compare = d.previousAsOf ? `${esc(L.previous)} ${esc(d.previousAsOf)}` : esc(L.noPrevious);
  const sections = d.sections.map((s) => section(s.id, s.title(page), s.body(page), L.noData)).join('\n');
  const chartScript = CHART_PRELUDE + charts.map(([, chart]) => chart.script).join('') + CHART_EPILOGUE;

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
${sections}
</main>
<footer>${esc(fill(L.generated, { time: options.generatedAt }))} · ${esc(L.asOf)} ${esc(d.asOf)}</footer>
<script type="application/json" id="report-data">${json}</script>
<script>${chartLibrary().replace(/<\/script/gi, '<\\/script')}</script>
<script>${chartScript}</script>
</body>
</html>
`;
}

/**
 * The page's chart script around the sections' chart code: browser code, ES5 so it runs on any
 * phone. It reads the page's JSON, sets Chart.js defaults and gives the sections their helpers.
 */
const CHART_PRELUDE = `
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
  }`;

/** Says how many charts were drawn, and how many canvases the page has. */
const CHART_EPILOGUE = `
  document.body.dataset.chartsDrawn = String(drawn);
  document.body.dataset.chartsExpected = String(document.querySelectorAll('canvas').length);
})();
`;

import { UsageError } from '../../shared/errors.ts';
import { sweepLake } from '../../shared/lake/commits.ts';
import { SEGMENT_INFO } from '../../shared/models/rfm.ts';
import { type DailyRunSummary, runDaily } from '../../shared/pipeline/daily-run.ts';
import { DATE_RE, parseIsoDate, today } from '../../shared/time.ts';
import { type Command, LAKE_HELP, LAKE_OPTIONS, str } from '../command.ts';
import { lakeContext } from '../context.ts';
import { stderrLog } from '../io.ts';
import { formatTable } from '../output.ts';
import { compactBeforeRun, describeSweep } from '../sweep.ts';

function describeFits(metrics: DailyRunSummary['diagnostics']): string {
  const m = new Map(metrics.map((d) => [d.metric, d.value]));
  if (!m.has('bgnbd_r')) return 'Churn / CLV: no customers yet\n';
  const f = (k: string, digits = 3) => (m.get(k) ?? Number.NaN).toFixed(digits);
  const gg = m.has('gg_p') ? `; Gamma-Gamma p ${f('gg_p')}, q ${f('gg_q')}, gamma ${f('gg_gamma')}` : '';
  return `Churn / CLV (table clv): BG/NBD r ${f('bgnbd_r')}, alpha ${f('bgnbd_alpha')} days, a ${f('bgnbd_a')}, b ${f('bgnbd_b')} over ${m.get('bgnbd_customers')} customers${gg}\n`;
}

export function describeRun(s: DailyRunSummary): string {
  const segRows = SEGMENT_INFO.map((info) => ({
    segment: info.segment,
    segment_zh: info.zh,
    customers: s.segments[info.segment],
    action: info.action,
  }));
  const out = [
    `As of ${s.asOf}: ${s.customers.toLocaleString('en-US')} customers ` +
      `(mean recency ${s.means.recency_days.toFixed(0)} days, frequency ${s.means.frequency.toFixed(2)}, ` +
      `spend ${s.means.monetary.toFixed(2)})`,
    ...(s.withoutBuyer.length
      ? [
          `Left out of the customer models (no buyer id in the export): ${s.withoutBuyer
            .map((w) => `${w.orders.toLocaleString('en-US')} ${w.source} order(s)`)
            .join(', ')}`,
        ]
      : []),
    '',
    formatTable(['segment', 'segment_zh', 'customers', 'action'], segRows),
    describeFits(s.diagnostics),
    `Churn recall: ${s.recall.alerts} alert(s)` +
      (s.recall.suppressedByCooldown
        ? `, ${s.recall.suppressedByCooldown} already recalled within the cooldown`
        : '') +
      `; CRM list: ${s.recall.csvKey}`,
  ];
  if (s.recall.top.length) {
    out.push(
      formatTable(
        ['customer_id', 'segment', 'last_order_date', 'monetary', 'offer'],
        s.recall.top.map((a) => ({ ...a, monetary: Math.round(a.monetary * 100) / 100 })),
      ),
    );
  }
  const p = s.product;
  out.push(
    `Assortment (tables abc, bcg, channel_mix): ${p.skus} SKUs sold, A ${p.abc.A} / B ${p.abc.B} / C ${p.abc.C}; ` +
      `Boston matrix ${Object.entries(p.quadrants)
        .map(([q, n]) => `${n} ${q}`)
        .join(', ')}`,
    `Demand forecast (table demand_forecast): ${p.forecastSeries} SKU x warehouse series, rolling-origin MASE mean ${p.meanMase?.toFixed(2) ?? 'n/a'}, median ${p.medianMase?.toFixed(2) ?? 'n/a'} over ${p.forecastSeries - p.seriesTooShort} series (${p.seriesTooShort} too short to judge)`,
    `Stock risk (table stock_risk): ${p.stockItems} items, ${p.warnings} below reorder point or short within lead time` +
      (p.defaultLeadTimes ? `; ${p.defaultLeadTimes} use the default lead time` : ''),
    `Stockout warnings (table stockout): ${s.stockout.alerts}; list: ${s.stockout.csvKey}`,
  );
  if (s.stockout.top.length) {
    out.push(
      formatTable(
        [
          'severity',
          'sku',
          'warehouse',
          'abc_class',
          'available',
          'days_of_cover',
          'expected_stockout_date',
          'suggested_order_qty',
        ],
        s.stockout.top.map((a) => ({
          ...a,
          days_of_cover: a.days_of_cover === null ? null : Math.round(a.days_of_cover * 10) / 10,
        })),
      ),
    );
  }
  const b = s.basket;
  out.push(
    `Basket rules (table basket_rules): ${b.skuRules} SKU rules and ${b.categoryRules} category rules over ${b.baskets.toLocaleString('en-US')} orders; ${b.bundles} bundle suggestions (table bundles)`,
  );
  const bp = s.funnel.breakpoints;
  out.push(
    bp.length
      ? `Funnel breakpoints today (table funnel): ${bp
          .slice(0, 5)
          .map(
            (x) =>
              `${x.kind} ${x.channel}${x.sku ? ` ${x.sku}` : ''} at ${x.step} (${Math.round(x.drop * 100)} % below its 28-day baseline)`,
          )
          .join('; ')}`
      : 'Funnel breakpoints today (table funnel): none significant',
  );
  out.push(`Report: ${s.reportKey}`);
  return `${out.join('\n')}\n`;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the daily models and alerts for an as-of date',
  help: `Usage: storepulse run [--date YYYY-MM-DD] [options]

Sweeps and compacts the lake (see "storepulse compact"), then computes every model as of the date
(orders dated on or before it, shop time zone) and writes models/<model>/dt=<date>/ and
alerts/<kind>/dt=<date>/. Re-running a date replaces its outputs.

Options:
  --date YYYY-MM-DD    as-of date (default: today in the shop time zone)
${LAKE_HELP}
  -h, --help           this help
`,
  options: { ...LAKE_OPTIONS, date: { type: 'string' } },
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`run takes no arguments (got "${positionals.join(' ')}")`);
    const ctx = lakeContext(values);
    const date = str(values.date) ?? today(ctx.config.timeZone);
    if (!DATE_RE.test(date) || parseIsoDate(date) === undefined) {
      throw new UsageError(`--date must be a calendar date YYYY-MM-DD, got "${date}"`);
    }
    // Leftovers of writers that died (an interrupted ingest) are swept first, once old enough.
    const swept = describeSweep(await sweepLake(ctx.lake));
    if (swept) io.err(swept);
    await compactBeforeRun(ctx.lake, io);
    const summary = await runDaily({ ...ctx, log: stderrLog(io) }, date);
    io.out(describeRun(summary));
    return 0;
  },
};

import { join, relative } from 'node:path';
import { runDaily } from '../../shared/pipeline/daily-run.ts';
import { ingestFile } from '../../shared/pipeline/ingest.ts';
import { DEMO_AS_OF, writeDemoExports } from '../../shared/synth/demo.ts';
import { type Command, LAKE_HELP, LAKE_OPTIONS, str } from '../command.ts';
import { lakeContext } from '../context.ts';
import { stderrLog } from '../io.ts';
import { compactBeforeRun } from '../sweep.ts';
import { describeReport } from './ingest.ts';
import { describeRun } from './run.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'generate sample exports, ingest them and run the models (no AWS needed)',
  help: `Usage: storepulse demo [--exports DIR] [options]

Writes sample exports of one shop selling on five platforms (exchange rates, a Shopify orders export,
a point-of-sale file in the generic CSV layout, Amazon's All Orders report, Taobao's order and item
reports in GBK, a TikTok Shop export, web-store traffic, and a later Shopify re-export with refunds),
ingests them into the lake, runs the models as of ${DEMO_AS_OF} and prints the segments, the
churn-recall list, the basket rules and the funnel breakpoints.

Options:
  --exports DIR        where to write the sample exports (default ./exports)
${LAKE_HELP}
  -h, --help           this help
`,
  options: { ...LAKE_OPTIONS, exports: { type: 'string', default: './exports' } },
  async run(values, _positionals, io) {
    const started = Date.now();
    const ctx = lakeContext(values);
    const log = stderrLog(io);
    const dir = str(values.exports) ?? './exports';
    io.err(`Writing sample exports to ${dir} ...\n`);
    const files = await writeDemoExports(dir);
    let landed = 0;
    for (const f of files) {
      io.err(`  ${relative('.', f.path) || f.path}: ${f.layout}, ${f.lines.toLocaleString('en-US')} lines\n`);
    }
    for (const f of files) {
      const report = await ingestFile({ ...ctx, log }, { path: f.path, exportedAt: f.exportedAt.getTime() });
      if (report.table === 'order_lines') landed += report.rowsLanded;
      io.out(describeReport(report));
    }
    await compactBeforeRun(ctx.lake, io);
    const summary = await runDaily({ ...ctx, log }, DEMO_AS_OF);
    io.out(`\n${describeRun(summary)}`);
    const lakeFlag = str(values.lake) === './lake' ? '' : ` --lake ${str(values.lake)}`;
    io.out(
      `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s (${landed.toLocaleString('en-US')} order lines ingested). Try next:\n` +
        `  npx storepulse query${lakeFlag} "select segment, segment_zh, count(*) as customers, round(avg(monetary), 2) as avg_spend from rfm_latest group by all order by customers desc"\n` +
        `  npx storepulse query${lakeFlag} "select source, status, count(*) as lines, round(sum(net_amount_rc), 2) as net from order_lines group by all order by all"\n` +
        `  npx storepulse query${lakeFlag} --format csv "select * from churn_recall_latest order by value_at_risk desc limit 10"\n` +
        `  npx storepulse query${lakeFlag} "select customer_id, round(p_alive, 2) as p_alive, round(clv_12m, 2) as clv_12m from clv_latest order by clv_12m desc limit 10"\n` +
        `  npx storepulse query${lakeFlag} "select sku, rank, bundle_sku, round(confidence, 2) as confidence, round(lift, 1) as lift from bundles_latest order by lift desc limit 10"\n` +
        `  npx storepulse query${lakeFlag} "select sku, step, round(step_conversion, 3) as conv, round(baseline_conversion, 3) as baseline from funnel_latest where significant"\n` +
        `  npx storepulse query${lakeFlag} "select cohort_month, month_index, round(retention_pct, 1) as retention_pct from aarrr_cohorts_latest where month_index <= 3 order by 1, 2"\n` +
        `  The CRM import file: ${join(ctx.lake.location, summary.recallListKey)}\n`,
    );
    return 0;
  },
};

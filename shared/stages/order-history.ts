/**
 * The order history's health, said once per run: lines converted with rates that arrived after
 * their export, purchases without a buyer id (left out of the customer models), and the revenue of
 * the last 30 days (the report's headline, all orders and the part with a buyer id).
 */
import { orderLines } from '../schemas/tables.ts';
import { stringList } from '../sql/render.ts';
import { addDays } from '../time.ts';
import { query } from './row-shape.ts';
import { defineStage } from './stage.ts';

const unconvertedAtIngest = query('lines_unconverted_at_ingest', { lines: 'int' });
const convertedLate = query('lines_converted_late', { currency: 'string', lines: 'int' });
const withoutBuyer = query('purchases_without_buyer', { source: 'string', orders: 'int', lines: 'int' });
const revenueRecent = query('revenue_recent', { revenue: 'double', revenue_identified: 'double' });

export const orderHistoryStage = defineStage({
  name: 'order_history',
  doc: 'Lines converted late, purchases without a buyer, revenue of the last 30 days.',
  queries: [unconvertedAtIngest, convertedLate, withoutBuyer, revenueRecent],
  reads: [],
  writes: [],
  settings: ['reportingCurrency'],
  memoryMb: 1024,
  timeoutSeconds: 300,
  async run(ctx) {
    const { asOf, log } = ctx;
    const bounds = ctx.bounds(orderLines);
    // The order_lines view converts at read time (order_lines_latest.sql): rates ingested after the
    // orders apply now, with no re-ingest. Most runs have none to look for: the commit records count
    // the lines stored without a rate; where a record predates that count, a scan of the versions says.
    const storedWithoutRate =
      bounds === undefined
        ? 0
        : (bounds.withoutRate ??
          (
            await ctx.rows(unconvertedAtIngest, {
              as_of: asOf,
              first_day: bounds.first,
              sources: stringList(bounds.sources),
            })
          )[0]?.lines ??
          0);
    const late = storedWithoutRate ? await ctx.rows(convertedLate, { as_of: asOf }) : [];
    const linesConvertedLate = late.reduce((n, r) => n + r.lines, 0);
    if (linesConvertedLate) {
      const named = late
        .map((r) => `${r.lines} ${r.currency}`)
        .sort()
        .join(', ');
      log.info(
        `run ${asOf}: ${linesConvertedLate} line(s) converted to ${ctx.settings.reportingCurrency} with rates that arrived ` +
          `after their export was ingested (${named})`,
      );
    }
    const buyerless = (await ctx.rows(withoutBuyer, { as_of: asOf })).sort((a, b) =>
      a.source.localeCompare(b.source),
    );
    if (buyerless.length) {
      log.info(
        `run ${asOf}: ${buyerless.map((w) => `${w.orders} ${w.source}`).join(', ')} order(s) carry no buyer id; ` +
          'the customer models leave them out',
      );
    }
    const [revenue30] = await ctx.rows(revenueRecent, { as_of: asOf, since: addDays(asOf, -30) });
    return {
      tables: {},
      metrics: [
        { model: 'revenue', metric: 'revenue_30d_all_orders', value: revenue30?.revenue ?? 0 },
        { model: 'revenue', metric: 'revenue_30d_identified', value: revenue30?.revenue_identified ?? 0 },
      ],
      summary: { linesConvertedLate, withoutBuyer: buyerless },
    };
  },
  describe: ({ withoutBuyer }) =>
    withoutBuyer.length
      ? [
          `Left out of the customer models (no buyer id in the export): ${withoutBuyer
            .map((w) => `${w.orders.toLocaleString('en-US')} ${w.source} order(s)`)
            .join(', ')}`,
        ]
      : [],
});

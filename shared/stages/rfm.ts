/** RFM scores and the eight value segments per customer (shared/models/rfm.ts), from SQL aggregates. */
import { rfmColumns, SEGMENT_INFO } from '../models/rfm.ts';
import { segmentsSection } from '../report/sections/segments.ts';
import { rfm, SEGMENTS, type Segment } from '../schemas/tables.ts';
import { byCustomer } from './customer-order.ts';
import { query } from './row-shape.ts';
import { defineStage } from './stage.ts';

const aggregates = query('rfm_customer_aggregates', {
  customer_id: 'string',
  first_order_date: 'date',
  last_order_date: 'date',
  frequency: 'int',
  monetary: 'double',
  lines_without_rate: 'int',
});
const linesWithoutRate = query('lines_without_rate', {
  currency: 'string',
  first_date: 'date',
  last_date: 'date',
  lines: 'int',
});

/** Model inputs in customer order, so a run's output does not depend on the SQL engine's row order. */
export const byCustomerId = (a: { customer_id: string }, b: { customer_id: string }): number =>
  a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0;

export const rfmStage = defineStage({
  name: 'rfm',
  doc: 'RFM scores and value segments per customer.',
  queries: [aggregates, linesWithoutRate],
  reads: [],
  writes: [rfm],
  settings: ['reportingCurrency'],
  memoryMb: 2048,
  timeoutSeconds: 900,
  report: [segmentsSection],
  async run(ctx) {
    const { asOf, log } = ctx;
    log.info(`run ${asOf}: aggregating purchases per customer`);
    const input = byCustomer((await ctx.columns(aggregates, { as_of: asOf })).columns);
    let customersWithoutRate = 0;
    for (const lines of input.lines_without_rate) if (lines > 0) customersWithoutRate++;
    if (customersWithoutRate) {
      const gaps = await ctx.rows(linesWithoutRate, { as_of: asOf });
      const named = gaps
        .map((g) => `${g.lines} ${g.currency} line(s) dated ${g.first_date}..${g.last_date}`)
        .sort()
        .join(', ');
      log.warn(
        `${customersWithoutRate} customer(s) have purchases without an exchange rate to ${ctx.settings.reportingCurrency} ` +
          `(${named}) on their dates or up to 7 days before; their monetary value leaves those purchases out ` +
          'for now. Once rates for those dates are ingested, the next run converts them (no re-ingest needed).',
      );
    }
    const customers = input.customer_id.length;
    log.info(`run ${asOf}: RFM over ${customers} customers`);
    const result = rfmColumns(input, asOf);
    const segments = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
    for (const segment of result.columns.segment) segments[segment]++;
    return {
      tables: { rfm: result.columns },
      summary: { customers, customersWithoutRate, segments, means: result.means },
    };
  },
  describe: (s, { asOf }) => [
    `As of ${asOf}: ${s.customers.toLocaleString('en-US')} customers ` +
      `(mean recency ${s.means.recency_days.toFixed(0)} days, frequency ${s.means.frequency.toFixed(2)}, ` +
      `spend ${s.means.monetary.toFixed(2)})`,
    {
      columns: ['segment', 'segment_zh', 'customers', 'action'],
      rows: SEGMENT_INFO.map((info) => ({
        segment: info.segment,
        segment_zh: info.zh,
        customers: s.segments[info.segment],
        action: info.action,
      })),
    },
  ],
});

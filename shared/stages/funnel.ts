/** Conversion funnels, traffic and orders, each day against its trailing baseline (shared/pipeline/funnel-run.ts). */
import { runFunnels } from '../pipeline/funnel-run.ts';
import { funnelSection } from '../report/sections/funnel.ts';
import { funnel } from '../schemas/tables.ts';
import { query } from './row-shape.ts';
import { columnsOf, defineStage } from './stage.ts';

const traffic = query('funnel_traffic', {
  date: 'date',
  channel: 'string',
  sku: 'string?',
  impressions: 'double?',
  visits: 'double?',
  add_to_cart: 'double?',
  orders: 'double?',
  paid_orders: 'double?',
});
const orders = query('funnel_orders', {
  date: 'date',
  channel: 'string',
  created: 'double',
  paid: 'double',
  shipped: 'double',
  completed: 'double',
  cancelled: 'double',
  refunded: 'double',
});

export const funnelStage = defineStage({
  name: 'funnel',
  doc: 'Traffic and order funnels of the last 28 days with their breakpoints.',
  queries: [traffic, orders],
  reads: [],
  writes: [funnel],
  settings: [],
  memoryMb: 1024,
  timeoutSeconds: 300,
  report: [funnelSection],
  async run(ctx) {
    ctx.log.info(`run ${ctx.asOf}: funnels`);
    const funnels = await runFunnels(ctx.engine, ctx.asOf);
    return { tables: { funnel: columnsOf(funnel, funnels.rows) }, summary: funnels.summary };
  },
  describe: ({ breakpoints: bp }) => [
    bp.length
      ? `Funnel breakpoints today (table funnel): ${bp
          .slice(0, 5)
          .map(
            (x) =>
              `${x.kind} ${x.channel}${x.sku ? ` ${x.sku}` : ''} at ${x.step} (${Math.round(x.drop * 100)} % below its 28-day baseline)`,
          )
          .join('; ')}`
      : 'Funnel breakpoints today (table funnel): none significant',
  ],
});

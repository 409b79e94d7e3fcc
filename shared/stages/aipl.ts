/**
 * AIPL stages and the FAST and GROW indicators (shared/models/aipl.ts): per-customer features from
 * SQL, yesterday's stages for FAST's advance rate, and today's RFM for the super users (m_high).
 */
import type { Table } from 'apache-arrow';
import { type AiplStage, fastAndGrowColumns } from '../models/aipl.ts';
import { aipl, fast, grow, rfm } from '../schemas/tables.ts';
import { addDays } from '../time.ts';
import { arrowColumns } from './arrow-rows.ts';
import { byCustomer } from './customer-order.ts';
import { query } from './row-shape.ts';
import { columnsOf, defineStage } from './stage.ts';

const features = query('customer_features', {
  customer_id: 'string',
  orders: 'int',
  first_purchase_dt: 'date?',
  purchase_days: 'int',
  purchase_days_365: 'int',
  purchase_days_30: 'int',
  purchase_days_prev30: 'int',
  spend_30: 'double',
  spend_prev30: 'double',
  new_categories_30: 'int',
});
const previousAipl = { table: aipl, day: 'previous' } as const;
const todaysRfm = { table: rfm, day: 'run' } as const;

function stagesOf(table: Table | undefined): Map<string, AiplStage> | undefined {
  if (!table) return undefined;
  const { customer_id: ids, stage } = arrowColumns(table, ['customer_id', 'stage']);
  return new Map(ids.map((id, i) => [id as string, stage[i] as AiplStage]));
}

function highSpenders(table: Table | undefined): Set<string> {
  const out = new Set<string>();
  if (!table) return out;
  const { customer_id: ids, m_high: high } = arrowColumns(table, ['customer_id', 'm_high']);
  for (let i = 0; i < ids.length; i++) if (high[i] === true) out.add(ids[i] as string);
  return out;
}

export const aiplStage = defineStage({
  name: 'aipl',
  doc: 'AIPL stage per customer, FAST and GROW indicators.',
  queries: [features],
  reads: [previousAipl, todaysRfm],
  writes: [aipl, fast, grow],
  settings: [],
  memoryMb: 2560,
  timeoutSeconds: 900,
  async run(ctx) {
    const { asOf } = ctx;
    ctx.log.info(`run ${asOf}: AIPL / FAST / GROW`);
    const d30 = addDays(asOf, -30);
    const input = byCustomer(
      (await ctx.columns(features, { as_of: asOf, d30, d60: addDays(asOf, -60), d365: addDays(asOf, -365) }))
        .columns,
    );
    const previousStages = stagesOf(await ctx.read(previousAipl));
    const lifecycle = fastAndGrowColumns(input, d30, {
      ...(previousStages ? { previousStages } : {}),
      highSpenders: highSpenders(await ctx.read(todaysRfm)),
    });
    return {
      tables: {
        aipl: lifecycle.stages,
        fast: columnsOf(fast, [lifecycle.fast]),
        grow: columnsOf(grow, [lifecycle.grow]),
      },
      summary: { fast: lifecycle.fast, grow: lifecycle.grow },
    };
  },
});

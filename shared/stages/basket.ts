/** Basket rules at SKU and category level and the bundles (shared/pipeline/basket-run.ts). */
import { runBasketModels } from '../pipeline/basket-run.ts';
import { bundlesSection } from '../report/sections/bundles.ts';
import { basketRules, bundles } from '../schemas/tables.ts';
import { query } from './row-shape.ts';
import { columnsOf, defineStage } from './stage.ts';

const basketLines = query('basket_lines', { basket: 'string', sku: 'string', category: 'string?' });

export const basketStage = defineStage({
  name: 'basket',
  doc: 'Association rules over the orders of the basket window, and "frequently bought together" bundles.',
  queries: [basketLines],
  reads: [],
  writes: [basketRules, bundles],
  settings: [
    'basketWindowDays',
    'basketMinSupport',
    'basketMinConfidence',
    'basketMinLift',
    'basketMaxLength',
  ],
  memoryMb: 2560,
  timeoutSeconds: 900,
  report: [bundlesSection],
  async run(ctx) {
    const basket = await runBasketModels(
      async (window) => (await ctx.columns(basketLines, window)).columns,
      ctx.settings,
      ctx.asOf,
      ctx.log,
    );
    return {
      tables: {
        basket_rules: columnsOf(basketRules, basket.rules),
        bundles: columnsOf(bundles, basket.bundles),
      },
      summary: basket.summary,
    };
  },
  describe: (b) => [
    `Basket rules (table basket_rules): ${b.skuRules} SKU rules and ${b.categoryRules} category rules over ${b.baskets.toLocaleString('en-US')} orders; ${b.bundles} bundle suggestions (table bundles)`,
  ],
});

/** The basket stage's section: the best bundle for each SKU (its rank-1 rule), by lift, with product names. */
import { bundles } from '../../schemas/tables.ts';
import { product, table } from '../format.ts';
import { defineSection } from '../section.ts';

const EN = {
  bundles: 'Frequently bought together',
  with: 'Offer with',
  confidence: 'Confidence',
  lift: 'Lift',
};
const ZH: typeof EN = {
  bundles: '经常一起购买',
  with: '搭配推荐',
  confidence: '置信度',
  lift: '提升度',
};

export const bundlesSection = defineSection({
  id: 'bundles',
  placement: 'sales',
  labels: { en: EN, zh: ZH },
  title: (page) => page.labels.bundles,
  async gather({ asOf, partition, productName }) {
    return (await partition(bundles, asOf))
      .filter((b) => b.rank === 1)
      .sort((a, b) => b.lift - a.lift)
      .slice(0, 10)
      .map((b) => ({
        sku: b.sku,
        name: productName(b.sku),
        bundle_sku: b.bundle_sku,
        bundle_name: productName(b.bundle_sku),
        confidence: b.confidence,
        lift: b.lift,
      }));
  },
  render: (rows, { labels: L, format: f }) =>
    rows.length
      ? table(
          [
            { header: 'SKU' },
            { header: L.with },
            { header: L.confidence, numeric: true },
            { header: L.lift, numeric: true },
          ],
          rows.map((b) => [
            product(b.sku, b.name),
            product(b.bundle_sku, b.bundle_name),
            f.pct(b.confidence, 0),
            b.lift.toFixed(1),
          ]),
          'plain',
        )
      : null,
});

/**
 * Every known export format, and detection by header signature. Adding a marketplace means adding
 * its file to this list, its fixture under test/fixtures/formats/ and a row to the README.
 */
import { UnreadableFileError } from '../errors.ts';
import { type ExportFormat, normaliseHeader } from './format.ts';
import { genericOrders } from './generic-orders.ts';
import { fxRatesCsv, genericInventory, genericProducts, genericTraffic } from './generic-tables.ts';
import { amazonOrders } from './platforms/amazon-orders.ts';
import { amazonBusinessReport, amazonFbaInventory } from './platforms/amazon-reports.ts';
import { douyinOrders } from './platforms/douyin-orders.ts';
import { ebayOrders } from './platforms/ebay-orders.ts';
import { jdOrders } from './platforms/jd-orders.ts';
import { pddOrders } from './platforms/pdd-orders.ts';
import { shopifyInventory, shopifyProducts } from './platforms/shopify-catalog.ts';
import { taobaoItemReport, taobaoOrderReport } from './platforms/taobao.ts';
import { tiktokOrders } from './platforms/tiktok-orders.ts';
import { woocommerceOrders } from './platforms/woocommerce-orders.ts';
import { shopifyOrders } from './shopify-orders.ts';
import { cleanCell } from './values.ts';

export const FORMATS: readonly ExportFormat[] = [
  shopifyOrders,
  shopifyProducts,
  shopifyInventory,
  amazonOrders,
  amazonFbaInventory,
  amazonBusinessReport,
  taobaoOrderReport,
  taobaoItemReport,
  jdOrders,
  pddOrders,
  douyinOrders,
  tiktokOrders,
  woocommerceOrders,
  ebayOrders,
  genericOrders,
  genericProducts,
  genericInventory,
  genericTraffic,
  fxRatesCsv,
];

/** Every `source=` partition value a format writes (Glue partition projection enumerates them). */
export const SOURCES: readonly string[] = [...new Set(FORMATS.map((f) => f.source))];

export function formatNamed(name: string): ExportFormat {
  const f = FORMATS.find((x) => x.name === name);
  if (!f) throw new Error(`unknown source "${name}"; known: ${FORMATS.map((x) => x.name).join(', ')}`);
  return f;
}

export interface Candidate {
  format: ExportFormat;
  missing: string[];
  /** The header is mostly columns this (generic) format does not know. */
  tooForeign: boolean;
}

/**
 * Formats ranked by the share of their required columns the header has, best first; among equals
 * the one that knows more of the header's columns wins (a traffic file also has a products file's sku).
 */
export function rankFormats(header: readonly string[]): Candidate[] {
  const have = new Set(header.map(normaliseHeader));
  have.delete('');
  const scored = FORMATS.map((format) => {
    const missing = format.requiredColumns.filter((c) => !have.has(normaliseHeader(c)));
    const known = [...format.requiredColumns, ...(format.optionalColumns ?? [])].filter((c) =>
      have.has(normaliseHeader(c)),
    ).length;
    const tooForeign = known < (format.minKnownShare ?? 0) * have.size;
    // A format that knows too little of the header cannot match, however few columns it lacks.
    const share = missing.length / format.requiredColumns.length;
    const score = tooForeign && missing.length === 0 ? 1 : share;
    return { format, missing, known, score, tooForeign };
  });
  return scored
    .sort((a, b) => a.score - b.score || b.known - a.known)
    .map(({ format, missing, tooForeign }) => ({ format, missing, tooForeign }));
}

/** The format whose required columns the header all has; otherwise an error naming the closest ones. */
export function detectFormat(file: string, header: readonly string[]): ExportFormat {
  const ranked = rankFormats(header);
  const match = ranked.find((c) => c.missing.length === 0 && !c.tooForeign);
  if (match) return match.format;
  // A generic layout whose few columns a foreign file happens to have (a marketplace file missing
  // one of its own columns has a `sku`): named last, with how to force it.
  const foreign = ranked.find((c) => c.missing.length === 0 && c.tooForeign);
  const closest = ranked
    .filter((c) => c.missing.length > 0)
    .slice(0, 3)
    .map(
      (c) =>
        `${c.format.title} (--source ${c.format.name}) lacks ${c.missing.map((m) => `"${m}"`).join(', ')}`,
    )
    .join('; ');
  const also = foreign
    ? `; it has the columns of ${foreign.format.title} but mostly others (if it is one: --source ${foreign.format.name})`
    : '';
  throw new UnreadableFileError(file, `unknown export format. Closest: ${closest}${also}`);
}

/** Checks a forced format against the header, naming the columns it lacks. */
export function checkFormat(file: string, header: readonly string[], format: ExportFormat): void {
  const have = new Set(header.map(normaliseHeader));
  const missing = format.requiredColumns.filter((c) => !have.has(normaliseHeader(c)));
  if (missing.length) {
    throw new UnreadableFileError(
      file,
      `not a ${format.title}: missing column(s) ${missing.map((m) => `"${m}"`).join(', ')}`,
    );
  }
}

/**
 * Columns a format needs that the header lacks, each named by its accepted names (`"Quantity" or
 * "Quantity (- Refund)"`): the file cannot be read row by row without them.
 */
export function missingNeededColumns(format: ExportFormat, header: readonly string[]): string[] {
  const have = new Set(header.map((h) => normaliseHeader(cleanCell(h))));
  return (format.neededColumns ?? [])
    .filter((names) => !names.some((n) => have.has(normaliseHeader(n))))
    .map((names) => names.map((n) => `"${n}"`).join(' or '));
}

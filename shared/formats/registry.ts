/**
 * Every known export format, and detection by header signature. Adding a marketplace means adding
 * its file to this list (and its fixture under test/fixtures/formats/).
 */
import { UnreadableFileError } from '../errors.ts';
import { normaliseHeader, type OrdersFormat } from './format.ts';
import { genericOrders } from './generic-orders.ts';
import { shopifyOrders } from './shopify-orders.ts';

export const ORDER_FORMATS: readonly OrdersFormat[] = [shopifyOrders, genericOrders];

export function formatNamed(name: string): OrdersFormat {
  const f = ORDER_FORMATS.find((x) => x.name === name);
  if (!f) throw new Error(`unknown source "${name}"; known: ${ORDER_FORMATS.map((x) => x.name).join(', ')}`);
  return f;
}

export interface Candidate {
  format: OrdersFormat;
  missing: string[];
}

/** Formats ranked by how many of their required columns the header has, best first. */
export function rankFormats(header: readonly string[]): Candidate[] {
  const have = new Set(header.map(normaliseHeader));
  return ORDER_FORMATS.map((format) => ({
    format,
    missing: format.requiredColumns.filter((c) => !have.has(normaliseHeader(c))),
  })).sort(
    (a, b) =>
      a.missing.length / a.format.requiredColumns.length - b.missing.length / b.format.requiredColumns.length,
  );
}

/** The format whose required columns the header all has; otherwise an error naming the closest ones. */
export function detectFormat(file: string, header: readonly string[]): OrdersFormat {
  const ranked = rankFormats(header);
  const match = ranked.find((c) => c.missing.length === 0);
  if (match) return match.format;
  const closest = ranked
    .slice(0, 2)
    .map(
      (c) =>
        `${c.format.title} (--source ${c.format.name}) lacks ${c.missing.map((m) => `"${m}"`).join(', ')}`,
    )
    .join('; ');
  throw new UnreadableFileError(file, `unknown export format. Closest: ${closest}`);
}

/** Checks a forced format against the header, naming the columns it lacks. */
export function checkFormat(file: string, header: readonly string[], format: OrdersFormat): void {
  const have = new Set(header.map(normaliseHeader));
  const missing = format.requiredColumns.filter((c) => !have.has(normaliseHeader(c)));
  if (missing.length) {
    throw new UnreadableFileError(
      file,
      `not a ${format.title}: missing column(s) ${missing.map((m) => `"${m}"`).join(', ')}`,
    );
  }
}

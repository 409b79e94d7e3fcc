/** Query results as an aligned table, RFC 4180 CSV, or a JSON array of objects. */
import { toCsv } from '../shared/csv/writer.ts';
import { displayWidth, padEnd, padStart, truncate } from './width.ts';

export type OutputFormat = 'table' | 'csv' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json'];

const cell = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c]).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) =>
    Math.min(60, Math.max(displayWidth(c), ...cells.map((r) => displayWidth(r[i]!)))),
  );
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => r[c] == null || typeof r[c] === 'number'),
  );
  const fmt = (values: readonly string[]) =>
    values
      .map((v, i) => {
        const w = widths[i]!;
        const s = truncate(v, w);
        return numeric[i] ? padStart(s, w) : padEnd(s, w);
      })
      .join('  ')
      .trimEnd();
  const lines = [fmt(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)];
  lines.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${lines.join('\n')}\n`;
}

export function formatRows(
  format: OutputFormat,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): string {
  switch (format) {
    case 'table':
      return formatTable(columns, rows);
    case 'csv':
      return toCsv(columns, rows);
    case 'json':
      return `${JSON.stringify(
        rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))),
        null,
        2,
      )}\n`;
  }
}

/**
 * The generic CSV layouts of the non-order tables (products, inventory, traffic, exchange rates):
 * the table's own column names, any order, optional columns may be left out. The layouts derive from
 * the table schemas, so a column added to a schema is accepted here and documented in the README.
 */
import type { ColumnSpec, TableSpec } from '../schemas/table.ts';
import { fxRates, inventory, products, traffic } from '../schemas/tables.ts';
import { isoDate } from '../time.ts';
import {
  columnIndex,
  type FormatContext,
  normaliseHeader,
  type TableFormat,
  type TableRow,
  widthProblem,
} from './format.ts';
import {
  type Bad,
  bad,
  cleanCell,
  clip,
  isBad,
  lakeTimeProblem,
  parseCountLoose,
  parseCurrency,
  parseDateTime,
  parseMoney,
} from './values.ts';

/** Values of required columns a file may leave out. */
const DEFAULTS: Record<string, (ctx: FormatContext) => string> = {
  // A rates file converts into the reporting currency unless it says otherwise.
  reporting_currency: (ctx) => ctx.reportingCurrency,
};

/** Columns no file gives: ingest fills the first two, a compaction the last (lake/compaction.ts). */
const SET_BY_INGEST = new Set(['batch_id', 'exported_at', 'compaction_id']);

export const layoutColumns = (spec: TableSpec): ColumnSpec[] =>
  spec.columns.filter((c) => !SET_BY_INGEST.has(c.name));

/** Parses one cell by its declared type. */
export function parseByType(c: ColumnSpec, raw: string, tz: string): string | number | Bad {
  switch (c.type) {
    case 'int32':
      return parseCountLoose(raw, `whole number for ${c.name}`);
    case 'double':
      return parseMoney(raw, `number for ${c.name}`);
    case 'timestamp': {
      const ms = parseDateTime(raw, tz, 'mdy');
      const when = isBad(ms) ? undefined : lakeTimeProblem(ms);
      return when ? bad(`${c.name} ${clip(raw)} is ${when}`) : ms;
    }
    case 'date': {
      const ms = parseDateTime(raw, 'UTC', 'mdy');
      const when = isBad(ms) ? undefined : lakeTimeProblem(ms + 14 * 3_600_000);
      if (when) return bad(`${c.name} ${clip(raw)} is ${when}`);
      return isBad(ms) ? ms : isoDate(ms);
    }
    case 'boolean':
    case 'string':
      return c.name === 'currency' || c.name === 'reporting_currency' ? parseCurrency(raw) : raw;
  }
}

function genericTable(spec: TableSpec, name: string, title: string): TableFormat {
  const columns = layoutColumns(spec);
  return {
    table: spec.name as TableFormat['table'],
    name,
    source: name === 'fx-rates' ? 'fx' : 'generic',
    title,
    download: 'written by you or your ERP in this layout (README "Generic CSV layouts")',
    delimiter: ',',
    quoting: true,
    requiredColumns: columns.filter((c) => !c.nullable && !DEFAULTS[c.name]).map((c) => c.name),
    minKnownShare: 0.5,
    optionalColumns: columns.filter((c) => c.nullable || DEFAULTS[c.name]).map((c) => c.name),
    open(header, ctx, sink) {
      const idx = columnIndex(
        header,
        columns.map((c) => c.name),
      );
      const known = new Set(columns.map((c) => c.name));
      const extra = header.filter((h) => h.trim() && !known.has(normaliseHeader(h)));
      if (extra.length) sink.warn(`ignored columns not in the ${spec.name} layout: ${extra.join(', ')}`);
      return {
        row(fields, line, out) {
          if (fields.length !== header.length) return out.reject(widthProblem(fields, header.length, line));
          const row: TableRow = {};
          for (const c of columns) {
            const i = idx.get(c.name) ?? -1;
            const raw = i < 0 ? '' : cleanCell(fields[i] ?? '');
            if (raw === '') {
              const fallback = DEFAULTS[c.name]?.(ctx);
              if (fallback !== undefined) {
                row[c.name] = fallback;
                continue;
              }
              if (!c.nullable)
                return out.reject({
                  line,
                  column: c.name,
                  reason: 'required value is empty',
                  record: fields,
                });
              row[c.name] = null;
              continue;
            }
            const v = parseByType(c, raw, ctx.timeZone);
            if (isBad(v)) return out.reject({ line, column: c.name, reason: v.reason, record: fields });
            if (c.type === 'double' && typeof v === 'number' && v < 0 && c.name !== 'revenue') {
              return out.reject({ line, column: c.name, reason: `negative: "${clip(raw)}"`, record: fields });
            }
            row[c.name] = v;
          }
          out.accept(row);
        },
        finish() {},
      };
    },
  };
}

export const genericProducts = genericTable(products, 'generic-products', 'storepulse generic products CSV');
export const genericInventory = genericTable(
  inventory,
  'generic-inventory',
  'storepulse generic inventory CSV',
);
export const genericTraffic = genericTable(traffic, 'generic-traffic', 'storepulse generic traffic CSV');
export const fxRatesCsv = genericTable(fxRates, 'fx-rates', 'exchange rates CSV (date, currency, rate)');

import { allColumns, type TableSpec } from '../schemas/table.ts';
import { quoteIdent } from './render.ts';

/** A table's columns (stored, then partition keys) as a quoted SQL list. */
export const columnList = (spec: TableSpec): string =>
  allColumns(spec)
    .map((c) => quoteIdent(c.name))
    .join(', ');

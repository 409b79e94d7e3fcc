/**
 * The one way a table is declared. Arrow schemas (Parquet files), DuckDB view types, Glue columns
 * and row validation all derive from a TableSpec, so a column is named and typed in one place.
 */
export type ColumnType = 'string' | 'int32' | 'double' | 'boolean' | 'date' | 'timestamp';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly doc: string;
  /** Allowed values, for string columns with a closed vocabulary. */
  readonly values?: readonly string[];
  /** Nearly every value distinct (ids, e-mails): stored PLAIN, without trying a dictionary first. */
  readonly unique?: boolean;
}

export type Zone = 'curated' | 'models' | 'alerts' | 'restricted';

export interface TableSpec {
  readonly name: string;
  readonly zone: Zone;
  readonly doc: string;
  /** Columns stored in the Parquet files. */
  readonly columns: readonly ColumnSpec[];
  /** Hive partition keys, in key order; always strings (`dt` is `YYYY-MM-DD`). */
  readonly partitionKeys: readonly ColumnSpec[];
}

export const col = (
  name: string,
  type: ColumnType,
  doc: string,
  opts: { nullable?: boolean; values?: readonly string[]; unique?: boolean } = {},
): ColumnSpec => ({
  name,
  type,
  doc,
  nullable: opts.nullable ?? true,
  ...(opts.values ? { values: opts.values } : {}),
  ...(opts.unique ? { unique: true } : {}),
});

export const required = (
  name: string,
  type: ColumnType,
  doc: string,
  values?: readonly string[],
): ColumnSpec => col(name, type, doc, { nullable: false, ...(values ? { values } : {}) });

export const partitionKey = (name: string, doc: string): ColumnSpec => required(name, 'string', doc);

/** All columns a reader sees: stored columns, then partition keys. */
export const allColumns = (spec: TableSpec): readonly ColumnSpec[] => [
  ...spec.columns,
  ...spec.partitionKeys,
];

/**
 * The one way a table is declared. Arrow schemas (Parquet files), DuckDB view types, Glue columns
 * and row validation all derive from a TableSpec, so a column is named and typed in one place; so
 * do the TypeScript types of a table's rows and output columns (RowOf, ColumnsOf), which is why
 * `col`, `required` and `partitionKey` keep each column's literal name, type, nullability and
 * vocabulary in their return types, and `defineTable` keeps the column tuple.
 */
export type ColumnType = 'string' | 'int32' | 'double' | 'boolean' | 'date' | 'timestamp';

/**
 * A value of each column type as models produce it and the encoder takes it (shared/parquet/columns.ts,
 * checked by stages/output-check.ts): a date is a `YYYY-MM-DD` string (the encoder turns it into days
 * since the epoch; partitions read back give it as such, stages/arrow-rows.ts), a timestamp epoch
 * milliseconds.
 */
export interface ColumnValue {
  string: string;
  int32: number;
  double: number;
  boolean: boolean;
  date: string;
  timestamp: number;
}

export interface ColumnSpec<
  N extends string = string,
  T extends ColumnType = ColumnType,
  Nullable extends boolean = boolean,
  V extends readonly string[] = readonly string[],
> {
  readonly name: N;
  readonly type: T;
  readonly nullable: Nullable;
  readonly doc: string;
  /** Allowed values, for string columns with a closed vocabulary. */
  readonly values?: V;
  /** Nearly every value distinct (ids, e-mails): stored PLAIN, without trying a dictionary first. */
  readonly unique?: boolean;
}

export type Zone = 'curated' | 'models' | 'alerts' | 'restricted';

export interface TableSpec<
  N extends string = string,
  C extends readonly ColumnSpec[] = readonly ColumnSpec[],
> {
  readonly name: N;
  readonly zone: Zone;
  readonly doc: string;
  /** Columns stored in the Parquet files. */
  readonly columns: C;
  /** Hive partition keys, in key order; always strings (`dt` is `YYYY-MM-DD`). */
  readonly partitionKeys: readonly ColumnSpec[];
}

/** Declares a table: the spec itself, with its name and column tuple kept as literal types. */
export const defineTable = <const N extends string, const C extends readonly ColumnSpec[]>(
  spec: TableSpec<N, C>,
): TableSpec<N, C> => spec;

/** The TypeScript type of a column's values: a vocabulary's literals, `| null` where nullable. */
export type ValueOf<C extends ColumnSpec> =
  | (C['type'] extends 'string' ? NonNullable<C['values']>[number] : ColumnValue[C['type']])
  | (true extends C['nullable'] ? null : never);

/** One row of a table's stored columns (partition keys are in the path, not the row), by name. */
export type RowOf<T extends TableSpec> = {
  [C in T['columns'][number] as C['name']]: ValueOf<C>;
};

/**
 * A table's stored columns as a stage returns them: per column any array-like of its values, so a
 * Float64Array or Int32Array fits a number column.
 */
export type ColumnsOf<T extends TableSpec> = {
  readonly [C in T['columns'][number] as C['name']]: ArrayLike<ValueOf<C>>;
};

export const col = <
  const N extends string,
  const T extends ColumnType,
  const Nullable extends boolean = true,
  const V extends readonly string[] = readonly string[],
>(
  name: N,
  type: T,
  doc: string,
  opts: { nullable?: Nullable; values?: V; unique?: boolean } = {},
  // NoInfer: a column with no `nullable` is nullable, not whatever a surrounding ColumnSpec[] allows.
): ColumnSpec<N, T, NoInfer<Nullable>, V> => ({
  name,
  type,
  doc,
  nullable: opts.nullable ?? (true as Nullable),
  ...(opts.values ? { values: opts.values } : {}),
  ...(opts.unique ? { unique: true } : {}),
});

export const required = <
  const N extends string,
  const T extends ColumnType,
  const V extends readonly string[] = readonly string[],
>(
  name: N,
  type: T,
  doc: string,
  values?: V,
): ColumnSpec<N, T, false, V> =>
  col<N, T, false, V>(name, type, doc, { nullable: false, ...(values ? { values } : {}) });

export const partitionKey = <const N extends string>(name: N, doc: string): ColumnSpec<N, 'string', false> =>
  required(name, 'string', doc);

/** All columns a reader sees: stored columns, then partition keys. */
export const allColumns = (spec: TableSpec): readonly ColumnSpec[] => [
  ...spec.columns,
  ...spec.partitionKeys,
];

/**
 * A Parquet file's schema against the Glue column types, checked the way Athena's Parquet reader maps
 * them, so that a file Athena could not read fails here too (HIVE_BAD_DATA).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { GLUE_TYPES, type GlueTable } from './catalog.ts';
import { QueryFailure } from './query-failure.ts';
import { sqlString } from './sql-text.ts';

/**
 * The file's top-level columns against the Glue types, as Athena's Parquet reader maps them;
 * returns the lower-cased names of the file's columns. A column it cannot read fails HIVE_BAD_DATA.
 */
export async function checkParquetSchema(
  db: DuckDBConnection,
  path: string,
  uri: string,
  table: GlueTable,
): Promise<string[]> {
  let rows: Record<string, unknown>[];
  try {
    const reader = await db.runAndReadAll(
      `select name, type, converted_type, logical_type, num_children, repetition_type from parquet_schema(${sqlString(path)})`,
    );
    rows = reader.getRowObjectsJson() as Record<string, unknown>[];
  } catch (e) {
    throw new QueryFailure(
      `HIVE_BAD_DATA: Malformed Parquet file ${uri}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  // The first row is the schema root; its children follow depth-first.
  const top: Record<string, unknown>[] = [];
  let i = 1;
  const skip = (): void => {
    const row = rows[i++]!;
    for (let c = 0; c < Number(row.num_children ?? 0); c++) skip();
  };
  while (i < rows.length) {
    top.push(rows[i]!);
    skip();
  }
  const glue = new Map(table.columns.map((c) => [c.name, c.type]));
  const names: string[] = [];
  for (const col of top) {
    const name = String(col.name).toLowerCase();
    names.push(name);
    const glueType = glue.get(name);
    if (!glueType) continue;
    const physical = col.type === null ? 'group' : String(col.type);
    const converted = col.converted_type === null ? '' : String(col.converted_type);
    const logical = col.logical_type === null ? '' : String(col.logical_type);
    const nested = Number(col.num_children ?? 0) > 0 || col.repetition_type === 'REPEATED';
    const decimal = converted === 'DECIMAL' || /Decimal/i.test(logical);
    const ok =
      !nested &&
      !decimal &&
      (() => {
        switch (glueType) {
          case 'string':
            return physical === 'BYTE_ARRAY' && ['', 'UTF8', 'ENUM', 'JSON'].includes(converted);
          case 'int':
            return physical === 'INT32' && ['', 'INT_8', 'INT_16', 'INT_32'].includes(converted);
          case 'bigint':
            return (
              (physical === 'INT32' && ['', 'INT_8', 'INT_16', 'INT_32'].includes(converted)) ||
              (physical === 'INT64' && ['', 'INT_64'].includes(converted) && !/Timestamp/i.test(logical))
            );
          case 'double':
            return physical === 'DOUBLE' || physical === 'FLOAT';
          case 'boolean':
            return physical === 'BOOLEAN';
          case 'date':
            return physical === 'INT32' && converted === 'DATE';
          case 'timestamp':
            return (
              physical === 'INT96' ||
              (physical === 'INT64' &&
                (['TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS'].includes(converted) || /Timestamp/i.test(logical)))
            );
          default:
            return false;
        }
      })();
    if (!ok) {
      const shown = physical === 'BYTE_ARRAY' ? 'BINARY' : physical;
      throw new QueryFailure(
        `HIVE_BAD_DATA: Field ${name}'s type ${shown}${converted ? ` (${converted})` : ''} in parquet file ${uri} is incompatible with type ${GLUE_TYPES[glueType]!.trino} defined in table schema`,
      );
    }
  }
  return names;
}

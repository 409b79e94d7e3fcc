/**
 * Values as Athena writes them in a result CSV: Trino's type names and its varchar rendering (doubles
 * as Java prints them, timestamps with milliseconds), every value quoted and NULL an empty field; and
 * the CSV read back into GetQueryResults pages.
 */
import { type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import { AthenaApiError, type ColumnInfo, type GetQueryResultsOutput } from './api.ts';
import { skipQuoted } from './sql-text.ts';

/** Java's Double.toString, which Trino's varchar rendering of a double follows. */
function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const a = Math.abs(n);
  if (a >= 1e-3 && a < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [m, e] = n.toExponential().split('e');
  return `${m!.includes('.') ? m : `${m}.0`}E${Number(e)}`;
}

export function trinoType(t: DuckDBType): { name: string; precision: number; scale: number } {
  switch (t.typeId) {
    case DuckDBTypeId.VARCHAR:
      return { name: 'varchar', precision: 2147483647, scale: 0 };
    case DuckDBTypeId.BOOLEAN:
      return { name: 'boolean', precision: 0, scale: 0 };
    case DuckDBTypeId.TINYINT:
      return { name: 'tinyint', precision: 3, scale: 0 };
    case DuckDBTypeId.SMALLINT:
      return { name: 'smallint', precision: 5, scale: 0 };
    case DuckDBTypeId.INTEGER:
      return { name: 'integer', precision: 10, scale: 0 };
    case DuckDBTypeId.BIGINT:
      return { name: 'bigint', precision: 19, scale: 0 };
    case DuckDBTypeId.FLOAT:
      return { name: 'real', precision: 17, scale: 0 };
    case DuckDBTypeId.DOUBLE:
      return { name: 'double', precision: 17, scale: 0 };
    case DuckDBTypeId.DATE:
      return { name: 'date', precision: 0, scale: 0 };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_MS:
      return { name: 'timestamp', precision: 3, scale: 0 };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { name: 'timestamp with time zone', precision: 3, scale: 0 };
    case DuckDBTypeId.DECIMAL: {
      const m = /DECIMAL\((\d+),(\d+)\)/.exec(t.toString());
      return { name: 'decimal', precision: Number(m?.[1] ?? 38), scale: Number(m?.[2] ?? 0) };
    }
    default:
      return { name: t.toString().toLowerCase(), precision: 0, scale: 0 };
  }
}

export function renderValue(v: unknown, t: DuckDBType): string | undefined {
  if (v === null || v === undefined) return undefined;
  switch (t.typeId) {
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
      return javaDouble(Number(v));
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      // Glue `timestamp` is timestamp(3) in Athena engine version 3: milliseconds, always three digits.
      const m = /^(\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(String(v));
      if (!m) return String(v);
      const tz = m[3] ? ` ${m[3] === '+00' ? 'UTC' : m[3]}` : '';
      return `${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}${tz}`;
    }
    default:
      return String(v);
  }
}

export const csvField = (v: string | undefined): string =>
  v === undefined ? '' : `"${v.replaceAll('"', '""')}"`;

/** Parses Athena's result CSV: every value quoted, NULL an empty unquoted field. */
export function parseResultCsv(text: string): (string | undefined)[][] {
  const rows: (string | undefined)[][] = [];
  let row: (string | undefined)[] = [];
  let i = 0;
  if (text.length === 0) return rows;
  for (;;) {
    let value: string | undefined;
    if (text[i] === '"') {
      const end = skipQuoted(text, i);
      value = text.slice(i + 1, end - 1).replaceAll('""', '"');
      i = end;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\n') j++;
      value = j === i ? undefined : text.slice(i, j);
      i = j;
    }
    row.push(value);
    if (text[i] === ',') {
      i++;
      continue;
    }
    rows.push(row);
    row = [];
    if (text[i] === '\n') i++;
    if (i >= text.length) return rows;
  }
}

/**
 * One GetQueryResults page of the rows of a result CSV (the first row holds the column names). The
 * NextToken is the stand-in's own: the query's id and the offset of the page after this one.
 */
export function resultsPage(
  queryId: string,
  rows: (string | undefined)[][],
  columns: ColumnInfo[],
  nextToken: string | undefined,
  maxResults: number,
): GetQueryResultsOutput {
  let offset = 0;
  if (nextToken) {
    const t = JSON.parse(Buffer.from(nextToken, 'base64url').toString('utf8')) as {
      id: string;
      offset: number;
    };
    if (t.id !== queryId)
      throw new AthenaApiError('InvalidRequestException', 'The NextToken is not valid for this query');
    offset = t.offset;
  }
  const page = rows.slice(offset, offset + maxResults);
  const next = offset + page.length;
  return {
    UpdateCount: 0,
    ResultSet: {
      Rows: page.map((row) => ({ Data: row.map((v) => (v === undefined ? {} : { VarCharValue: v })) })),
      ResultSetMetadata: { ColumnInfo: columns },
    },
    ...(next < rows.length
      ? { NextToken: Buffer.from(JSON.stringify({ id: queryId, offset: next })).toString('base64url') }
      : {}),
  };
}

/**
 * How a query fails: the reason GetQueryExecution reports for a query that ends FAILED or CANCELLED,
 * and DuckDB's errors reworded the way Athena words them (an error code, a colon, the message).
 */

/** A query that ends FAILED (or CANCELLED) with this reason. */
export class QueryFailure extends Error {
  constructor(
    readonly reason: string,
    readonly state: 'FAILED' | 'CANCELLED' = 'FAILED',
  ) {
    super(reason);
    this.name = 'QueryFailure';
  }
}

/** DuckDB errors as Athena words them. */
export function athenaReason(message: string): string {
  const first = message.split('\n')[0]!.trim();
  const m = /^([A-Za-z ]+?) Error: (.*)$/.exec(first);
  if (!m) return `GENERIC_INTERNAL_ERROR: ${first}`;
  const [, kind, text] = m as unknown as [string, string, string];
  const code = (() => {
    switch (kind) {
      case 'Parser':
        return 'SYNTAX_ERROR';
      case 'Catalog':
        if (/Table with name/i.test(text)) return 'TABLE_NOT_FOUND';
        if (/Function with name/i.test(text)) return 'FUNCTION_NOT_FOUND';
        if (/Schema with name/i.test(text)) return 'SCHEMA_NOT_FOUND';
        return 'SYNTAX_ERROR';
      case 'Binder':
        if (/column .* not found|does not have a column/i.test(text)) return 'COLUMN_NOT_FOUND';
        if (/No function matches/i.test(text)) return 'FUNCTION_NOT_FOUND';
        if (/Cannot compare|Cannot mix|cannot be cast|implicit cast/i.test(text)) return 'TYPE_MISMATCH';
        return 'SYNTAX_ERROR';
      case 'Conversion':
        return 'INVALID_CAST_ARGUMENT';
      case 'Out of Range':
        return 'NUMERIC_VALUE_OUT_OF_RANGE';
      case 'Invalid Input':
        return 'INVALID_FUNCTION_ARGUMENT';
      case 'Not implemented':
        return 'NOT_SUPPORTED';
      case 'Permission':
        return 'PERMISSION_DENIED';
      default:
        return 'GENERIC_INTERNAL_ERROR';
    }
  })();
  return `${code}: ${text}`;
}

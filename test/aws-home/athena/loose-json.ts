/**
 * Readers for untyped JSON (a template's resource properties, DuckDB's serialized syntax tree): each
 * gives an empty value where the shape is not the one asked for, so the caller reads on with defaults.
 */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

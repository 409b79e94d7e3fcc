/**
 * Partition projection: which objects of a Glue table Athena reads. With projection enabled the
 * partitions are computed from the table properties (enum, integer and date keys, the
 * `storage.location.template`), partition metadata is ignored, and objects outside a projected
 * partition are not read; hidden paths are skipped. The sources are listed in ../athena.ts.
 */
import type { GlueTable } from './catalog.ts';
import { QueryFailure } from './query-failure.ts';

interface ProjectedKey {
  name: string;
  /** Whether a value is one of the projected values. */
  accepts(value: string): boolean;
}

/** Java date pattern (the subset projection formats use) to a strict parser and formatter. */
function javaDateFormat(pattern: string): {
  parse(v: string): number | undefined;
  format(t: number): string;
} {
  const tokens = pattern.match(/yyyy|MM|dd|HH|mm|ss|'[^']*'|./g) ?? [];
  const widths: Record<string, number> = { yyyy: 4, MM: 2, dd: 2, HH: 2, mm: 2, ss: 2 };
  const format = (t: number) => {
    const d = new Date(t);
    const parts: Record<string, number> = {
      yyyy: d.getUTCFullYear(),
      MM: d.getUTCMonth() + 1,
      dd: d.getUTCDate(),
      HH: d.getUTCHours(),
      mm: d.getUTCMinutes(),
      ss: d.getUTCSeconds(),
    };
    return tokens
      .map((tok) =>
        widths[tok] !== undefined
          ? String(parts[tok]).padStart(widths[tok]!, '0')
          : tok.startsWith("'")
            ? tok.slice(1, -1)
            : tok,
      )
      .join('');
  };
  const parse = (v: string): number | undefined => {
    let i = 0;
    const got: Record<string, number> = { yyyy: 1970, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0 };
    for (const tok of tokens) {
      const w = widths[tok];
      if (w !== undefined) {
        const digits = v.slice(i, i + w);
        if (!/^\d+$/.test(digits) || digits.length !== w) return undefined;
        got[tok] = Number(digits);
        i += w;
      } else {
        const lit = tok.startsWith("'") ? tok.slice(1, -1) : tok;
        if (v.slice(i, i + lit.length) !== lit) return undefined;
        i += lit.length;
      }
    }
    if (i !== v.length) return undefined;
    const t = Date.UTC(got.yyyy!, got.MM! - 1, got.dd!, got.HH!, got.mm!, got.ss!);
    return format(t) === v ? t : undefined; // 2026-02-30 is not a day
  };
  return { parse, format };
}

const UNIT_MS: Record<string, number> = {
  SECONDS: 1_000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: 86_400_000,
  WEEKS: 7 * 86_400_000,
};

function addUnits(t: number, n: number, unit: string): number {
  if (unit === 'MONTHS' || unit === 'YEARS') {
    const d = new Date(t);
    d.setUTCMonth(d.getUTCMonth() + (unit === 'YEARS' ? 12 * n : n));
    return d.getTime();
  }
  const ms = UNIT_MS[unit];
  if (ms === undefined) throw new QueryFailure(`INVALID_TABLE_PROPERTY: unknown interval unit ${unit}`);
  return t + n * ms;
}

function projectedKeys(table: GlueTable, now: Date): ProjectedKey[] {
  const p = table.parameters;
  return table.partitionKeys.map((k): ProjectedKey => {
    const type = p[`projection.${k.name}.type`];
    if (type === 'enum') {
      const values = new Set((p[`projection.${k.name}.values`] ?? '').split(',').map((s) => s.trim()));
      return { name: k.name, accepts: (v) => values.has(v) };
    }
    if (type === 'injected') {
      // Any value: the query supplies it (partition-pruning.ts checks it does).
      return { name: k.name, accepts: () => true };
    }
    if (type === 'integer') {
      const [lo, hi] = (p[`projection.${k.name}.range`] ?? '').split(',').map((s) => Number(s.trim()));
      const digits = Number(p[`projection.${k.name}.digits`] ?? 0);
      const step = Number(p[`projection.${k.name}.interval`] ?? 1);
      return {
        name: k.name,
        accepts: (v) => {
          if (!/^-?\d+$/.test(v)) return false;
          const n = Number(v);
          if (lo === undefined || hi === undefined || n < lo || n > hi || (n - lo) % step !== 0) return false;
          return String(Math.abs(n)).padStart(digits, '0') === v.replace(/^-/, '');
        },
      };
    }
    if (type === 'date') {
      const fmt = javaDateFormat(p[`projection.${k.name}.format`] ?? 'yyyy-MM-dd');
      const unit = (p[`projection.${k.name}.interval.unit`] ?? 'DAYS').toUpperCase();
      const step = Number(p[`projection.${k.name}.interval`] ?? 1);
      const bound = (s: string): number => {
        const rel =
          /^NOW\s*(?:([+-])\s*(\d+)\s*(SECONDS?|MINUTES?|HOURS?|DAYS?|WEEKS?|MONTHS?|YEARS?))?$/i.exec(
            s.trim(),
          );
        if (rel) {
          const base = now.getTime();
          if (!rel[1]) return base;
          const u = rel[3]!.toUpperCase().replace(/S?$/, 'S');
          return addUnits(base, (rel[1] === '-' ? -1 : 1) * Number(rel[2]), u);
        }
        const t = fmt.parse(s.trim());
        if (t === undefined)
          throw new QueryFailure(`INVALID_TABLE_PROPERTY: bad projection range bound "${s}"`);
        return t;
      };
      const [a, b] = (p[`projection.${k.name}.range`] ?? '').split(',');
      if (a === undefined || b === undefined)
        throw new QueryFailure(`INVALID_TABLE_PROPERTY: projection.${k.name}.range must be "start,end"`);
      const start = bound(a);
      const end = bound(b);
      return {
        name: k.name,
        accepts: (v) => {
          const t = fmt.parse(v);
          if (t === undefined || t < start || t > end) return false;
          if (UNIT_MS[unit] !== undefined) return (t - start) % (step * UNIT_MS[unit]!) === 0;
          for (let x = start; x <= t; x = addUnits(x, step, unit)) if (x === t) return true;
          return false;
        },
      };
    }
    throw new QueryFailure(
      type === undefined
        ? `INVALID_TABLE_PROPERTY: Table ${table.database}.${table.name} is configured for partition projection, but the following partition columns are missing projection configuration: [${k.name}]`
        : `NOT_SUPPORTED: the Athena stand-in does not emulate projection type ${type} (${table.name}.${k.name})`,
    );
  });
}

/**
 * Which objects of a partitioned table Athena sees: those under a location the projection template
 * gives for projected values. Returns the partition values and the path below the partition, or
 * undefined for an object in no projected partition.
 */
export function partitionMatcher(
  table: GlueTable,
  now: Date,
): (uri: string) => { values: string[]; rest: string } | undefined {
  if (table.partitionKeys.length === 0) {
    return (uri) =>
      uri.startsWith(table.location) ? { values: [], rest: uri.slice(table.location.length) } : undefined;
  }
  // Without projection the partitions are the ones registered in Glue: the template registers none.
  if (table.parameters['projection.enabled']?.toLowerCase() !== 'true') return () => undefined;
  const keys = projectedKeys(table, now);
  let template = table.parameters['storage.location.template'];
  if (!template) template = `${table.location}${keys.map((k) => `${k.name}=\${${k.name}}`).join('/')}/`;
  const order: string[] = [];
  const pattern = template
    .split(/(\$\{[^}]+\})/)
    .map((part) => {
      const m = /^\$\{([^}]+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      order.push(m[1]!.toLowerCase());
      return '([^/]+)';
    })
    .join('');
  for (const k of keys) {
    if (!order.includes(k.name))
      throw new QueryFailure(
        "INVALID_TABLE_PROPERTY: The 'storage.location.template' table property must contain templates for all partition columns!",
      );
  }
  const re = new RegExp(`^${pattern}${template.endsWith('/') ? '' : '/'}`);
  return (uri) => {
    const m = re.exec(uri);
    if (!m) return undefined;
    const byName = new Map<string, string>();
    for (let i = 0; i < order.length; i++) {
      const v = m[i + 1]!;
      const prev = byName.get(order[i]!);
      if (prev !== undefined && prev !== v) return undefined;
      byName.set(order[i]!, v);
    }
    const values: string[] = [];
    for (const k of keys) {
      const v = byName.get(k.name)!;
      if (!k.accepts(v)) return undefined;
      values.push(v);
    }
    return { values, rest: uri.slice(m[0].length) };
  };
}

/**
 * Where a table's objects are listed from: the location, or for a projected table the fixed part of
 * `storage.location.template` (the partitions may live elsewhere than the table location).
 */
export function listingRoot(table: GlueTable): string {
  const template = table.parameters['storage.location.template'];
  if (!template || table.partitionKeys.length === 0) return table.location;
  if (table.parameters['projection.enabled']?.toLowerCase() !== 'true') return table.location;
  const fixed = template.slice(0, template.indexOf('${') < 0 ? template.length : template.indexOf('${'));
  return fixed.slice(0, fixed.lastIndexOf('/') + 1);
}

/** The partition keys whose values a query must give by equality (projection type `injected`). */
export const injectedKeys = (table: GlueTable): string[] =>
  table.parameters['projection.enabled']?.toLowerCase() === 'true'
    ? table.partitionKeys
        .map((k) => k.name)
        .filter((k) => table.parameters[`projection.${k}.type`] === 'injected')
    : [];

/** Hive and Trino skip any path part below the listed location that starts with `_` or `.`. */
export const isHidden = (rest: string): boolean =>
  rest.split('/').some((part) => part.startsWith('_') || part.startsWith('.'));

/**
 * Every partition the projection declares, values in key order: what Athena enumerates before it
 * prunes by the query's predicates and lists each remaining prefix. Undefined where a key's values
 * are not a finite list this stand-in enumerates (or there would be over a million).
 */
export function projectedPartitions(table: GlueTable, now: Date): string[][] | undefined {
  const p = table.parameters;
  if (table.partitionKeys.length === 0 || p['projection.enabled']?.toLowerCase() !== 'true') return undefined;
  const lists: string[][] = [];
  for (const k of table.partitionKeys) {
    const type = p[`projection.${k.name}.type`];
    if (type === 'enum') {
      lists.push((p[`projection.${k.name}.values`] ?? '').split(',').map((v) => v.trim()));
    } else if (type === 'date') {
      const fmt = javaDateFormat(p[`projection.${k.name}.format`] ?? 'yyyy-MM-dd');
      const accepts = projectedKeys(table, now).find((x) => x.name === k.name)!;
      const [a] = (p[`projection.${k.name}.range`] ?? '').split(',');
      const start = a && !/^NOW/i.test(a.trim()) ? fmt.parse(a.trim()) : undefined;
      if (start === undefined) return undefined;
      const unit = (p[`projection.${k.name}.interval.unit`] ?? 'DAYS').toUpperCase();
      const step = Number(p[`projection.${k.name}.interval`] ?? 1);
      const values: string[] = [];
      for (let t = start; values.length <= 1_000_000; t = addUnits(t, step, unit)) {
        const v = fmt.format(t);
        if (!accepts.accepts(v)) break;
        values.push(v);
      }
      lists.push(values);
    } else return undefined;
  }
  const total = lists.reduce((n, l) => n * l.length, 1);
  if (total > 1_000_000) return undefined;
  return lists.reduce<string[][]>((acc, l) => acc.flatMap((prefix) => l.map((v) => [...prefix, v])), [[]]);
}

/**
 * An Athena stand-in for the AWS home harness. There is no local Athena, so this runs the exact
 * query text the product sends (a SELECT, or `UNLOAD (<select>) TO 's3://…/' WITH (format = 'PARQUET')`)
 * on DuckDB, over the objects in the emulated S3 bucket, with every table resolved from its Glue
 * definition in the resolved template: the Glue columns and types, partition keys from the key path,
 * partition projection deciding which partitions exist. Each object of the table is read the way
 * Athena reads it (listed, fetched with the caller's permissions, checked to be Parquet, its column
 * types checked against the Glue types), so a query that would fail on Athena fails here too.
 *
 * It aims to be at least as strict as Athena: where this stand-in cannot tell, it fails or reads more.
 * Every Athena behaviour below names where it was confirmed; what is not emulated is listed at the
 * end of this comment.
 *
 * Confirmed Athena behaviour (sources):
 * - Query strings are limited to 262,144 bytes, not adjustable; over it StartQueryExecution fails
 *   with InvalidRequestException "'queryString' failed to satisfy constraint: Member must have length
 *   less than or equal to 262144" (AWS knowledge center, athena-query-string-length).
 * - A table's LOCATION is read whole: "Athena reads all data stored in the Amazon S3 folder that you
 *   specify" (Athena user guide, tables-location-format). Files and folders whose names start with
 *   `_` or `.` are skipped ("Hive ignores files starting with _ and . as well": Trino's
 *   HiveFileIterator.containsHiddenPathPartAfterIndex), and so are empty (0-byte) files ("per
 *   HIVE-13040 empty files are allowed": Trino's InternalHiveSplitFactory).
 * - With partition projection Athena computes the partitions from the table properties and ignores
 *   partition metadata (Athena user guide, partition-projection); objects outside a projected
 *   partition are not read. `storage.location.template` must hold every partition column (AWS
 *   knowledge center, athena-error-invalid-table-property).
 * - A Parquet file is checked by its size and the magic number at its end; otherwise
 *   "<path> is not a valid Parquet File" / "Expected magic number: PAR1 got: …" (Trino's
 *   parquet MetadataReader.readFooter), surfaced by Athena as HIVE_BAD_DATA.
 * - UNLOAD: "the TO destination must specify a location in Amazon S3 that has no data. Before the
 *   UNLOAD query writes to the specified location, it verifies that the bucket location is empty"
 *   (Athena user guide, unload, zh-CN edition); CTAS and UNLOAD report HIVE_PATH_ALREADY_EXISTS
 *   otherwise (AWS knowledge center, athena-hive-path-already-exists). Orphaned files of a failed
 *   query are not deleted (unload: "Orphaned data not deleted"). UNLOAD uses the DML quota.
 * - UNLOAD writes its data files without an extension (aws/aws-sdk issue #745: "in the target location
 *   i get an extensionless file"), and "a metadata file and data manifest file for each UNLOAD query
 *   … saved to your Athena query result location" (unload doc), named `<QueryID>-manifest.csv` and
 *   `<QueryID>.metadata` (what aws-sdk-pandas' _fetch_parquet_result reads from
 *   Statistics.DataManifestLocation, and what allenai/shadow-scholar deletes after its UNLOAD); the
 *   manifest lists the written files' S3 URIs, one a line.
 * - GZIP is the default write compression for Parquet in Hive tables on engine versions 2 and 3
 *   (Athena user guide, compression-formats).
 * - SELECT results go to `<OutputLocation>QueryID.csv` with `QueryID.csv.metadata` beside it; a
 *   workgroup that overrides client-side settings uses its own result location (Athena user guide,
 *   querying-finding-output-files).
 * - The per-query data usage control cancels a query that scans more than the cutoff (Athena user
 *   guide, workgroups-setting-control-limits-cloudwatch); the query ends CANCELLED with
 *   "Bytes scanned limit was exceeded" (observed on engine version 3 in several public projects).
 * - Step Functions reports errors of the StartQueryExecution call as `Athena.<Exception>`, e.g.
 *   "Athena.InvalidRequestException" (aws/aws-cdk issue #16133).
 *
 * Statements: SELECT (and WITH … SELECT) and UNLOAD with format PARQUET are run. Every other
 * statement (DDL, INSERT, CREATE VIEW, SHOW, EXPLAIN, UNLOAD to other formats or partitioned) fails
 * with NOT_SUPPORTED: failing is the strict choice where the stand-in cannot do what Athena does.
 *
 * Not emulated (known differences):
 * - The SQL dialect. DuckDB runs the text as is; it is set to Trino's integer division and null
 *   ordering, and a few DuckDB-only forms are refused (`::` casts, table functions, PIVOT, QUALIFY,
 *   GROUP BY ALL, `* EXCLUDE/REPLACE`, COLUMNS(…), SAMPLE), but other DuckDB-only functions or syntax
 *   pass here and would fail on Athena, and integer division by zero gives NULL here where Trino
 *   raises DIVISION_BY_ZERO.
 * - Partition pruning and column pruning: every visible object of a referenced table is read whole,
 *   so DataScannedInBytes is an upper bound of Athena's figure and the cutoff fires earlier.
 * - UNLOAD writes one file (Athena writes several in parallel); timestamps are written as INT64
 *   microseconds (Athena's Hive writer may use INT96). An UNLOAD of no rows writes no data file.
 * - The `.metadata` files are JSON written by this stand-in (Athena's are binary). The result
 *   OutputLocation reported for an UNLOAD is `<location><QueryID>` (not confirmed).
 * - The Step Functions `.sync` error for a query that ends FAILED/CANCELLED is reported as
 *   `States.TaskFailed` with the GetQueryExecution output as the cause (not confirmed).
 * - StopQueryExecution, query result reuse, ExecutionParameters, Iceberg, views in Glue, KMS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DuckDBConnection, DuckDBInstance, type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import { ACCOUNT, PARTITION, REGION, type ResolvedTemplate } from './cfn.ts';

export type Principal = { role: string } | { service: string };
export type AuthorizeContext = Record<string, string | string[]>;

export interface AthenaStandInOptions {
  template: ResolvedTemplate;
  /** An admin client to the emulated S3 (no IAM checks of its own). */
  s3: S3Client;
  /** Throws (an error named 'AccessDenied') when the caller may not do this; the harness evaluates IAM. */
  authorize(
    principal: Principal,
    action: string,
    resource: string,
    context?: AuthorizeContext,
  ): Promise<void>;
  /** The clock partition projection's NOW and the query times are read from (default: the system clock). */
  now?: () => Date;
}

export interface AthenaStats {
  queries: number;
  objectsRead: number;
  bytesRead: number;
  listRequests: number;
  getRequests: number;
  objectsWritten: number;
  bytesWritten: number;
}

export interface StartQueryExecutionInput {
  QueryString: string;
  WorkGroup?: string;
  QueryExecutionContext?: { Database?: string; Catalog?: string };
  ResultConfiguration?: { OutputLocation?: string };
  ClientRequestToken?: string;
}

export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** GetQueryExecution's output. Dates are Date objects, as the AWS SDK gives them. */
export interface GetQueryExecutionOutput {
  QueryExecution: {
    QueryExecutionId: string;
    Query: string;
    StatementType: 'DML' | 'DDL' | 'UTILITY';
    WorkGroup: string;
    QueryExecutionContext: { Database?: string; Catalog: string };
    ResultConfiguration: { OutputLocation: string; EncryptionConfiguration?: { EncryptionOption: string } };
    EngineVersion: { SelectedEngineVersion: string; EffectiveEngineVersion: string };
    Status: {
      State: QueryState;
      StateChangeReason?: string;
      SubmissionDateTime: Date;
      CompletionDateTime?: Date;
      AthenaError?: { ErrorCategory: number; ErrorMessage: string; Retryable: boolean };
    };
    Statistics: {
      DataScannedInBytes: number;
      EngineExecutionTimeInMillis: number;
      TotalExecutionTimeInMillis: number;
      DataManifestLocation?: string;
    };
  };
}

export interface ColumnInfo {
  CatalogName: string;
  SchemaName: string;
  TableName: string;
  Name: string;
  Label: string;
  Type: string;
  Precision: number;
  Scale: number;
  Nullable: 'UNKNOWN';
  CaseSensitive: boolean;
}

/** GetQueryResults' output: the first row of the first page holds the column names. */
export interface GetQueryResultsOutput {
  UpdateCount: number;
  ResultSet: {
    Rows: { Data: { VarCharValue?: string }[] }[];
    ResultSetMetadata: { ColumnInfo: ColumnInfo[] };
  };
  NextToken?: string;
}

/** An error of an Athena API call, named as the service names it (InvalidRequestException, …). */
export class AthenaApiError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** How Step Functions reports a failed task: `name` is the error, `cause` the cause string. */
export class StepFunctionsTaskError extends Error {
  override readonly cause: string;
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
    this.cause = cause;
  }
}

/** Athena's documented maximum query string length, in bytes (not adjustable). */
export const MAX_QUERY_BYTES = 262_144;
const CATALOG = 'awsdatacatalog';
/** Athena reaches S3 and Glue with the caller's credentials (forward access sessions), over TLS. */
const ENGINE_CONTEXT: AuthorizeContext = {
  'aws:SecureTransport': 'true',
  'aws:CalledVia': ['athena.amazonaws.com'],
  'aws:ViaAWSService': 'true',
};

// ---------------------------------------------------------------------------------------------
// The catalogue, read from the resolved template.

interface GlueColumn {
  name: string;
  type: string;
}

interface GlueTable {
  database: string;
  name: string;
  location: string;
  columns: GlueColumn[];
  partitionKeys: GlueColumn[];
  parameters: Record<string, string>;
  tableType: string;
  serde: string;
}

interface WorkGroup {
  name: string;
  state: string;
  enforce: boolean;
  outputLocation?: string;
  encryption?: string;
  cutoff?: number;
  engineVersion: string;
}

/** Glue column types this stand-in reads, as DuckDB types and as Trino names them. */
const GLUE_TYPES: Record<string, { duck: string; trino: string }> = {
  string: { duck: 'VARCHAR', trino: 'varchar' },
  int: { duck: 'INTEGER', trino: 'integer' },
  bigint: { duck: 'BIGINT', trino: 'bigint' },
  double: { duck: 'DOUBLE', trino: 'double' },
  boolean: { duck: 'BOOLEAN', trino: 'boolean' },
  date: { duck: 'DATE', trino: 'date' },
  timestamp: { duck: 'TIMESTAMP', trino: 'timestamp(3)' },
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function readCatalog(template: ResolvedTemplate): {
  databases: Set<string>;
  tables: Map<string, GlueTable>;
  workGroups: Map<string, WorkGroup>;
} {
  const databases = new Set<string>();
  for (const id of template.ofType('AWS::Glue::Database')) {
    const name = str(obj(template.resources[id]!.Properties.DatabaseInput).Name);
    if (name) databases.add(name.toLowerCase());
  }
  const tables = new Map<string, GlueTable>();
  for (const id of template.ofType('AWS::Glue::Table')) {
    const p = template.resources[id]!.Properties;
    const input = obj(p.TableInput);
    const sd = obj(input.StorageDescriptor);
    const cols = (v: unknown): GlueColumn[] =>
      arr(v).map((c) => ({
        name: String(obj(c).Name).toLowerCase(),
        type: String(obj(c).Type).toLowerCase(),
      }));
    const table: GlueTable = {
      database: String(p.DatabaseName).toLowerCase(),
      name: String(input.Name).toLowerCase(),
      // A location is a folder: `s3://b/t` is read as `s3://b/t/`.
      location: String(sd.Location ?? '').replace(/\/?$/, '/'),
      columns: cols(sd.Columns),
      partitionKeys: cols(input.PartitionKeys),
      parameters: Object.fromEntries(Object.entries(obj(input.Parameters)).map(([k, v]) => [k, String(v)])),
      tableType: String(input.TableType ?? 'EXTERNAL_TABLE'),
      serde: String(obj(sd.SerdeInfo).SerializationLibrary ?? ''),
    };
    tables.set(`${table.database}.${table.name}`, table);
  }
  // Every account has the `primary` workgroup, with no settings of its own.
  const workGroups = new Map<string, WorkGroup>([
    ['primary', { name: 'primary', state: 'ENABLED', enforce: false, engineVersion: 'AUTO' }],
  ]);
  for (const id of template.ofType('AWS::Athena::WorkGroup')) {
    const p = template.resources[id]!.Properties;
    const conf = obj(p.WorkGroupConfiguration);
    const result = obj(conf.ResultConfiguration);
    const name = String(p.Name);
    workGroups.set(name, {
      name,
      state: String(p.State ?? 'ENABLED'),
      enforce: conf.EnforceWorkGroupConfiguration !== false && conf.EnforceWorkGroupConfiguration !== 'false',
      ...(str(result.OutputLocation) ? { outputLocation: str(result.OutputLocation) } : {}),
      ...(str(obj(result.EncryptionConfiguration).EncryptionOption)
        ? { encryption: str(obj(result.EncryptionConfiguration).EncryptionOption) }
        : {}),
      ...(conf.BytesScannedCutoffPerQuery !== undefined
        ? { cutoff: Number(conf.BytesScannedCutoffPerQuery) }
        : {}),
      engineVersion: str(obj(conf.EngineVersion).SelectedEngineVersion) ?? 'AUTO',
    });
  }
  return { databases, tables, workGroups };
}

// ---------------------------------------------------------------------------------------------
// Partition projection.

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
function partitionMatcher(
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
function listingRoot(table: GlueTable): string {
  const template = table.parameters['storage.location.template'];
  if (!template || table.partitionKeys.length === 0) return table.location;
  if (table.parameters['projection.enabled']?.toLowerCase() !== 'true') return table.location;
  const fixed = template.slice(0, template.indexOf('${') < 0 ? template.length : template.indexOf('${'));
  return fixed.slice(0, fixed.lastIndexOf('/') + 1);
}

/** Hive and Trino skip any path part below the listed location that starts with `_` or `.`. */
const isHidden = (rest: string): boolean =>
  rest.split('/').some((part) => part.startsWith('_') || part.startsWith('.'));

// ---------------------------------------------------------------------------------------------
// Reading the statement.

class QueryFailure extends Error {
  constructor(
    readonly reason: string,
    readonly state: 'FAILED' | 'CANCELLED' = 'FAILED',
  ) {
    super(reason);
    this.name = 'QueryFailure';
  }
}

const lineCol = (text: string, offset: number): string => {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}:${col}`;
};

/** Skips blanks and comments from i; returns the next index. */
function skipTrivia(s: string, i: number): number {
  for (;;) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s.startsWith('--', i)) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl + 1;
    } else if (s.startsWith('/*', i)) {
      const end = s.indexOf('*/', i + 2);
      i = end < 0 ? s.length : end + 2;
    } else return i;
  }
}

/** The end index (exclusive) of a quoted run starting at i (quote char doubled inside). */
function skipQuoted(s: string, i: number): number {
  const q = s[i]!;
  let j = i + 1;
  for (;;) {
    const k = s.indexOf(q, j);
    if (k < 0) return s.length;
    if (s[k + 1] === q) j = k + 2;
    else return k + 1;
  }
}

/** Index of the parenthesis closing the one at `open`, skipping literals, identifiers and comments. */
function matchingParen(s: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'" || c === '"') i = skipQuoted(s, i);
    else if (s.startsWith('--', i) || s.startsWith('/*', i)) i = skipTrivia(s, i);
    else {
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return i;
      i++;
    }
  }
  return -1;
}

/** Offsets of `::` outside literals, quoted identifiers and comments (DuckDB casts; not Trino SQL). */
function doubleColonCasts(s: string): number[] {
  const found: number[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'" || c === '"') i = skipQuoted(s, i);
    else if (s.startsWith('--', i) || s.startsWith('/*', i)) i = skipTrivia(s, i);
    else if (s.startsWith('::', i)) {
      found.push(i);
      i += 2;
    } else i++;
  }
  return found;
}

const wordAt = (s: string, i: number): string => /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i))?.[0] ?? '';

interface UnloadStatement {
  inner: string;
  innerStart: number;
  target: string;
  properties: Map<string, string>;
}

/** Splits `UNLOAD (<query>) TO '<s3 uri>' WITH (k = 'v', …)`; undefined if the statement is no UNLOAD. */
function parseUnload(sql: string): UnloadStatement | undefined {
  let i = skipTrivia(sql, 0);
  if (wordAt(sql, i).toUpperCase() !== 'UNLOAD') return undefined;
  const fail = (at: number, what: string): never => {
    const near = sql.slice(at, at + 20).split('\n')[0] || '<EOF>';
    throw new QueryFailure(
      `SYNTAX_ERROR: ${lineCol(sql, at)}: mismatched input '${near}'. Expecting: ${what}`,
    );
  };
  i = skipTrivia(sql, i + 6);
  if (sql[i] !== '(') fail(i, "'('");
  const close = matchingParen(sql, i);
  if (close < 0) fail(i, "')'");
  const innerStart = i + 1;
  const inner = sql.slice(innerStart, close);
  i = skipTrivia(sql, close + 1);
  if (wordAt(sql, i).toUpperCase() !== 'TO') fail(i, "'TO'");
  i = skipTrivia(sql, i + 2);
  if (sql[i] !== "'") fail(i, '<string>');
  let end = skipQuoted(sql, i);
  const target = sql.slice(i + 1, end - 1).replaceAll("''", "'");
  i = skipTrivia(sql, end);
  if (wordAt(sql, i).toUpperCase() !== 'WITH') fail(i, "'WITH'");
  i = skipTrivia(sql, i + 4);
  if (sql[i] !== '(') fail(i, "'('");
  const properties = new Map<string, string>();
  i = skipTrivia(sql, i + 1);
  for (;;) {
    let key: string;
    if (sql[i] === '"') {
      end = skipQuoted(sql, i);
      key = sql.slice(i + 1, end - 1);
      i = end;
    } else {
      key = wordAt(sql, i);
      if (!key) fail(i, '<identifier>');
      i += key.length;
    }
    i = skipTrivia(sql, i);
    if (sql[i] !== '=') fail(i, "'='");
    i = skipTrivia(sql, i + 1);
    let value: string;
    if (sql[i] === "'") {
      end = skipQuoted(sql, i);
      value = sql.slice(i + 1, end - 1).replaceAll("''", "'");
      i = end;
    } else if (wordAt(sql, i).toUpperCase() === 'ARRAY') {
      const open = sql.indexOf('[', i);
      const stop = sql.indexOf(']', open);
      if (open < 0 || stop < 0) fail(i, "'['");
      value = sql.slice(i, stop + 1);
      i = stop + 1;
    } else {
      fail(i, '<string>');
    }
    properties.set(key.toLowerCase(), value!);
    i = skipTrivia(sql, i);
    if (sql[i] === ',') {
      i = skipTrivia(sql, i + 1);
      continue;
    }
    if (sql[i] === ')') break;
    fail(i, "',', ')'");
  }
  i = skipTrivia(sql, i + 1);
  if (sql[i] === ';') i = skipTrivia(sql, i + 1);
  if (i < sql.length) fail(i, '<EOF>');
  return { inner, innerStart, target, properties };
}

type StatementKind = {
  kind: 'SELECT' | 'UNLOAD' | 'OTHER';
  type: 'DML' | 'DDL' | 'UTILITY';
  keyword: string;
};

/** Statements Trino parses besides queries and UNLOAD (none of them is emulated), by statement type. */
const OTHER_STATEMENTS: Record<string, 'DML' | 'DDL' | 'UTILITY'> = Object.fromEntries([
  ...['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'OPTIMIZE', 'VACUUM'].map((k) => [k, 'DML'] as const),
  ...[
    'EXPLAIN',
    'PREPARE',
    'EXECUTE',
    'DEALLOCATE',
    'USE',
    'SET',
    'RESET',
    'START',
    'COMMIT',
    'ROLLBACK',
    'CALL',
  ].map((k) => [k, 'UTILITY'] as const),
  ...[
    'CREATE',
    'DROP',
    'ALTER',
    'MSCK',
    'SHOW',
    'DESCRIBE',
    'ANALYZE',
    'REFRESH',
    'COMMENT',
    'GRANT',
    'REVOKE',
    'DENY',
    'TRUNCATE',
  ].map((k) => [k, 'DDL'] as const),
]);

/** What the statement is, by its first keyword; an unknown first word is left to the parser's error. */
function classify(sql: string): StatementKind {
  const i = skipTrivia(sql, 0);
  const keyword = sql[i] === '(' ? 'SELECT' : wordAt(sql, i).toUpperCase();
  if (keyword === 'UNLOAD') return { kind: 'UNLOAD', type: 'DML', keyword };
  const other = OTHER_STATEMENTS[keyword];
  if (other) return { kind: 'OTHER', type: other, keyword };
  return { kind: 'SELECT', type: 'DML', keyword };
}

interface TableRef {
  catalog: string;
  schema: string;
  name: string;
  location: number;
}

/**
 * The base tables a SELECT reads, from DuckDB's own parser (json_serialize_sql): every BASE_TABLE
 * reference that is not a CTE in scope. Also refuses what DuckDB accepts but Trino does not parse.
 */
function tableRefs(ast: unknown, reject: (what: string, location?: number) => never): TableRef[] {
  const refs: TableRef[] = [];
  const walk = (node: unknown, scope: ReadonlySet<string>): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, scope);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    let inner = scope;
    const ctes = arr(obj(o.cte_map).map);
    if (ctes.length) {
      const names = new Set(scope);
      for (const c of ctes) names.add(String(obj(c).key).toLowerCase());
      inner = names;
    }
    const loc =
      typeof o.query_location === 'number' && o.query_location < 2 ** 40 ? o.query_location : undefined;
    switch (o.type) {
      case 'BASE_TABLE': {
        const ref = {
          catalog: String(o.catalog_name ?? '').toLowerCase(),
          schema: String(o.schema_name ?? '').toLowerCase(),
          name: String(o.table_name ?? '').toLowerCase(),
          location: loc ?? 0,
        };
        if (ref.catalog || ref.schema || !inner.has(ref.name)) refs.push(ref);
        break;
      }
      case 'TABLE_FUNCTION':
        reject('table functions', loc);
        break;
      case 'PIVOT':
        reject('PIVOT', loc);
        break;
      case 'SHOW_REF':
        reject('DESCRIBE/SUMMARIZE', loc);
        break;
      case 'SELECT_NODE':
        if (o.qualify) reject('QUALIFY', loc);
        if (o.sample) reject('USING SAMPLE', loc);
        if (o.aggregate_handling && o.aggregate_handling !== 'STANDARD_HANDLING') reject('GROUP BY ALL', loc);
        break;
      case 'STAR':
        if (arr(o.exclude_list).length || arr(o.qualified_exclude_list).length) reject('* EXCLUDE', loc);
        if (arr(o.replace_list).length) reject('* REPLACE', loc);
        if (arr(o.rename_list).length) reject('* RENAME', loc);
        if (o.columns === true) reject('COLUMNS(...)', loc);
        break;
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'query_location') walk(v, inner);
  };
  walk(ast, new Set());
  return refs;
}

// ---------------------------------------------------------------------------------------------
// Values as Athena writes them in a result CSV.

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

function trinoType(t: DuckDBType): { name: string; precision: number; scale: number } {
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

function renderValue(v: unknown, t: DuckDBType): string | undefined {
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

const csvField = (v: string | undefined): string => (v === undefined ? '' : `"${v.replaceAll('"', '""')}"`);

/** Parses Athena's result CSV: every value quoted, NULL an empty unquoted field. */
function parseResultCsv(text: string): (string | undefined)[][] {
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

// ---------------------------------------------------------------------------------------------
// DuckDB errors as Athena words them.

function athenaReason(message: string): string {
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

// ---------------------------------------------------------------------------------------------

interface QueryRecord {
  id: string;
  principal: Principal;
  query: string;
  statement: StatementKind;
  workGroup: WorkGroup;
  database?: string;
  catalog: string;
  outputLocation: string;
  state: QueryState;
  reason?: string;
  submitted: Date;
  started?: number;
  completed?: Date;
  scanned: number;
  engineMs: number;
  manifestLocation?: string;
  resultCsv?: string;
  columns?: ColumnInfo[];
  done: Promise<void>;
}

interface S3Location {
  bucket: string;
  key: string;
}

function parseS3(uri: string): S3Location | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;
const isAccessDenied = (e: unknown): e is Error => e instanceof Error && e.name === 'AccessDenied';

/** A Trino-style query id part: `yyyyMMdd_HHmmss_NNNNN_xxxxx`, used to name UNLOAD files. */
function trinoQueryId(at: Date, n: number): string {
  const p = (x: number, w = 2) => String(x).padStart(w, '0');
  const letters = [...randomBytes(5)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
  return `${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}_${p(at.getUTCHours())}${p(
    at.getUTCMinutes(),
  )}${p(at.getUTCSeconds())}_${p(n % 100000, 5)}_${letters}`;
}

const PARQUET_COMPRESSIONS: Record<string, string> = {
  GZIP: 'gzip',
  SNAPPY: 'snappy',
  ZSTD: 'zstd',
  NONE: 'uncompressed',
  UNCOMPRESSED: 'uncompressed',
};

export class AthenaStandIn {
  readonly stats: AthenaStats = AthenaStandIn.zero();
  private readonly catalog: ReturnType<typeof readCatalog>;
  private readonly queries = new Map<string, QueryRecord>();
  private counter = 0;

  constructor(private readonly o: AthenaStandInOptions) {
    this.catalog = readCatalog(o.template);
  }

  private static zero(): AthenaStats {
    return {
      queries: 0,
      objectsRead: 0,
      bytesRead: 0,
      listRequests: 0,
      getRequests: 0,
      objectsWritten: 0,
      bytesWritten: 0,
    };
  }

  resetStats(): void {
    Object.assign(this.stats, AthenaStandIn.zero());
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  private workGroupArn(name: string): string {
    return `arn:${PARTITION}:athena:${REGION}:${ACCOUNT}:workgroup/${name}`;
  }

  /** An Athena API call's own authorization: a denial is the API's AccessDeniedException. */
  private async apiAuthorize(p: Principal, action: string, resource: string): Promise<void> {
    try {
      await this.o.authorize(p, action, resource);
    } catch (e) {
      if (isAccessDenied(e)) throw new AthenaApiError('AccessDeniedException', e.message);
      throw e;
    }
  }

  /** StartQueryExecution. */
  async start(principal: Principal, input: StartQueryExecutionInput): Promise<{ QueryExecutionId: string }> {
    const query = input.QueryString;
    if (typeof query !== 'string' || query.length === 0)
      throw new AthenaApiError(
        'InvalidRequestException',
        "1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    if (Buffer.byteLength(query, 'utf8') > MAX_QUERY_BYTES)
      throw new AthenaApiError(
        'InvalidRequestException',
        `1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length less than or equal to ${MAX_QUERY_BYTES}`,
      );
    const wgName = input.WorkGroup ?? 'primary';
    await this.apiAuthorize(principal, 'athena:StartQueryExecution', this.workGroupArn(wgName));
    const workGroup = this.catalog.workGroups.get(wgName);
    if (!workGroup) throw new AthenaApiError('InvalidRequestException', `WorkGroup ${wgName} is not found.`);
    if (workGroup.state !== 'ENABLED')
      throw new AthenaApiError('InvalidRequestException', `WorkGroup ${wgName} is disabled.`);
    const requested = input.ResultConfiguration?.OutputLocation;
    let outputLocation = workGroup.enforce
      ? (workGroup.outputLocation ?? requested)
      : (requested ?? workGroup.outputLocation);
    if (!outputLocation)
      throw new AthenaApiError(
        'InvalidRequestException',
        'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
      );
    if (!parseS3(outputLocation))
      throw new AthenaApiError('InvalidRequestException', `${outputLocation} is not a valid S3 location`);
    if (!outputLocation.endsWith('/')) outputLocation += '/';

    const id = randomUUID();
    const statement = classify(query);
    const record: QueryRecord = {
      id,
      principal,
      query,
      statement,
      workGroup,
      ...(input.QueryExecutionContext?.Database ? { database: input.QueryExecutionContext.Database } : {}),
      catalog: input.QueryExecutionContext?.Catalog ?? CATALOG,
      outputLocation,
      state: 'QUEUED',
      submitted: this.now(),
      scanned: 0,
      engineMs: 0,
      done: Promise.resolve(),
    };
    this.queries.set(id, record);
    this.stats.queries++;
    record.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.execute(principal, record),
    );
    return { QueryExecutionId: id };
  }

  private record(id: string): QueryRecord {
    const r = this.queries.get(id);
    if (!r) throw new AthenaApiError('InvalidRequestException', `QueryExecution ${id} was not found`);
    return r;
  }

  /** GetQueryExecution. */
  async get(principal: Principal, queryId: string): Promise<GetQueryExecutionOutput> {
    const r = this.record(queryId);
    await this.apiAuthorize(principal, 'athena:GetQueryExecution', this.workGroupArn(r.workGroup.name));
    const resultFile =
      r.statement.kind === 'SELECT' ? `${r.outputLocation}${r.id}.csv` : `${r.outputLocation}${r.id}`;
    const finished = r.state === 'SUCCEEDED' || r.state === 'FAILED' || r.state === 'CANCELLED';
    return {
      QueryExecution: {
        QueryExecutionId: r.id,
        Query: r.query,
        StatementType: r.statement.type,
        WorkGroup: r.workGroup.name,
        QueryExecutionContext: { ...(r.database ? { Database: r.database } : {}), Catalog: r.catalog },
        ResultConfiguration: {
          OutputLocation: resultFile,
          ...(r.workGroup.encryption
            ? { EncryptionConfiguration: { EncryptionOption: r.workGroup.encryption } }
            : {}),
        },
        EngineVersion: {
          SelectedEngineVersion: r.workGroup.engineVersion,
          EffectiveEngineVersion: 'Athena engine version 3',
        },
        Status: {
          State: r.state,
          ...(r.reason ? { StateChangeReason: r.reason } : {}),
          SubmissionDateTime: r.submitted,
          ...(r.completed ? { CompletionDateTime: r.completed } : {}),
          ...(r.state === 'FAILED' && r.reason
            ? { AthenaError: { ErrorCategory: 2, ErrorMessage: r.reason, Retryable: false } }
            : {}),
        },
        Statistics: {
          DataScannedInBytes: r.scanned,
          EngineExecutionTimeInMillis: r.engineMs,
          TotalExecutionTimeInMillis:
            finished && r.completed ? r.completed.getTime() - r.submitted.getTime() : 0,
          ...(r.manifestLocation ? { DataManifestLocation: r.manifestLocation } : {}),
        },
      },
    };
  }

  /** GetQueryResults: pages of the result CSV, read from the output location as the caller. */
  async results(
    principal: Principal,
    queryId: string,
    nextToken?: string,
    maxResults = 1000,
  ): Promise<GetQueryResultsOutput> {
    const r = this.record(queryId);
    await this.apiAuthorize(principal, 'athena:GetQueryResults', this.workGroupArn(r.workGroup.name));
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000)
      throw new AthenaApiError(
        'InvalidRequestException',
        "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
      );
    if (r.state === 'QUEUED' || r.state === 'RUNNING')
      throw new AthenaApiError(
        'InvalidRequestException',
        `Query has not yet finished. Current state: ${r.state}`,
      );
    if (r.state !== 'SUCCEEDED')
      throw new AthenaApiError(
        'InvalidRequestException',
        `Query did not finish successfully. Final query state: ${r.state}${r.reason ? `\n${r.reason}` : ''}`,
      );
    if (r.statement.kind !== 'SELECT' || !r.resultCsv || !r.columns)
      throw new AthenaApiError(
        'InvalidRequestException',
        `Query ${r.id} is an ${r.statement.keyword} statement: its rows are not in a result CSV (the Athena stand-in serves GetQueryResults for SELECT only)`,
      );
    const loc = parseS3(r.resultCsv)!;
    await this.apiAuthorize(principal, 's3:GetObject', `arn:${PARTITION}:s3:::${loc.bucket}/${loc.key}`);
    const got = await this.o.s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
    this.stats.getRequests++;
    const rows = parseResultCsv(await got.Body!.transformToString('utf8'));
    let offset = 0;
    if (nextToken) {
      const t = JSON.parse(Buffer.from(nextToken, 'base64url').toString('utf8')) as {
        id: string;
        offset: number;
      };
      if (t.id !== r.id)
        throw new AthenaApiError('InvalidRequestException', 'The NextToken is not valid for this query');
      offset = t.offset;
    }
    const page = rows.slice(offset, offset + maxResults);
    const next = offset + page.length;
    return {
      UpdateCount: 0,
      ResultSet: {
        Rows: page.map((row) => ({ Data: row.map((v) => (v === undefined ? {} : { VarCharValue: v })) })),
        ResultSetMetadata: { ColumnInfo: r.columns },
      },
      ...(next < rows.length
        ? { NextToken: Buffer.from(JSON.stringify({ id: r.id, offset: next })).toString('base64url') }
        : {}),
    };
  }

  /**
   * Step Functions' `arn:aws:states:::athena:startQueryExecution.sync`: starts the query with the
   * state machine's role, polls GetQueryExecution with it, and returns the final GetQueryExecution
   * output. A call that fails throws `Athena.<Exception>`; a query that ends FAILED or CANCELLED
   * throws `States.TaskFailed` with the GetQueryExecution output as its cause.
   */
  async runToCompletion(
    principal: Principal,
    input: StartQueryExecutionInput,
  ): Promise<GetQueryExecutionOutput> {
    const asTask = (e: unknown): never => {
      if (e instanceof AthenaApiError) throw new StepFunctionsTaskError(`Athena.${e.name}`, e.message);
      throw e;
    };
    const { QueryExecutionId } = await this.start(principal, input).catch(asTask);
    await this.record(QueryExecutionId).done;
    const out = await this.get(principal, QueryExecutionId).catch(asTask);
    if (out.QueryExecution.Status.State !== 'SUCCEEDED')
      throw new StepFunctionsTaskError('States.TaskFailed', JSON.stringify(out));
    return out;
  }

  /** Waits for the queries under way. */
  async close(): Promise<void> {
    await Promise.all([...this.queries.values()].map((r) => r.done.catch(() => undefined)));
    if (this.objectsDir) await rm(await this.objectsDir, { recursive: true, force: true });
  }

  /** The query's settled state, for tests and the harness (no permission check). */
  async waitFor(queryId: string): Promise<QueryState> {
    const r = this.record(queryId);
    await r.done;
    return r.state;
  }

  // -------------------------------------------------------------------------------------------

  private async execute(principal: Principal, r: QueryRecord): Promise<void> {
    r.state = 'RUNNING';
    r.started = Date.now();
    const dir = await mkdtemp(join(tmpdir(), 'storepulse-athena-'));
    let instance: DuckDBInstance | undefined;
    let connection: DuckDBConnection | undefined;
    try {
      if (r.statement.kind === 'OTHER')
        throw new QueryFailure(
          `NOT_SUPPORTED: the Athena stand-in runs SELECT and UNLOAD statements only; ${r.statement.keyword} is not emulated`,
        );
      const first = skipTrivia(r.query, 0);
      if (
        r.statement.kind === 'SELECT' &&
        !['SELECT', 'WITH', 'VALUES', 'TABLE'].includes(r.statement.keyword)
      )
        throw new QueryFailure(
          `SYNTAX_ERROR: ${lineCol(r.query, first)}: mismatched input '${r.query.slice(first).split(/\s/)[0]}'. Expecting: 'SELECT', 'WITH', 'VALUES', 'TABLE', 'UNLOAD', or another statement`,
        );
      const unload = r.statement.kind === 'UNLOAD' ? parseUnload(r.query) : undefined;
      // A trailing `;` ends the statement; it is not part of the query the engine wraps.
      const inner = unload ? unload.inner : r.query.replace(/;\s*$/, '');
      const innerStart = unload ? unload.innerStart : 0;
      for (const at of doubleColonCasts(inner))
        throw new QueryFailure(`SYNTAX_ERROR: ${lineCol(r.query, innerStart + at)}: mismatched input '::'`);

      instance = await DuckDBInstance.create(':memory:', { threads: '2' });
      connection = await instance.connect();
      const db = connection;
      const refs = await this.referencedTables(db, r, inner, innerStart);
      const target = unload ? await this.checkUnloadTarget(principal, unload) : undefined;

      await db.run("set TimeZone = 'UTC'");
      await db.run('set integer_division = true'); // Trino: integer / integer is an integer
      await db.run("set default_null_order = 'nulls_last'"); // Trino's default for ASC and DESC
      await db.run(`attach ':memory:' as ${CATALOG}`);
      const schemas = new Set([...refs.values()].map((t) => t.database));
      if (r.database) schemas.add(r.database.toLowerCase());
      for (const s of schemas) await db.run(`create schema if not exists ${CATALOG}.${ident(s)}`);
      let n = 0;
      for (const table of refs.values()) {
        const view = await this.tableRelation(principal, db, r, table, join(dir, `t${n++}`));
        await db.run(`create view ${CATALOG}.${ident(table.database)}.${ident(table.name)} as ${view}`);
      }
      await db
        .run(`use ${CATALOG}.${ident((r.database ?? 'default').toLowerCase())}`)
        .catch(() => db.run(`use ${CATALOG}`));
      // The query itself may touch nothing but this query's own folder and the fetched objects.
      const allowed = [`${dir}/`, ...(this.objectsDir ? [`${await this.objectsDir}/`] : [])];
      await db.run(`set allowed_directories = [${allowed.map(sqlString).join(', ')}]`);
      await db.run('set enable_external_access = false');
      await db.run('set lock_configuration = true');

      const engineStart = Date.now();
      if (unload && target) await this.runUnload(principal, db, r, unload, target, dir);
      else await this.runSelect(principal, db, r, inner);
      r.engineMs = Date.now() - engineStart;
      r.state = 'SUCCEEDED';
    } catch (e) {
      if (e instanceof QueryFailure) {
        r.state = e.state;
        r.reason = e.reason;
      } else {
        r.state = 'FAILED';
        // DuckDB's errors are plain Errors; anything else (the harness's IAM model refusing to
        // decide, an S3 failure) is the stand-in's own trouble and says so.
        r.reason =
          e instanceof Error && e.name === 'Error'
            ? athenaReason(e.message)
            : `STAND_IN_ERROR: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      }
    } finally {
      r.completed = this.now();
      connection?.closeSync();
      instance?.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Engine-side authorization: a denial fails the query with Athena's words for it. */
  private async engineAuthorize(
    p: Principal,
    action: string,
    resource: string,
    reason: (message: string) => string,
    context: AuthorizeContext = {},
  ): Promise<void> {
    try {
      await this.o.authorize(p, action, resource, { ...ENGINE_CONTEXT, ...context });
    } catch (e) {
      if (isAccessDenied(e)) throw new QueryFailure(reason(e.message));
      throw e;
    }
  }

  /** The Glue tables the statement reads, checked against the catalogue and the caller's Glue rights. */
  private async referencedTables(
    db: DuckDBConnection,
    r: QueryRecord,
    inner: string,
    innerStart: number,
  ): Promise<Map<string, GlueTable>> {
    const parsed = await db.runAndReadAll(`select json_serialize_sql(${sqlString(inner)})`);
    const ast = JSON.parse(String(parsed.getRows()[0]![0])) as Record<string, unknown>;
    const at = (loc: number | undefined) =>
      lineCol(
        r.query,
        innerStart +
          Buffer.from(inner)
            .subarray(0, loc ?? 0)
            .toString().length,
      );
    if (ast.error) {
      const pos = Number(ast.position ?? 0);
      const msg = String(ast.error_message ?? 'syntax error');
      if (String(ast.error_type) === 'parser') throw new QueryFailure(`SYNTAX_ERROR: ${at(pos)}: ${msg}`);
      throw new QueryFailure(`NOT_SUPPORTED: ${msg}`);
    }
    const statements = arr(ast.statements);
    if (statements.length !== 1)
      throw new QueryFailure(`INVALID_INPUT: Only one sql statement is allowed. Got: ${statements.length}`);
    const reject = (what: string, loc?: number): never => {
      throw new QueryFailure(
        `SYNTAX_ERROR: ${at(loc)}: ${what} is DuckDB syntax that Athena (Trino) does not accept`,
      );
    };
    const tables = new Map<string, GlueTable>();
    for (const ref of tableRefs(statements, reject)) {
      if (ref.catalog && ref.catalog !== CATALOG)
        throw new QueryFailure(
          `CATALOG_NOT_FOUND: ${at(ref.location)}: Catalog '${ref.catalog}' does not exist`,
        );
      const database = ref.schema || (r.database ?? 'default').toLowerCase();
      const key = `${database}.${ref.name}`;
      if (tables.has(key)) continue;
      await this.glueAuthorize(r, 'glue:GetDatabase', [
        this.glueArn('catalog'),
        this.glueArn(`database/${database}`),
      ]);
      if (!this.catalog.databases.has(database))
        throw new QueryFailure(`SCHEMA_NOT_FOUND: ${at(ref.location)}: Schema '${database}' does not exist`);
      await this.glueAuthorize(r, 'glue:GetTable', [
        this.glueArn('catalog'),
        this.glueArn(`database/${database}`),
        this.glueArn(`table/${database}/${ref.name}`),
      ]);
      const table = this.catalog.tables.get(key);
      if (!table)
        throw new QueryFailure(
          `TABLE_NOT_FOUND: ${at(ref.location)}: Table '${CATALOG}.${database}.${ref.name}' does not exist`,
        );
      if (table.tableType === 'VIRTUAL_VIEW' || !/parquet/i.test(table.serde))
        throw new QueryFailure(
          `NOT_SUPPORTED: the Athena stand-in reads Parquet tables only (${key} is ${table.tableType}, ${table.serde})`,
        );
      tables.set(key, table);
    }
    return tables;
  }

  private glueArn(resource: string): string {
    return `arn:${PARTITION}:glue:${REGION}:${ACCOUNT}:${resource}`;
  }

  private async glueAuthorize(r: QueryRecord, action: string, resources: string[]): Promise<void> {
    for (const resource of resources)
      await this.engineAuthorize(
        r.principal,
        action,
        resource,
        (m) =>
          `Insufficient permissions to execute the query. ${m} (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException)`,
      );
  }

  /** Lists every object under a prefix as the caller (s3:ListBucket with s3:prefix). */
  private async listAll(
    p: Principal,
    bucket: string,
    prefix: string,
    denied: (m: string) => string,
    maxKeys?: number,
  ): Promise<{ key: string; size: number; etag: string }[]> {
    await this.engineAuthorize(p, 's3:ListBucket', `arn:${PARTITION}:s3:::${bucket}`, denied, {
      's3:prefix': prefix,
    });
    const out: { key: string; size: number; etag: string }[] = [];
    let token: string | undefined;
    do {
      const page = await this.o.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ContinuationToken: token,
          ...(maxKeys ? { MaxKeys: maxKeys } : {}),
        }),
      );
      this.stats.listRequests++;
      for (const o of page.Contents ?? [])
        out.push({ key: o.Key!, size: Number(o.Size ?? 0), etag: String(o.ETag ?? '') });
      token = maxKeys ? undefined : page.NextContinuationToken;
    } while (token);
    return out;
  }

  /**
   * One table as a DuckDB relation: every visible object fetched as the caller, checked to be
   * Parquet with column types the Glue types can read, then read by column name.
   */
  private async tableRelation(
    p: Principal,
    db: DuckDBConnection,
    r: QueryRecord,
    table: GlueTable,
    dir: string,
  ): Promise<string> {
    const loc = parseS3(listingRoot(table));
    if (!loc) throw new QueryFailure(`HIVE_INVALID_METADATA: Table ${table.name} has no S3 location`);
    for (const c of [...table.columns, ...table.partitionKeys])
      if (!GLUE_TYPES[c.type])
        throw new QueryFailure(
          `NOT_SUPPORTED: the Athena stand-in does not read Glue type ${c.type} (${table.name}.${c.name})`,
        );
    const s3Denied = (path: string) => (m: string) =>
      `Permission denied on S3 path: ${path} (AccessDenied: ${m})`;
    await this.engineAuthorize(
      p,
      's3:GetBucketLocation',
      `arn:${PARTITION}:s3:::${loc.bucket}`,
      s3Denied(table.location),
    );
    const objects = await this.listAll(p, loc.bucket, loc.key, s3Denied(table.location));
    const match = partitionMatcher(table, this.now());
    const visible: { key: string; size: number; etag: string; values: string[] }[] = [];
    for (const o of objects.sort((a, b) => (a.key < b.key ? -1 : 1))) {
      if (o.key.endsWith('/') || o.size === 0) continue;
      const m = match(`s3://${loc.bucket}/${o.key}`);
      if (!m || isHidden(m.rest)) continue;
      visible.push({ ...o, values: m.values });
    }
    const glueCols = table.columns;
    const duck = (t: string) => GLUE_TYPES[t]!.duck;
    if (visible.length === 0) {
      const cols = [...glueCols, ...table.partitionKeys].map(
        (c) => `cast(null as ${duck(c.type)}) as ${ident(c.name)}`,
      );
      return `select ${cols.join(', ')} where false`;
    }
    await mkdir(dir, { recursive: true });
    const files: { path: string; values: string[] }[] = [];
    const present = new Set<string>();
    for (const [i, o] of visible.entries()) {
      const uri = `s3://${loc.bucket}/${o.key}`;
      await this.engineAuthorize(
        p,
        's3:GetObject',
        `arn:${PARTITION}:s3:::${loc.bucket}/${o.key}`,
        s3Denied(uri),
      );
      // Athena reads the object (counted); the harness transfers and checks it once per version.
      this.stats.getRequests++;
      this.stats.objectsRead++;
      this.stats.bytesRead += o.size;
      r.scanned += o.size;
      if (r.workGroup.cutoff !== undefined && r.scanned > r.workGroup.cutoff)
        throw new QueryFailure('Bytes scanned limit was exceeded', 'CANCELLED');
      const cached = await this.readObject(db, loc.bucket, o, uri, table, i);
      for (const name of cached.columns) present.add(name);
      const path = cached.path;
      files.push({ path, values: o.values });
    }
    const fileCol = '__storepulse_file';
    const scan = `read_parquet([${files.map((f) => sqlString(f.path)).join(', ')}], union_by_name = true, filename = ${sqlString(fileCol)})`;
    const cols = glueCols.map((c) =>
      present.has(c.name)
        ? `cast(f.${ident(c.name)} as ${duck(c.type)}) as ${ident(c.name)}`
        : `cast(null as ${duck(c.type)}) as ${ident(c.name)}`,
    );
    if (table.partitionKeys.length === 0) return `select ${cols.join(', ')} from ${scan} f`;
    const keyCols = table.partitionKeys.map(
      (k) => `cast(p.${ident(k.name)} as ${duck(k.type)}) as ${ident(k.name)}`,
    );
    const values = files.map((f) => `(${[f.path, ...f.values].map(sqlString).join(', ')})`).join(', ');
    const names = [fileCol, ...table.partitionKeys.map((k) => k.name)].map(ident).join(', ');
    return `select ${[...cols, ...keyCols].join(', ')} from ${scan} f join (values ${values}) p(${names}) on f.${ident(fileCol)} = p.${ident(fileCol)}`;
  }

  /** Object versions already fetched and checked: key -> etag, local copy and its columns. */
  private readonly objects = new Map<string, { etag: string; path: string; columns: string[] }>();
  private objectsDir: Promise<string> | undefined;

  /** Fetches an object version once and checks it is Parquet that the table's Glue types can read. */
  private async readObject(
    db: DuckDBConnection,
    bucket: string,
    o: { key: string; size: number; etag: string },
    uri: string,
    table: GlueTable,
    i: number,
  ): Promise<{ path: string; columns: string[] }> {
    const cacheKey = `${table.name}\u0000${o.key}`;
    const known = this.objects.get(cacheKey);
    if (known && known.etag === o.etag && o.etag) return known;
    const got = await this.o.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
    const bytes = await got.Body!.transformToByteArray();
    const magic = (at: number) => Buffer.from(bytes.subarray(at, at + 4)).toString('latin1');
    if (bytes.length < 12 || magic(0) !== 'PAR1' || magic(bytes.length - 4) !== 'PAR1')
      throw new QueryFailure(
        `HIVE_BAD_DATA: ${uri} is not a valid Parquet File (expected magic number PAR1 at its start and end, got ${JSON.stringify(
          magic(0),
        )} and ${JSON.stringify(magic(Math.max(0, bytes.length - 4)))})`,
      );
    this.objectsDir ??= mkdtemp(join(tmpdir(), 'storepulse-athena-objects-'));
    const path = join(await this.objectsDir, `o${this.objects.size}-${i}`);
    await writeFile(path, bytes);
    const columns = await this.checkParquetSchema(db, path, uri, table);
    const entry = { etag: o.etag, path, columns };
    this.objects.set(cacheKey, entry);
    return entry;
  }

  /**
   * The file's top-level columns against the Glue types, as Athena's Parquet reader maps them;
   * returns the lower-cased names of the file's columns. A column it cannot read fails HIVE_BAD_DATA.
   */
  private async checkParquetSchema(
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
                  (['TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS'].includes(converted) ||
                    /Timestamp/i.test(logical)))
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

  private async checkUnloadTarget(p: Principal, u: UnloadStatement): Promise<S3Location> {
    const format = (u.properties.get('format') ?? '').toUpperCase();
    if (!format) throw new QueryFailure("INVALID_UNLOAD_PROPERTY: UNLOAD requires the property 'format'");
    if (format !== 'PARQUET')
      throw new QueryFailure(
        `NOT_SUPPORTED: the Athena stand-in writes UNLOAD format PARQUET only, not ${format}`,
      );
    for (const key of u.properties.keys())
      if (key !== 'format' && key !== 'compression')
        throw new QueryFailure(
          `NOT_SUPPORTED: the Athena stand-in does not emulate the UNLOAD property '${key}'`,
        );
    const compression = (u.properties.get('compression') ?? 'GZIP').toUpperCase();
    if (!PARQUET_COMPRESSIONS[compression])
      throw new QueryFailure(
        `INVALID_UNLOAD_PROPERTY: Unsupported compression ${compression} for format PARQUET`,
      );
    const target = parseS3(u.target);
    if (!target?.bucket)
      throw new QueryFailure(`INVALID_UNLOAD_PROPERTY: ${u.target} is not a valid S3 location`);
    if (target.key && !target.key.endsWith('/')) target.key += '/';
    const existing = await this.listAll(
      p,
      target.bucket,
      target.key,
      (m) => `Access denied when writing output to url: ${u.target} (AccessDenied: ${m})`,
      1,
    );
    if (existing.length > 0)
      throw new QueryFailure(
        `HIVE_PATH_ALREADY_EXISTS: Target directory for UNLOAD already exists: ${u.target}`,
      );
    return target;
  }

  private async put(
    p: Principal,
    r: QueryRecord,
    bucket: string,
    key: string,
    body: Uint8Array | string,
    contentType?: string,
  ): Promise<void> {
    const uri = `s3://${bucket}/${key}`;
    const sse =
      r.workGroup.encryption === 'SSE_S3'
        ? 'AES256'
        : r.workGroup.encryption === 'SSE_KMS'
          ? 'aws:kms'
          : undefined;
    await this.engineAuthorize(
      p,
      's3:PutObject',
      `arn:${PARTITION}:s3:::${bucket}/${key}`,
      (m) => `Access denied when writing output to url: ${uri} (AccessDenied: ${m})`,
      sse ? { 's3:x-amz-server-side-encryption': sse } : {},
    );
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await this.o.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        ...(contentType ? { ContentType: contentType } : {}),
      }),
    );
    this.stats.objectsWritten++;
    this.stats.bytesWritten += bytes.length;
  }

  /** The result location's bucket, checked the way Athena checks it before writing there. */
  private async resultLocation(p: Principal, r: QueryRecord): Promise<S3Location> {
    const loc = parseS3(r.outputLocation)!;
    await this.engineAuthorize(
      p,
      's3:GetBucketLocation',
      `arn:${PARTITION}:s3:::${loc.bucket}`,
      (m) => `Access denied when writing output to url: ${r.outputLocation} (AccessDenied: ${m})`,
    );
    return loc;
  }

  /** Trino's types have no HUGEINT: DuckDB's sums of integers are bigint there (and overflow there). */
  private async trinoTyped(db: DuckDBConnection, inner: string): Promise<string> {
    const described = await db.runAndReadAll(`describe (${inner}\n)`);
    const wide = (described.getRowObjectsJson() as { column_name: string; column_type: string }[]).filter(
      (c) => ['HUGEINT', 'UHUGEINT', 'UBIGINT'].includes(c.column_type),
    );
    if (wide.length === 0) return inner;
    return `select * replace (${wide.map((c) => `cast(${ident(c.column_name)} as BIGINT) as ${ident(c.column_name)}`).join(', ')}) from (${inner}\n)`;
  }

  private async runUnload(
    p: Principal,
    db: DuckDBConnection,
    r: QueryRecord,
    u: UnloadStatement,
    target: S3Location,
    dir: string,
  ): Promise<void> {
    const results = await this.resultLocation(p, r);
    const compression = PARQUET_COMPRESSIONS[(u.properties.get('compression') ?? 'GZIP').toUpperCase()]!;
    const fileName = `${trinoQueryId(r.submitted, ++this.counter)}_${randomUUID()}`;
    const local = join(dir, 'unload');
    const written = await db.runAndReadAll(
      `copy (${await this.trinoTyped(db, u.inner)}\n) to ${sqlString(local)} (format parquet, compression ${compression})`,
    );
    const rowCount = Number(written.getRows()[0]?.[0] ?? 0);
    const files: string[] = [];
    if (rowCount > 0) {
      const key = `${target.key}${fileName}`;
      await this.put(p, r, target.bucket, key, await readFile(local));
      files.push(`s3://${target.bucket}/${key}`);
    }
    const manifestKey = `${results.key}${r.id}-manifest.csv`;
    await this.put(p, r, results.bucket, manifestKey, files.map((f) => `${f}\n`).join(''), 'text/csv');
    r.manifestLocation = `s3://${results.bucket}/${manifestKey}`;
    await this.put(
      p,
      r,
      results.bucket,
      `${results.key}${r.id}.metadata`,
      JSON.stringify({ standIn: 'storepulse Athena stand-in', statement: 'UNLOAD', rows: rowCount, files }),
      'application/json',
    );
  }

  private async runSelect(p: Principal, db: DuckDBConnection, r: QueryRecord, inner: string): Promise<void> {
    const results = await this.resultLocation(p, r);
    const reader = await db.runAndReadAll(await this.trinoTyped(db, inner));
    const names = reader.columnNames();
    const types = reader.columnTypes();
    r.columns = names.map((name, i) => {
      const t = trinoType(types[i]!);
      return {
        CatalogName: 'hive',
        SchemaName: '',
        TableName: '',
        Name: name,
        Label: name,
        Type: t.name,
        Precision: t.precision,
        Scale: t.scale,
        Nullable: 'UNKNOWN',
        CaseSensitive: t.name === 'varchar',
      };
    });
    const lines = [names.map(csvField).join(',')];
    for (const row of reader.getRows())
      lines.push(row.map((v, i) => csvField(renderValue(v, types[i]!))).join(','));
    const key = `${results.key}${r.id}.csv`;
    await this.put(p, r, results.bucket, key, `${lines.join('\n')}\n`, 'text/csv');
    r.resultCsv = `s3://${results.bucket}/${key}`;
    await this.put(
      p,
      r,
      results.bucket,
      `${key}.metadata`,
      JSON.stringify({ standIn: 'storepulse Athena stand-in', columns: r.columns }),
      'application/json',
    );
  }
}

/**
 * The catalogue, read from the resolved template: the Glue databases and tables (columns, partition
 * keys, table parameters, SerDe) and the Athena workgroups with their settings.
 */
import type { ResolvedTemplate } from '../cfn.ts';
import { arr, obj, str } from './loose-json.ts';

/** The catalog name queries see the Glue catalogue under. */
export const CATALOG = 'awsdatacatalog';

export interface GlueColumn {
  name: string;
  type: string;
}

export interface GlueTable {
  database: string;
  name: string;
  location: string;
  columns: GlueColumn[];
  partitionKeys: GlueColumn[];
  parameters: Record<string, string>;
  tableType: string;
  serde: string;
  /** A view's definition (VIRTUAL_VIEW with a Presto view text), as Athena stores it. */
  view?: ViewDefinition;
}

/** What Athena keeps of a view: its SQL, where its names resolve, and the columns it must give. */
export interface ViewDefinition {
  sql: string;
  catalog: string;
  schema: string;
  columns: GlueColumn[];
}

/**
 * A Glue view's definition: Athena reads the original text of a VIRTUAL_VIEW marked `presto_view`,
 * a comment holding "Presto View: " and a base64 JSON; anything else is not a view Athena can query.
 */
function prestoView(input: Record<string, unknown>, name: string): ViewDefinition | undefined {
  if (String(input.TableType) !== 'VIRTUAL_VIEW') return undefined;
  const text = str(input.ViewOriginalText) ?? '';
  const m = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(text.trim());
  if (obj(input.Parameters).presto_view !== 'true' || !m)
    throw new Error(`Glue view ${name}: not an Athena (Presto) view: ${text.slice(0, 60)}`);
  const body = obj(JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')));
  return {
    sql: String(body.originalSql ?? ''),
    catalog: String(body.catalog ?? '').toLowerCase(),
    schema: String(body.schema ?? '').toLowerCase(),
    columns: arr(body.columns).map((c) => ({
      name: String(obj(c).name).toLowerCase(),
      type: String(obj(c).type).toLowerCase(),
    })),
  };
}

export interface WorkGroup {
  name: string;
  state: string;
  enforce: boolean;
  outputLocation?: string;
  encryption?: string;
  cutoff?: number;
  engineVersion: string;
}

/** Glue column types this stand-in reads, as DuckDB types and as Trino names them. */
export const GLUE_TYPES: Record<string, { duck: string; trino: string }> = {
  string: { duck: 'VARCHAR', trino: 'varchar' },
  int: { duck: 'INTEGER', trino: 'integer' },
  bigint: { duck: 'BIGINT', trino: 'bigint' },
  double: { duck: 'DOUBLE', trino: 'double' },
  boolean: { duck: 'BOOLEAN', trino: 'boolean' },
  date: { duck: 'DATE', trino: 'date' },
  timestamp: { duck: 'TIMESTAMP', trino: 'timestamp(3)' },
};

export function readCatalog(template: ResolvedTemplate): {
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
    const view = prestoView(input, table.name);
    if (view) table.view = view;
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

export type Catalog = ReturnType<typeof readCatalog>;

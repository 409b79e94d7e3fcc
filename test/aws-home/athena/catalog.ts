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

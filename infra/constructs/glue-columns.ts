/** Glue/Athena column types and partition projection, derived from the schema declarations. */
import { LAKE_FIRST_DAY } from '../../shared/formats/values.ts';
import type { ColumnSpec, ColumnType, TableSpec } from '../../shared/schemas/table.ts';
import { type GlueView, TRINO_TYPES } from '../../shared/sql/views.ts';

const GLUE_TYPES: Record<ColumnType, string> = {
  string: 'string',
  int32: 'int',
  double: 'double',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
};

export const glueColumn = (c: ColumnSpec) => ({
  name: c.name,
  type: GLUE_TYPES[c.type],
  comment: c.doc.slice(0, 255),
});

/**
 * Partition projection: Athena computes partitions from these rules instead of a crawler or MSCK.
 * `dt` is a date range from the lake's first day to tomorrow; `source` the closed list of export formats.
 */
export function projectionParameters(
  spec: TableSpec,
  bucket: string,
  sources: readonly string[],
): Record<string, string> {
  // An unpartitioned table (batch_commits) has nothing to project: its files sit at its location.
  if (spec.partitionKeys.length === 0) return {};
  const params: Record<string, string> = { 'projection.enabled': 'true' };
  for (const k of spec.partitionKeys) {
    if (k.name === 'dt') {
      Object.assign(params, {
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        // From the first day ingest accepts to tomorrow in UTC: Athena's NOW is UTC, and a shop
        // east of Greenwich is already on tomorrow's date (ingest refuses later times).
        'projection.dt.range': `${LAKE_FIRST_DAY},NOW+1DAYS`,
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
      });
    } else if (k.name === 'source') {
      Object.assign(params, {
        'projection.source.type': 'enum',
        'projection.source.values': sources.join(','),
      });
    } else {
      throw new Error(`table ${spec.name}: no projection rule for partition key ${k.name}`);
    }
  }
  params['storage.location.template'] =
    `s3://${bucket}/${spec.zone}/${spec.name}/${spec.partitionKeys.map((k) => `${k.name}=\${${k.name}}`).join('/')}/`;
  return params;
}

/**
 * A Glue table input for an Athena (Trino) view: Athena stores a view as a VIRTUAL_VIEW whose
 * original text is a comment, "Presto View: " and a base64 JSON, the JSON holding the SQL, the catalog and
 * schema its names resolve in, and the columns with their Trino types. Athena checks at query time
 * that the SQL still gives those columns ("stale view" otherwise).
 */
export function prestoViewInput(view: GlueView, database: string) {
  const definition = {
    originalSql: view.sql,
    catalog: 'awsdatacatalog',
    schema: database,
    columns: view.columns.map((c) => ({ name: c.name, type: TRINO_TYPES[c.type] })),
  };
  return {
    name: view.name,
    description: view.doc,
    tableType: 'VIRTUAL_VIEW',
    parameters: { presto_view: 'true', comment: 'Presto View' },
    viewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(definition)).toString('base64')} */`,
    viewExpandedText: '/* Presto View */',
    storageDescriptor: {
      columns: view.columns.map(glueColumn),
      serdeInfo: {},
    },
  };
}

/** Glue/Athena column types and partition projection, derived from the schema declarations. */
import type { ColumnSpec, ColumnType, TableSpec } from '../../shared/schemas/table.ts';

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
 * `dt` is a date range up to today; `source` is the closed list of export formats.
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
        'projection.dt.range': '2015-01-01,NOW',
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

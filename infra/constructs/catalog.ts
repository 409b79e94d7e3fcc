/**
 * The SQL tier in AWS: a Glue database with one table per curated, model and alert table, generated
 * from the schema declarations with partition projection (no crawler, no MSCK REPAIR); an Athena
 * workgroup that enforces its result location, encryption and a bytes-scanned cutoff; and named
 * queries for the analysts' first questions.
 */
import { Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SOURCES } from '../../shared/formats/registry.ts';
import type { TableSpec } from '../../shared/schemas/table.ts';
import { ALL_TABLES, COMMITTED_TABLES, storedTableName } from '../../shared/schemas/tables.ts';
import { committedOrderLinesView, committedRelation } from '../../shared/sql/athena.ts';
import { glueColumn, projectionParameters } from './glue-columns.ts';

export interface CatalogProps {
  bucket: IBucket;
  /** Athena cancels a query that would scan more than this. */
  bytesScannedCutoff: number;
}

export class Catalog extends Construct {
  readonly databaseName: string;
  readonly database: CfnDatabase;
  readonly tables: Record<string, CfnTable> = {};
  readonly workGroup: CfnWorkGroup;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    this.databaseName = 'storepulse';
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: {
        name: this.databaseName,
        description: 'storepulse lake: curated, model and alert tables',
      },
    });
    const sources = SOURCES;
    for (const spec of ALL_TABLES)
      this.tables[spec.name] = this.table(spec, props.bucket.bucketName, sources, account);

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: 'storepulse',
      description: 'storepulse analysts and pipeline',
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.bucket.bucketName}/athena/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    // Analysts see committed batches only, as the product's queries do (shared/sql/athena.ts): the
    // order_lines view and one `<table>_committed` view per curated table.
    const named: [string, string, string][] = [
      [
        'CreateOrderLinesView',
        'Create the order_lines view (run once)',
        `CREATE OR REPLACE VIEW order_lines AS\n${committedOrderLinesView({ database: this.databaseName })}`,
      ],
      ...COMMITTED_TABLES.filter((t) => t.zone === 'curated').map((t): [string, string, string] => [
        `CreateCommittedView${t.name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`,
        `Create the ${storedTableName(t)}_committed view (run once)`,
        `CREATE OR REPLACE VIEW ${storedTableName(t)}_committed AS\n${committedRelation(t, this.databaseName)}`,
      ]),
      [
        'WhoToRecallToday',
        'Who to recall today',
        'SELECT * FROM churn_recall WHERE dt = (SELECT max(dt) FROM churn_recall) ORDER BY monetary DESC',
      ],
      [
        'SegmentCountsOverTime',
        'RFM segment counts over time',
        'SELECT dt, segment, segment_zh, count(*) AS customers, round(sum(monetary), 2) AS spend\nFROM rfm GROUP BY dt, segment, segment_zh ORDER BY dt DESC, customers DESC',
      ],
    ];
    for (const [nid, name, queryString] of named) {
      const q = new CfnNamedQuery(this, nid, {
        name,
        database: this.databaseName,
        workGroup: this.workGroup.ref,
        queryString,
      });
      q.addDependency(this.workGroup);
      q.addDependency(this.database);
    }
  }

  private table(spec: TableSpec, bucket: string, sources: readonly string[], account: string): CfnTable {
    const t = new CfnTable(this, `Table-${spec.name}`, {
      catalogId: account,
      databaseName: this.databaseName,
      tableInput: {
        name: storedTableName(spec),
        description: spec.doc,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          ...projectionParameters(spec, bucket, sources),
        },
        partitionKeys: spec.partitionKeys.map(glueColumn),
        storageDescriptor: {
          columns: spec.columns.map(glueColumn),
          location: `s3://${bucket}/${spec.zone}/${spec.name}/`,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    t.addDependency(this.database);
    return t;
  }
}

/**
 * The SQL tier in AWS, generated from the schema declarations: the Glue database analysts and the
 * pipeline query (`storepulse`: model and alert tables, batch_commits, and views of committed rows,
 * `order_lines` among them), a second database with the batch tables' files as written
 * (`storepulse_files`, read through those views only), partition projection instead of a crawler or
 * MSCK REPAIR, an Athena workgroup that enforces its result location, encryption and a bytes-scanned
 * cutoff, and named queries for the analysts' first questions.
 */
import { Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SOURCES } from '../../shared/formats/registry.ts';
import { allColumns, type TableSpec } from '../../shared/schemas/table.ts';
import { ALL_TABLES, COMMITTED_TABLES, orderLines, storedTableName } from '../../shared/schemas/tables.ts';
import {
  GLUE_DATABASE,
  GLUE_FILES_DATABASE,
  glueViews,
  ORDER_LINES_RUNS,
  orderLinesRunsPrefix,
} from '../../shared/sql/views.ts';
import { glueColumn, prestoViewInput, projectionParameters } from './glue-columns.ts';

export interface CatalogProps {
  bucket: IBucket;
  /** Athena cancels a query that would scan more than this. */
  bytesScannedCutoff: number;
  /** The currency the order_lines view converts net_amount_rc into (the stack's setting). */
  reportingCurrency: string;
}

export class Catalog extends Construct {
  readonly databaseName: string;
  readonly database: CfnDatabase;
  readonly filesDatabaseName: string;
  readonly filesDatabase: CfnDatabase;
  readonly tables: Record<string, CfnTable> = {};
  readonly views: Record<string, CfnTable> = {};
  readonly workGroup: CfnWorkGroup;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    this.databaseName = GLUE_DATABASE;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: {
        name: this.databaseName,
        description: 'storepulse lake: committed curated rows (views), model and alert tables',
      },
    });
    this.filesDatabaseName = GLUE_FILES_DATABASE;
    this.filesDatabase = new CfnDatabase(this, 'FilesDatabase', {
      catalogId: account,
      databaseInput: {
        name: this.filesDatabaseName,
        description:
          'storepulse batch tables as written, uncommitted batches included: query the storepulse views instead',
      },
    });
    for (const spec of ALL_TABLES) {
      const database = COMMITTED_TABLES.includes(spec) ? this.filesDatabase : this.database;
      this.tables[spec.name] = this.table(spec, database, props.bucket.bucketName, SOURCES, account);
    }
    this.tables[ORDER_LINES_RUNS] = this.orderLinesRuns(props.bucket.bucketName, account);
    for (const view of glueViews(props.reportingCurrency)) {
      const t = new CfnTable(this, `View-${view.name}`, {
        catalogId: account,
        databaseName: this.databaseName,
        tableInput: prestoViewInput(view, this.databaseName),
      });
      // A view is checked against its tables when it is queried, not created; the order keeps
      // deletion and creation of the stack clean.
      t.addDependency(this.database);
      for (const table of Object.values(this.tables)) t.addDependency(table);
      this.views[view.name] = t;
    }

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

    const named: [string, string, string][] = [
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

  /**
   * The daily runs' snapshots of the order history (shared/sql/views.ts): one partition per run,
   * projected as `injected`, so a query names its run and Athena lists that one prefix.
   */
  private orderLinesRuns(bucket: string, account: string): CfnTable {
    const t = new CfnTable(this, 'Table-order_lines_runs', {
      catalogId: account,
      databaseName: this.filesDatabaseName,
      tableInput: {
        name: ORDER_LINES_RUNS,
        description: 'Daily runs: the order_lines rows up to the as-of date, read once per run',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'projection.enabled': 'true',
          'projection.run.type': 'injected',
          'storage.location.template': `s3://${bucket}/${orderLinesRunsPrefix}run=\${run}/`,
        },
        partitionKeys: [{ name: 'run', type: 'string', comment: 'The run (Step Functions execution name).' }],
        storageDescriptor: {
          columns: allColumns(orderLines).map(glueColumn),
          location: `s3://${bucket}/${orderLinesRunsPrefix}`,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    t.addDependency(this.filesDatabase);
    return t;
  }

  private table(
    spec: TableSpec,
    database: CfnDatabase,
    bucket: string,
    sources: readonly string[],
    account: string,
  ): CfnTable {
    const t = new CfnTable(this, `Table-${spec.name}`, {
      catalogId: account,
      databaseName: (database.databaseInput as { name: string }).name,
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
    t.addDependency(database);
    return t;
  }
}

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
 *
 * The stand-in's parts, under athena/: api.ts (the API's shapes and errors), stand-in.ts (the API
 * calls), query-runner.ts (one query, start to settled state), statements.ts and sql-text.ts (reading
 * the statement), catalog.ts and partition-projection.ts (the Glue tables and which objects they
 * hold), table-reader.ts and parquet-schema.ts (reading those objects), result-writer.ts and
 * result-csv.ts (the results), engine-access.ts (the engine's S3 and Glue calls as the caller).
 */
export {
  AthenaApiError,
  type AthenaStandInOptions,
  type AthenaStats,
  type AuthorizeContext,
  type ColumnInfo,
  type GetQueryExecutionOutput,
  type GetQueryResultsOutput,
  MAX_QUERY_BYTES,
  type Principal,
  type QueryState,
  type StartQueryExecutionInput,
  StepFunctionsTaskError,
} from './athena/api.ts';
export { AthenaStandIn } from './athena/stand-in.ts';

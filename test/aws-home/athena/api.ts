/**
 * The stand-in's API as the harness and the tests call it: the inputs and outputs of the Athena calls
 * (shaped as the AWS SDK gives them), the options and counters of the stand-in, and the errors an API
 * call or a Step Functions task reports.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ResolvedTemplate } from '../cfn.ts';

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

/** Whether `authorize` refused: it throws an error named 'AccessDenied'. */
export const isAccessDenied = (e: unknown): e is Error => e instanceof Error && e.name === 'AccessDenied';

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

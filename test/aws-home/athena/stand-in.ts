/**
 * The Athena API calls the harness serves (StartQueryExecution, GetQueryExecution, GetQueryResults)
 * and Step Functions' `startQueryExecution.sync` task: requests validated and authorized as Athena
 * does, workgroup settings applied, and each query run on its own (see query-runner.ts).
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ACCOUNT, PARTITION, REGION } from '../cfn.ts';
import {
  AthenaApiError,
  type AthenaStandInOptions,
  type AthenaStats,
  type GetQueryExecutionOutput,
  type GetQueryResultsOutput,
  isAccessDenied,
  MAX_QUERY_BYTES,
  type Principal,
  type QueryState,
  type StartQueryExecutionInput,
  StepFunctionsTaskError,
} from './api.ts';
import { CATALOG, type Catalog, readCatalog } from './catalog.ts';
import { EngineAccess, parseS3 } from './engine-access.ts';
import type { QueryRecord } from './query-record.ts';
import { QueryRunner } from './query-runner.ts';
import { parseResultCsv, resultsPage } from './result-csv.ts';
import { ResultWriter } from './result-writer.ts';
import { classify } from './statements.ts';
import { TableReader } from './table-reader.ts';

export class AthenaStandIn {
  readonly stats: AthenaStats = AthenaStandIn.zero();
  private readonly catalog: Catalog;
  private readonly queries = new Map<string, QueryRecord>();
  private readonly reader: TableReader;
  private readonly runner: QueryRunner;

  constructor(private readonly o: AthenaStandInOptions) {
    this.catalog = readCatalog(o.template);
    const now = () => this.now();
    const access = new EngineAccess(o, this.stats);
    this.reader = new TableReader(o.s3, this.stats, access, now);
    const writer = new ResultWriter(o.s3, this.stats, access);
    this.runner = new QueryRunner(this.catalog, access, this.reader, writer, now);
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
      this.runner.execute(principal, record),
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
    return resultsPage(r.id, rows, r.columns, nextToken, maxResults);
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
    await this.reader.close();
  }

  /** The query's settled state, for tests and the harness (no permission check). */
  async waitFor(queryId: string): Promise<QueryState> {
    const r = this.record(queryId);
    await r.done;
    return r.state;
  }
}

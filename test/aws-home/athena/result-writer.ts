/**
 * Writing a query's results as Athena does, with the caller's permissions: an UNLOAD's Parquet file
 * under its (checked empty) target with the manifest and metadata in the result location, or a
 * SELECT's result CSV and its metadata. The sources are listed in ../athena.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DuckDBConnection } from '@duckdb/node-api';
import { PARTITION } from '../cfn.ts';
import type { AthenaStats, Principal } from './api.ts';
import { type EngineAccess, parseS3, type S3Location } from './engine-access.ts';
import { QueryFailure } from './query-failure.ts';
import type { QueryRecord } from './query-record.ts';
import { csvField, renderValue, trinoType } from './result-csv.ts';
import { ident, sqlString } from './sql-text.ts';
import type { UnloadStatement } from './statements.ts';

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

export class ResultWriter {
  /** Numbers the UNLOAD file names, as Trino's query ids are numbered. */
  private counter = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly stats: AthenaStats,
    private readonly access: EngineAccess,
  ) {}

  async checkUnloadTarget(p: Principal, u: UnloadStatement): Promise<S3Location> {
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
    const existing = await this.access.listAll(
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
    await this.access.authorize(
      p,
      's3:PutObject',
      `arn:${PARTITION}:s3:::${bucket}/${key}`,
      (m) => `Access denied when writing output to url: ${uri} (AccessDenied: ${m})`,
      sse ? { 's3:x-amz-server-side-encryption': sse } : {},
    );
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await this.s3.send(
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
    await this.access.authorize(
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

  async runUnload(
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

  async runSelect(p: Principal, db: DuckDBConnection, r: QueryRecord, inner: string): Promise<void> {
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

/**
 * Reading a Glue table the way Athena reads it: every visible object of the table (listed, partitions
 * projected, hidden and empty files skipped) fetched with the caller's permissions and counted against
 * the scan cutoff, checked to be Parquet whose columns the Glue types can read, and then offered to
 * DuckDB as one relation with the Glue columns and the partition keys.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DuckDBConnection } from '@duckdb/node-api';
import { PARTITION } from '../cfn.ts';
import type { AthenaStats, Principal } from './api.ts';
import { GLUE_TYPES, type GlueTable } from './catalog.ts';
import { type EngineAccess, parseS3 } from './engine-access.ts';
import { checkParquetSchema } from './parquet-schema.ts';
import { isHidden, listingRoot, partitionMatcher } from './partition-projection.ts';
import { partitionId } from './partition-pruning.ts';
import { QueryFailure } from './query-failure.ts';
import type { QueryRecord } from './query-record.ts';
import { ident, sqlString } from './sql-text.ts';

export interface VisibleObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  /** Partition values in key order. */
  values: string[];
}

const s3Denied = (path: string) => (m: string) =>
  `Permission denied on S3 path: ${path} (AccessDenied: ${m})`;

export class TableReader {
  constructor(
    private readonly s3: S3Client,
    private readonly stats: AthenaStats,
    private readonly access: EngineAccess,
    private readonly now: () => Date,
  ) {}

  /**
   * The objects of a table Athena would consider: listed under the table (the caller's ListBucket),
   * in a projected partition, not hidden, not empty; with their partition values in key order.
   */
  async visibleObjects(p: Principal, table: GlueTable): Promise<VisibleObject[]> {
    const loc = parseS3(listingRoot(table));
    if (!loc) throw new QueryFailure(`HIVE_INVALID_METADATA: Table ${table.name} has no S3 location`);
    for (const c of [...table.columns, ...table.partitionKeys])
      if (!GLUE_TYPES[c.type])
        throw new QueryFailure(
          `NOT_SUPPORTED: the Athena stand-in does not read Glue type ${c.type} (${table.name}.${c.name})`,
        );
    const denied = s3Denied(table.location);
    await this.access.authorize(p, 's3:GetBucketLocation', `arn:${PARTITION}:s3:::${loc.bucket}`, denied);
    // The harness finds the objects with one listing; what Athena lists is counted in tableRelation.
    const objects = await this.access.listAll(p, loc.bucket, loc.key, denied, undefined, false);
    const match = partitionMatcher(table, this.now());
    const visible: VisibleObject[] = [];
    for (const o of objects.sort((a, b) => (a.key < b.key ? -1 : 1))) {
      if (o.key.endsWith('/') || o.size === 0) continue;
      const m = match(`s3://${loc.bucket}/${o.key}`);
      if (!m || isHidden(m.rest)) continue;
      visible.push({ ...o, bucket: loc.bucket, values: m.values });
    }
    return visible;
  }

  /**
   * One table as a DuckDB relation: the objects of the partitions the query reads (all of them for
   * `read` undefined) fetched as the caller, checked to be Parquet with column types the Glue types
   * can read, then read by column name. Athena's LIST requests are counted: one per partition read
   * of a projected table (it lists each partition's prefix), else one per page of the table.
   */
  async tableRelation(
    p: Principal,
    db: DuckDBConnection,
    r: QueryRecord,
    table: GlueTable,
    dir: string,
    objects: readonly VisibleObject[],
    pruned: { read: ReadonlySet<string> | undefined; listed: number | undefined } | undefined,
  ): Promise<string> {
    const read = pruned?.read;
    const visible = read ? objects.filter((o) => read.has(partitionId(o.values))) : objects;
    this.stats.listRequests += table.partitionKeys.length
      ? (pruned?.listed ?? read?.size ?? new Set(objects.map((o) => partitionId(o.values))).size)
      : Math.max(1, Math.ceil(objects.length / 1000));
    const glueCols = table.columns;
    const duck = (t: string) => GLUE_TYPES[t]!.duck;
    if (visible.length === 0) {
      const cols = [...glueCols, ...table.partitionKeys].map(
        (c) => `cast(null as ${duck(c.type)}) as ${ident(c.name)}`,
      );
      return `select ${cols.join(', ')} where false`;
    }
    await mkdir(dir, { recursive: true });
    const files: { path: string; values: string[] }[] = [];
    const present = new Set<string>();
    for (const [i, o] of visible.entries()) {
      const uri = `s3://${o.bucket}/${o.key}`;
      await this.access.authorize(
        p,
        's3:GetObject',
        `arn:${PARTITION}:s3:::${o.bucket}/${o.key}`,
        s3Denied(uri),
      );
      // Athena reads the object (counted); the harness transfers and checks it once per version.
      this.stats.getRequests++;
      this.stats.objectsRead++;
      this.stats.bytesRead += o.size;
      r.scanned += o.size;
      if (r.workGroup.cutoff !== undefined && r.scanned > r.workGroup.cutoff)
        throw new QueryFailure('Bytes scanned limit was exceeded', 'CANCELLED');
      const cached = await this.readObject(db, o.bucket, o, uri, table, i);
      for (const name of cached.columns) present.add(name);
      const path = cached.path;
      files.push({ path, values: o.values });
    }
    const fileCol = '__storepulse_file';
    const scan = `read_parquet([${files.map((f) => sqlString(f.path)).join(', ')}], union_by_name = true, filename = ${sqlString(fileCol)})`;
    const cols = glueCols.map((c) =>
      present.has(c.name)
        ? `cast(f.${ident(c.name)} as ${duck(c.type)}) as ${ident(c.name)}`
        : `cast(null as ${duck(c.type)}) as ${ident(c.name)}`,
    );
    if (table.partitionKeys.length === 0) return `select ${cols.join(', ')} from ${scan} f`;
    const keyCols = table.partitionKeys.map(
      (k) => `cast(p.${ident(k.name)} as ${duck(k.type)}) as ${ident(k.name)}`,
    );
    const values = files.map((f) => `(${[f.path, ...f.values].map(sqlString).join(', ')})`).join(', ');
    const names = [fileCol, ...table.partitionKeys.map((k) => k.name)].map(ident).join(', ');
    return `select ${[...cols, ...keyCols].join(', ')} from ${scan} f join (values ${values}) p(${names}) on f.${ident(fileCol)} = p.${ident(fileCol)}`;
  }

  /** Object versions already fetched and checked: key -> etag, local copy and its columns. */
  private readonly objects = new Map<string, { etag: string; path: string; columns: string[] }>();
  private fetches = 0;
  /** Where the fetched objects are copied, made at the first fetch; a query may read there. */
  objectsDir: Promise<string> | undefined;

  /** Fetches an object version once and checks it is Parquet that the table's Glue types can read. */
  private async readObject(
    db: DuckDBConnection,
    bucket: string,
    o: { key: string; size: number; etag: string },
    uri: string,
    table: GlueTable,
    i: number,
  ): Promise<{ path: string; columns: string[] }> {
    const cacheKey = `${table.name}\u0000${o.key}`;
    const known = this.objects.get(cacheKey);
    if (known && known.etag === o.etag && o.etag) return known;
    const got = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
    const bytes = await got.Body!.transformToByteArray();
    const magic = (at: number) => Buffer.from(bytes.subarray(at, at + 4)).toString('latin1');
    if (bytes.length < 12 || magic(0) !== 'PAR1' || magic(bytes.length - 4) !== 'PAR1')
      throw new QueryFailure(
        `HIVE_BAD_DATA: ${uri} is not a valid Parquet File (expected magic number PAR1 at its start and end, got ${JSON.stringify(
          magic(0),
        )} and ${JSON.stringify(magic(Math.max(0, bytes.length - 4)))})`,
      );
    this.objectsDir ??= mkdtemp(join(tmpdir(), 'storepulse-athena-objects-'));
    // A name of its own per fetch: queries run at once (the model stages of a wave), and two of them
    // naming a copy alike would each overwrite the file the other reads.
    const path = join(await this.objectsDir, `o${this.fetches++}-${i}`);
    await writeFile(path, bytes);
    const columns = await checkParquetSchema(db, path, uri, table);
    const entry = { etag: o.etag, path, columns };
    this.objects.set(cacheKey, entry);
    return entry;
  }

  /** Removes the fetched objects. */
  async close(): Promise<void> {
    if (this.objectsDir) await rm(await this.objectsDir, { recursive: true, force: true });
  }
}

/**
 * The Athena stand-in against a real S3 endpoint (s3rver) and the synthesized template: UNLOAD and
 * SELECT over the Glue tables, read the way Athena reads them, as strict as Athena.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planRun } from '../../shared/pipeline/plan.ts';
import { loadSql, renderSql } from '../../shared/sql/render.ts';
import { type LocalS3, startS3 } from '../s3rver.ts';
import {
  AthenaStandIn,
  type AuthorizeContext,
  type GetQueryExecutionOutput,
  MAX_QUERY_BYTES,
  type Principal,
  type StartQueryExecutionInput,
} from './athena.ts';
import { type ResolvedTemplate, synthDeployedShape } from './cfn.ts';

const NOW = new Date('2026-11-23T06:00:00Z');
const principal: Principal = { role: 'DailyRunStateMachineRole' };
const TABLE = 'curated/order_lines/';

let template: ResolvedTemplate;
let s3: LocalS3;
let bucket: string;
let scratch: string;
let athena: AthenaStandIn;
const calls: { action: string; resource: string; context?: AuthorizeContext }[] = [];
let deny: ((action: string, resource: string) => boolean) | undefined;

async function authorize(_p: Principal, action: string, resource: string, context?: AuthorizeContext) {
  calls.push({ action, resource, ...(context ? { context } : {}) });
  if (deny?.(action, resource)) {
    const e = new Error(`User is not authorized to perform: ${action} on resource: ${resource}`);
    e.name = 'AccessDenied';
    throw e;
  }
}

/** A Parquet file as DuckDB's COPY writes it. */
async function parquet(select: string): Promise<Uint8Array> {
  const path = join(scratch, `${Math.random().toString(36).slice(2)}.parquet`);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`copy (${select}) to '${path}' (format parquet)`);
  c.closeSync();
  db.closeSync();
  return new Uint8Array(await readFile(path));
}

/** Rows of Parquet bytes, read back with DuckDB. */
async function readRows(files: Uint8Array[], sql = 'select * from t'): Promise<Record<string, unknown>[]> {
  const paths: string[] = [];
  for (const f of files) {
    const p = join(scratch, `${Math.random().toString(36).slice(2)}`);
    await writeFile(p, f);
    paths.push(`'${p}'`);
  }
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`create view t as select * from read_parquet([${paths.join(', ')}])`);
  const rows = (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  c.closeSync();
  db.closeSync();
  return rows;
}

const put = (key: string, body: Uint8Array | string) =>
  s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
const del = (key: string) => s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
async function getBytes(key: string): Promise<Uint8Array> {
  const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return got.Body!.transformToByteArray();
}
async function keys(prefix: string): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

async function run(
  query: string,
  extra: Partial<StartQueryExecutionInput> = {},
): Promise<GetQueryExecutionOutput> {
  const { QueryExecutionId } = await athena.start(principal, {
    QueryString: query,
    WorkGroup: 'storepulse',
    QueryExecutionContext: { Database: 'storepulse' },
    ...extra,
  });
  await athena.waitFor(QueryExecutionId);
  return athena.get(principal, QueryExecutionId);
}

const unload = (select: string, prefix: string) =>
  `UNLOAD (${select}) TO 's3://${bucket}/${prefix}' WITH (format = 'PARQUET')`;

const lines = `select * from (values
    ('o1', '1', 'c1', timestamp '2026-11-20 10:00:00', 'paid', 2, 10.0, 0.0, 0.0, 'USD', 20.0, 20.0,
     timestamp '2026-11-21 00:00:00', timestamp '2026-11-21 00:05:00', 'b1'),
    ('o2', '1', 'c2', timestamp '2026-11-20 11:30:00', 'shipped', 1, 5.5, 0.5, 0.0, 'USD', 5.0, 5.0,
     timestamp '2026-11-21 00:00:00', timestamp '2026-11-21 00:05:00', 'b1'),
    ('o3', '1', 'c1', timestamp '2026-11-20 12:00:00', 'refunded', 3, 1.0, 0.0, 3.0, 'USD', 0.0, 0.0,
     timestamp '2026-11-21 00:00:00', timestamp '2026-11-21 00:05:00', 'b1')
  ) t(order_id, line_id, customer_id, order_ts, status, quantity, unit_price, discount, refund_amount,
      currency, net_amount, net_amount_rc, exported_at, ingested_at, batch_id)`;
const typed = `select order_id, line_id, customer_id, order_ts, status, quantity::int as quantity,
  unit_price::double as unit_price, discount::double as discount, refund_amount::double as refund_amount,
  currency, net_amount::double as net_amount, net_amount_rc::double as net_amount_rc, exported_at,
  ingested_at, batch_id from (${lines})`;

const GOOD = `${TABLE}source=shopify/dt=2026-11-20/part-0.parquet`;
let goodBytes: Uint8Array;

beforeAll(async () => {
  template = await synthDeployedShape();
  const lake = template.ofType('AWS::S3::Bucket').find((id) => id.startsWith('StorageLake'));
  bucket = template.ref(lake!);
  s3 = await startS3(bucket);
  scratch = await mkdtemp(join(tmpdir(), 'storepulse-athena-test-'));
  athena = new AthenaStandIn({ template, s3: s3.client, authorize, now: () => NOW });
  goodBytes = await parquet(typed);
  await put(GOOD, goodBytes);
  // The lines' batch is committed: the product's order_lines view keeps committed batches only.
  await put(
    'curated/batch_commits/b1.parquet',
    await parquet(
      "select 'b1' as batch_id, 'shopify' as source, 'order_lines' as table_name, 'orders.csv' as file, 3::int as rows_landed, 0::int as rows_quarantined, timestamp '2026-11-21 00:05:00' as committed_at",
    ),
  );
}, 180_000);

afterAll(async () => {
  await athena?.close();
  await s3?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  calls.length = 0;
  deny = undefined;
  athena.resetStats();
});

describe('Athena stand-in: UNLOAD', () => {
  it('writes Parquet files without an extension under the target, and the manifest and metadata in the result location', async () => {
    const prefix = 'athena/unload/test/one/';
    const out = await run(
      unload(
        'select order_id, quantity, order_ts, source, dt from storepulse_files.order_lines_versions order by order_id',
        prefix,
      ),
    );
    const q = out.QueryExecution;
    expect(q.Status.State, q.Status.StateChangeReason).toBe('SUCCEEDED');
    expect(q.StatementType).toBe('DML');

    const written = await keys(prefix);
    expect(written).toHaveLength(1);
    const name = written[0]!.slice(prefix.length);
    expect(name).toMatch(/^\d{8}_\d{6}_\d{5}_[a-z0-9]{5}_[0-9a-f-]{36}$/);
    const bytes = await getBytes(written[0]!);
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe('PAR1');
    const rows = await readRows(
      [bytes],
      'select order_id, quantity, order_ts::varchar as ts, source, dt from t',
    );
    expect(rows).toEqual([
      { order_id: 'o1', quantity: 2, ts: '2026-11-20 10:00:00', source: 'shopify', dt: '2026-11-20' },
      { order_id: 'o2', quantity: 1, ts: '2026-11-20 11:30:00', source: 'shopify', dt: '2026-11-20' },
      { order_id: 'o3', quantity: 3, ts: '2026-11-20 12:00:00', source: 'shopify', dt: '2026-11-20' },
    ]);

    expect(q.Statistics.DataManifestLocation).toBe(
      `s3://${bucket}/athena/results/${q.QueryExecutionId}-manifest.csv`,
    );
    const manifest = Buffer.from(
      await getBytes(`athena/results/${q.QueryExecutionId}-manifest.csv`),
    ).toString();
    expect(manifest).toBe(`s3://${bucket}/${written[0]}\n`);
    expect(await keys(`athena/results/${q.QueryExecutionId}.metadata`)).toHaveLength(1);
    expect(q.Statistics.DataScannedInBytes).toBe(goodBytes.length);

    // The engine read the table with the caller's rights: Glue, the bucket, the listing, each object.
    const seen = calls.map((c) => `${c.action} ${c.resource}`);
    expect(seen).toContain(
      'glue:GetTable arn:aws:glue:us-east-1:123456789012:table/storepulse_files/order_lines_versions',
    );
    expect(seen).toContain(`s3:GetObject arn:aws:s3:::${bucket}/${GOOD}`);
    const listed = calls.filter((c) => c.action === 's3:ListBucket').map((c) => c.context?.['s3:prefix']);
    expect(listed).toEqual([prefix, TABLE]); // the UNLOAD target is checked to be empty, then the table listed
    expect(
      calls.find((c) => c.action === 's3:PutObject' && c.resource.includes(prefix))?.context,
    ).toMatchObject({
      's3:x-amz-server-side-encryption': 'AES256',
    });
  });

  it('runs the daily run SQL stage as Step Functions sends it, and the run reads its snapshot by name', async () => {
    const plan = planRun({ asOf: '2026-11-22', runId: 'athena-test' }, 'UTC', (k) => `s3://${bucket}/${k}`);
    const out = await athena.runToCompletion(principal, {
      QueryString: plan.snapshotQuery,
      WorkGroup: 'storepulse',
      QueryExecutionContext: { Database: 'storepulse' },
    });
    expect(out.QueryExecution.Status.State, out.QueryExecution.Status.StateChangeReason).toBe('SUCCEEDED');
    const files = await keys(`athena/runs/order_lines/run=${plan.orderLinesRun}/`);
    const rows = await readRows(
      await Promise.all(files.map(getBytes)),
      'select order_id, status, net_amount_rc, source, dt from t order by order_id',
    );
    expect(rows).toEqual([
      { order_id: 'o1', status: 'paid', net_amount_rc: 20, source: 'shopify', dt: '2026-11-20' },
      { order_id: 'o2', status: 'shipped', net_amount_rc: 5, source: 'shopify', dt: '2026-11-20' },
      { order_id: 'o3', status: 'refunded', net_amount_rc: 0, source: 'shopify', dt: '2026-11-20' },
    ]);
    // The models stage reads the snapshot through its Glue table, naming the run (injected projection).
    calls.length = 0;
    athena.resetStats();
    const read = await run(
      `select count(*) from storepulse_files.order_lines_runs where run = '${plan.orderLinesRun}'`,
    );
    expect(read.QueryExecution.Status.State, read.QueryExecution.Status.StateChangeReason).toBe('SUCCEEDED');
    expect(athena.stats.objectsRead).toBe(files.length);
    expect(athena.stats.listRequests).toBe(1);
    const unnamed = await run('select count(*) from storepulse_files.order_lines_runs');
    expect(unnamed.QueryExecution.Status.StateChangeReason).toMatch(
      /^CONSTRAINT_VIOLATION: For the injected projected partition column run, the WHERE clause must contain only static equality conditions/,
    );
  });

  it('refuses a target that already holds data (HIVE_PATH_ALREADY_EXISTS), writing nothing', async () => {
    const prefix = 'athena/unload/test/twice/';
    const first = await run(unload('select order_id from storepulse_files.order_lines_versions', prefix));
    expect(first.QueryExecution.Status.State).toBe('SUCCEEDED');
    athena.resetStats();
    const second = await run(unload('select order_id from storepulse_files.order_lines_versions', prefix));
    expect(second.QueryExecution.Status.State).toBe('FAILED');
    expect(second.QueryExecution.Status.StateChangeReason).toMatch(
      /^HIVE_PATH_ALREADY_EXISTS: .*athena\/unload\/test\/twice\//,
    );
    expect(await keys(prefix)).toHaveLength(1);
    expect(athena.stats.objectsWritten).toBe(0);
  });

  it('writes no data file for no rows, and an empty manifest', async () => {
    const prefix = 'athena/unload/test/empty/';
    const out = await run(
      unload("select order_id from storepulse_files.order_lines_versions where status = 'none'", prefix),
    );
    expect(out.QueryExecution.Status.State).toBe('SUCCEEDED');
    expect(await keys(prefix)).toEqual([]);
    const manifest = await getBytes(`athena/results/${out.QueryExecution.QueryExecutionId}-manifest.csv`);
    expect(manifest.length).toBe(0);
  });
});

describe('Athena stand-in: reading a table as Athena does', () => {
  it('reads every Parquet object of the projected partitions and counts what it read', async () => {
    const other = `${TABLE}source=amazon/dt=2026-11-19/data-0`;
    const otherBytes = await parquet(`select * from (${typed}) where order_id = 'o2'`);
    await put(other, otherBytes);
    try {
      const out = await run(
        unload(
          'select source, count(*) as n from storepulse_files.order_lines_versions group by source',
          'athena/unload/test/count/',
        ),
      );
      expect(out.QueryExecution.Status.State, out.QueryExecution.Status.StateChangeReason).toBe('SUCCEEDED');
      const rows = await readRows(
        await Promise.all((await keys('athena/unload/test/count/')).map(getBytes)),
        'select * from t order by source',
      );
      expect(rows).toEqual([
        { source: 'amazon', n: '1' },
        { source: 'shopify', n: '3' },
      ]);
      expect(athena.stats.objectsRead).toBe(2);
      expect(athena.stats.bytesRead).toBe(goodBytes.length + otherBytes.length);
      expect(out.QueryExecution.Statistics.DataScannedInBytes).toBe(goodBytes.length + otherBytes.length);
      expect(athena.stats.getRequests).toBe(2);
      expect(athena.stats.listRequests).toBeGreaterThanOrEqual(2); // the table, the UNLOAD target
      expect(athena.stats.objectsWritten).toBe(3); // data file, manifest, metadata
    } finally {
      await del(other);
    }
  });

  it('reads only the partitions the predicates keep, through the views, and lists only their prefixes', async () => {
    const other = `${TABLE}source=amazon/dt=2026-11-19/data-0`;
    await put(other, await parquet(`select * from (${typed}) where order_id = 'o2'`));
    try {
      const lineObjects = () =>
        calls
          .filter((c) => c.action === 's3:GetObject' && c.resource.includes(':::' + bucket + '/' + TABLE))
          .map((c) => c.resource.split(`${bucket}/`)[1]);
      const oneDay = await run("select count(*) from order_lines where dt = '2026-11-20'");
      expect(oneDay.QueryExecution.Status.State, oneDay.QueryExecution.Status.StateChangeReason).toBe(
        'SUCCEEDED',
      );
      expect(lineObjects()).toEqual([GOOD]);
      // Athena lists each projected partition the predicate keeps: the day, for each of the sources.
      const oneDayLists = athena.stats.listRequests;
      expect(oneDayLists).toBeLessThan(30);

      calls.length = 0;
      athena.resetStats();
      const all = await run('select count(*) from order_lines');
      expect(all.QueryExecution.Status.State, all.QueryExecution.Status.StateChangeReason).toBe('SUCCEEDED');
      expect(lineObjects().sort()).toEqual([GOOD, other].sort());
      // With no predicate on dt, every day since the projection's 2015 start, for every source.
      expect(athena.stats.listRequests).toBeGreaterThan(11 * 4000);
    } finally {
      await del(other);
    }
  });

  it('fails HIVE_BAD_DATA on a CSV dropped into the table folder, naming its s3:// path', async () => {
    const csv = `${TABLE}source=shopify/dt=2026-11-21/orders_export_1.csv`;
    await put(csv, 'order_id,quantity\no9,1\n');
    try {
      const out = await run(
        unload('select order_id from storepulse_files.order_lines_versions', 'athena/unload/test/csv/'),
      );
      expect(out.QueryExecution.Status.State).toBe('FAILED');
      expect(out.QueryExecution.Status.StateChangeReason).toMatch(
        new RegExp(
          `^HIVE_BAD_DATA: s3://${bucket}/${csv.replaceAll('.', '\\.')} is not a valid Parquet file`,
          'i',
        ),
      );
      expect(out.QueryExecution.Status.AthenaError?.ErrorCategory).toBe(2);
    } finally {
      await del(csv);
    }
  });

  it('ignores files and folders whose names start with _ or ., and empty files', async () => {
    const hidden = [
      `${TABLE}source=shopify/dt=2026-11-20/_manifest`,
      `${TABLE}source=shopify/dt=2026-11-20/_SUCCESS`,
      `${TABLE}source=shopify/dt=2026-11-20/.part-0.parquet.crc`,
      `${TABLE}source=shopify/dt=2026-11-20/_tmp/part-9`,
    ];
    for (const k of hidden) await put(k, 'not parquet at all');
    await put(`${TABLE}source=shopify/dt=2026-11-20/empty`, new Uint8Array(0));
    try {
      const out = await run(
        unload('select order_id from storepulse_files.order_lines_versions', 'athena/unload/test/hidden/'),
      );
      expect(out.QueryExecution.Status.State, out.QueryExecution.Status.StateChangeReason).toBe('SUCCEEDED');
      expect(athena.stats.objectsRead).toBe(1);
      expect(calls.filter((c) => c.action === 's3:GetObject').map((c) => c.resource)).toEqual([
        `arn:aws:s3:::${bucket}/${GOOD}`,
      ]);
    } finally {
      for (const k of [...hidden, `${TABLE}source=shopify/dt=2026-11-20/empty`]) await del(k);
    }
  });

  it('does not see objects outside the projected partitions (before the range, after NOW+1DAYS, unknown source, no partition)', async () => {
    const outside = [
      `${TABLE}source=shopify/dt=1994-12-31/part-0.parquet`,
      `${TABLE}source=shopify/dt=2026-11-25/part-0.parquet`,
      `${TABLE}source=shopee/dt=2026-11-20/part-0.parquet`,
      `${TABLE}source=shopify/dt=2026-11-31/part-0.parquet`,
      `${TABLE}stray.parquet`,
    ];
    for (const k of outside) await put(k, 'these bytes are not Parquet: reading them would fail the query');
    try {
      const out = await run(
        unload('select order_id from storepulse_files.order_lines_versions', 'athena/unload/test/outside/'),
      );
      expect(out.QueryExecution.Status.State, out.QueryExecution.Status.StateChangeReason).toBe('SUCCEEDED');
      expect(athena.stats.objectsRead).toBe(1);
      const got = calls.filter((c) => c.action === 's3:GetObject').map((c) => c.resource);
      for (const k of outside) expect(got).not.toContain(`arn:aws:s3:::${bucket}/${k}`);
    } finally {
      for (const k of outside) await del(k);
    }
  });

  it('fails HIVE_BAD_DATA on a column whose Parquet type the Glue type cannot read', async () => {
    const bad = `${TABLE}source=generic/dt=2026-11-19/part-0.parquet`;
    await put(bad, await parquet(`select 'o7' as order_id, 'two' as quantity`));
    try {
      const out = await run(
        unload('select order_id from storepulse_files.order_lines_versions', 'athena/unload/test/types/'),
      );
      expect(out.QueryExecution.Status.State).toBe('FAILED');
      expect(out.QueryExecution.Status.StateChangeReason).toBe(
        `HIVE_BAD_DATA: Field quantity's type BINARY (UTF8) in parquet file s3://${bucket}/${bad} is incompatible with type integer defined in table schema`,
      );
    } finally {
      await del(bad);
    }
  });

  it('reads a column a file lacks as null, and a table with no objects as an empty typed relation', async () => {
    const out = await run(
      'select count(*) as n, count(channel) as channels, (select count(*) from rfm) as rfm_rows, typeof(max(order_ts)) as ts_type from storepulse_files.order_lines_versions',
    );
    expect(out.QueryExecution.Status.State, out.QueryExecution.Status.StateChangeReason).toBe('SUCCEEDED');
    const page = await athena.results(principal, out.QueryExecution.QueryExecutionId);
    expect(page.ResultSet.Rows[1]!.Data.map((d) => d.VarCharValue)).toEqual(['3', '0', '0', 'TIMESTAMP']);
  });

  it('fails the query with AccessDenied when the caller may not read an object', async () => {
    deny = (action, resource) => action === 's3:GetObject' && resource.includes('/curated/');
    const out = await run(
      unload('select order_id from storepulse_files.order_lines_versions', 'athena/unload/test/denied/'),
    );
    expect(out.QueryExecution.Status.State).toBe('FAILED');
    expect(out.QueryExecution.Status.StateChangeReason).toContain(
      `Permission denied on S3 path: s3://${bucket}/${GOOD}`,
    );
    expect(out.QueryExecution.Status.StateChangeReason).toContain('AccessDenied');
    expect(await keys('athena/unload/test/denied/')).toEqual([]);
  });

  it('fails when the caller may not read the table in Glue', async () => {
    deny = (action) => action === 'glue:GetTable';
    const out = await run('select count(*) from storepulse_files.order_lines_versions');
    expect(out.QueryExecution.Status.State).toBe('FAILED');
    expect(out.QueryExecution.Status.StateChangeReason).toMatch(
      /^Insufficient permissions.*AccessDeniedException/,
    );
  });

  it('cancels a query that scans more than the workgroup cutoff', async () => {
    const resources = structuredClone(template.resources);
    const wg = template.ofType('AWS::Athena::WorkGroup')[0]!;
    (resources[wg]!.Properties.WorkGroupConfiguration as Record<string, unknown>).BytesScannedCutoffPerQuery =
      100;
    const small = new AthenaStandIn({
      template: { ...template, resources },
      s3: s3.client,
      authorize,
      now: () => NOW,
    });
    const { QueryExecutionId } = await small.start(principal, {
      QueryString: 'select count(*) from storepulse_files.order_lines_versions',
      WorkGroup: 'storepulse',
      QueryExecutionContext: { Database: 'storepulse' },
    });
    await small.waitFor(QueryExecutionId);
    const out = await small.get(principal, QueryExecutionId);
    expect(out.QueryExecution.Status.State).toBe('CANCELLED');
    expect(out.QueryExecution.Status.StateChangeReason).toBe('Bytes scanned limit was exceeded');
    await small.close();
  });
});

describe('Athena stand-in: views', () => {
  it('fails a view whose SQL no longer gives the columns its definition declares (VIEW_IS_STALE)', async () => {
    // The stack's order_lines view, as if its table had changed under it: quantity declared varchar.
    const resources = structuredClone(template.resources);
    for (const id of template.ofType('AWS::Glue::Table')) {
      const input = resources[id]!.Properties.TableInput as { Name: string; ViewOriginalText?: string };
      if (input.Name !== 'order_lines' || !input.ViewOriginalText) continue;
      const b64 = /^\/\* Presto View: (.+) \*\/$/.exec(input.ViewOriginalText)![1]!;
      const view = JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as {
        columns: { name: string; type: string }[];
      };
      for (const c of view.columns) if (c.name === 'quantity') c.type = 'varchar';
      input.ViewOriginalText = `/* Presto View: ${Buffer.from(JSON.stringify(view)).toString('base64')} */`;
    }
    const stale = new AthenaStandIn({
      template: { ...template, resources },
      s3: s3.client,
      authorize,
      now: () => NOW,
    });
    try {
      const { QueryExecutionId } = await stale.start(principal, {
        QueryString: "select count(*) from order_lines where dt = '2026-11-20'",
        WorkGroup: 'storepulse',
        QueryExecutionContext: { Database: 'storepulse' },
      });
      await stale.waitFor(QueryExecutionId);
      const out = await stale.get(principal, QueryExecutionId);
      expect(out.QueryExecution.Status.State).toBe('FAILED');
      expect(out.QueryExecution.Status.StateChangeReason).toMatch(
        /^VIEW_IS_STALE: View 'awsdatacatalog\.storepulse\.order_lines' is stale or in invalid state: column \[quantity\] of type integer .* cannot be coerced to column \[quantity\] of type varchar/,
      );
      // The stack's own definition reads fine.
      const fine = await run("select count(*) from order_lines where dt = '2026-11-20'");
      expect(fine.QueryExecution.Status.State, fine.QueryExecution.Status.StateChangeReason).toBe(
        'SUCCEEDED',
      );
    } finally {
      await stale.close();
    }
  });
});

describe('Athena stand-in: SELECT and GetQueryResults', () => {
  it("writes the CSV to the workgroup's enforced location and pages it with the column names first", async () => {
    const out = await run(
      'select order_id, quantity, unit_price, order_ts, customer_id is null as anonymous, cast(null as varchar) as nothing, 7 / 2 as half from storepulse_files.order_lines_versions order by order_id',
      { ResultConfiguration: { OutputLocation: `s3://${bucket}/somewhere-else/` } },
    );
    const q = out.QueryExecution;
    expect(q.Status.State, q.Status.StateChangeReason).toBe('SUCCEEDED');
    expect(q.ResultConfiguration.OutputLocation).toBe(
      `s3://${bucket}/athena/results/${q.QueryExecutionId}.csv`,
    );
    expect(await keys('somewhere-else/')).toEqual([]);
    const csv = Buffer.from(await getBytes(`athena/results/${q.QueryExecutionId}.csv`)).toString();
    expect(csv.split('\n')[0]).toBe(
      '"order_id","quantity","unit_price","order_ts","anonymous","nothing","half"',
    );
    expect(csv.split('\n')[1]).toBe('"o1","2","10.0","2026-11-20 10:00:00.000","false",,"3"');
    expect(await keys(`athena/results/${q.QueryExecutionId}.csv.metadata`)).toHaveLength(1);

    const first = await athena.results(principal, q.QueryExecutionId, undefined, 2);
    expect(first.ResultSet.Rows.map((r) => r.Data[0]!.VarCharValue)).toEqual(['order_id', 'o1']);
    expect(first.ResultSet.Rows[1]!.Data[5]).toEqual({});
    expect(first.ResultSet.ResultSetMetadata.ColumnInfo.map((c) => c.Type)).toEqual([
      'varchar',
      'integer',
      'double',
      'timestamp',
      'boolean',
      'varchar',
      'integer',
    ]);
    const second = await athena.results(principal, q.QueryExecutionId, first.NextToken, 2);
    expect(second.ResultSet.Rows.map((r) => r.Data[0]!.VarCharValue)).toEqual(['o2', 'o3']);
    expect(second.NextToken).toBeUndefined();
    expect(calls.some((c) => c.action === 'athena:GetQueryResults')).toBe(true);
    expect(
      calls.some((c) => c.action === 's3:GetObject' && c.resource.endsWith(`${q.QueryExecutionId}.csv`)),
    ).toBe(true);
  });

  it('reports SQL errors with Athena-style prefixes and refuses what it does not emulate', async () => {
    const reason = async (sql: string) => (await run(sql)).QueryExecution.Status.StateChangeReason;
    expect((await run('select 1;')).QueryExecution.Status.State).toBe('SUCCEEDED');
    expect(await reason('selec 1')).toMatch(/^SYNTAX_ERROR: line 1:1: /);
    expect(await reason('select 1 frm storepulse_files.order_lines_versions')).toMatch(
      /^SYNTAX_ERROR: line 1:\d+: /,
    );
    expect(await reason('from storepulse_files.order_lines_versions')).toMatch(/^SYNTAX_ERROR: line 1:1: /);
    expect(await reason('select * from no_such_table')).toBe(
      "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.storepulse.no_such_table' does not exist",
    );
    expect(await reason('select no_such_column from storepulse_files.order_lines_versions')).toMatch(
      /^COLUMN_NOT_FOUND: /,
    );
    expect(await reason("select * from read_csv('/etc/passwd')")).toMatch(/^SYNTAX_ERROR: .*table functions/);
    expect(await reason('select quantity::bigint from storepulse_files.order_lines_versions')).toMatch(
      /^SYNTAX_ERROR: line 1:16: /,
    );
    expect(await reason('select 1; select 2')).toMatch(/^INVALID_INPUT: Only one sql statement/);
    expect(await reason('CREATE OR REPLACE VIEW v AS SELECT 1')).toMatch(/^NOT_SUPPORTED: /);
    expect(
      await reason(unload('select 1 as x', 'athena/unload/test/json/').replace('PARQUET', 'JSON')),
    ).toMatch(/^NOT_SUPPORTED: /);
  });

  it('resolves the stack’s views with the caller’s Glue rights on everything under them', async () => {
    const out = await run(
      renderSql('rfm_customer_aggregates', loadSql('rfm_customer_aggregates'), { as_of: '2026-11-22' }),
    );
    expect(out.QueryExecution.Status.State, out.QueryExecution.Status.StateChangeReason).toBe('SUCCEEDED');
    // order_lines is a Glue view over the committed line versions and rates (views themselves),
    // which read the files database and the commit and compaction records.
    const tables = calls.filter((c) => c.action === 'glue:GetTable' && c.resource.includes(':table/'));
    expect(tables.map((c) => c.resource.split(':table/').pop()).sort()).toEqual(
      [
        'storepulse/order_lines',
        'storepulse/order_lines_versions',
        'storepulse/fx_rates',
        'storepulse/batch_commits',
        'storepulse/compactions',
        'storepulse_files/order_lines_versions',
        'storepulse_files/fx_rates',
      ].sort(),
    );
  });

  it('shows a batch through the views only once its commit record exists', async () => {
    const uncommitted = `${TABLE}source=shopify/dt=2026-11-21/part-0.parquet`;
    await put(
      uncommitted,
      await parquet(`select * replace ('b2' as batch_id, 'o9' as order_id) from (${typed})`),
    );
    try {
      const count = async (relation: string) => {
        const out = await run(`select count(*) from ${relation}`);
        expect(out.QueryExecution.Status.State, out.QueryExecution.Status.StateChangeReason).toBe(
          'SUCCEEDED',
        );
        const page = await athena.results(principal, out.QueryExecution.QueryExecutionId);
        return Number(page.ResultSet.Rows[1]!.Data[0]!.VarCharValue);
      };
      expect(await count('storepulse_files.order_lines_versions')).toBe(6);
      expect(await count('order_lines_versions')).toBe(3);
      expect(await count('order_lines')).toBe(3);
    } finally {
      await del(uncommitted);
    }
  });
});

describe('Athena stand-in: StartQueryExecution', () => {
  it('refuses a query string over 262,144 bytes and accepts one of exactly that size', async () => {
    const base = 'select 1 -- ';
    const at = base + 'x'.repeat(MAX_QUERY_BYTES - base.length);
    expect(Buffer.byteLength(at)).toBe(262_144);
    await expect(
      athena.start(principal, { QueryString: `${at}x`, WorkGroup: 'storepulse' }),
    ).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringContaining('less than or equal to 262144'),
    });
    const ok = await athena.start(principal, { QueryString: at, WorkGroup: 'storepulse' });
    expect(await athena.waitFor(ok.QueryExecutionId)).toBe('SUCCEEDED');
    // Bytes, not characters: 131,073 two-byte characters are over the limit.
    await expect(
      athena.start(principal, { QueryString: `select '${'é'.repeat(131_070)}'`, WorkGroup: 'storepulse' }),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });

  it('checks the workgroup, its permission and the result location', async () => {
    await expect(
      athena.start(principal, { QueryString: 'select 1', WorkGroup: 'nope' }),
    ).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
    await expect(athena.start(principal, { QueryString: 'select 1' })).rejects.toThrow(
      /No output location provided/,
    );
    deny = (action) => action === 'athena:StartQueryExecution';
    await expect(
      athena.start(principal, { QueryString: 'select 1', WorkGroup: 'storepulse' }),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(calls.at(-1)).toMatchObject({
      action: 'athena:StartQueryExecution',
      resource: 'arn:aws:athena:us-east-1:123456789012:workgroup/storepulse',
    });
  });

  it('reports a failed .sync task as Step Functions does', async () => {
    await expect(
      athena.runToCompletion(principal, {
        QueryString: 'select * from nope',
        WorkGroup: 'storepulse',
        QueryExecutionContext: { Database: 'storepulse' },
      }),
    ).rejects.toMatchObject({ name: 'States.TaskFailed', cause: expect.stringContaining('TABLE_NOT_FOUND') });
    await expect(
      athena.runToCompletion(principal, { QueryString: 'select 1', WorkGroup: 'missing' }),
    ).rejects.toMatchObject({ name: 'Athena.InvalidRequestException' });
  });
});

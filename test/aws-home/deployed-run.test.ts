/**
 * The AWS home as deployed, run on this machine (see home.ts): the demo's exports dropped under
 * raw/ one by one, the daily run for the demo date, an inventory drop and a second day, then a
 * re-run of the first date. The same exports go through the local home beside it, and every model
 * partition the state machine writes must equal what `storepulse run` writes, row for row.
 */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recallListKey, reportKey } from '../../shared/lake/keys.ts';
import { LocalLake } from '../../shared/lake/local.ts';
import { readParquetRows } from '../../shared/lake/parquet-read.ts';
import { runDaily } from '../../shared/pipeline/daily-run.ts';
import { ingestFile } from '../../shared/pipeline/ingest.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import type { TableSpec } from '../../shared/schemas/table.ts';
import { ALL_TABLES, churnRecall, diagnostics } from '../../shared/schemas/tables.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { STAGES } from '../../shared/stages/registry.ts';
import { DEMO_AS_OF, type DemoFile, writeDemoExports } from '../../shared/synth/demo.ts';
import { addDays } from '../../shared/time.ts';
import { testConfig } from '../helpers.ts';
import {
  FITTED_PARAMETER_TOLERANCE,
  FLOAT_TOLERANCE,
  keysMatching,
  partitionRows,
  rowDifferences,
} from './compare.ts';
import { AwsHome, type RunFigures } from './home.ts';

const ID_KEY = 'aws-home-test-key-0123456789';
const DAY_2 = addDays(DEMO_AS_OF, 1);
const config = testConfig({ idKey: ID_KEY });
/** The daily run's outputs: every table of the models and alerts zones, partitioned by date. */
const MODEL_TABLES: TableSpec[] = ALL_TABLES.filter(
  (t) => (t.zone === 'models' || t.zone === 'alerts') && t.partitionKeys.some((k) => k.name === 'dt'),
);

let dir: string;
let home: AwsHome;
let local: LocalLake;
let demo: DemoFile[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'storepulse-aws-home-'));
  demo = await writeDemoExports(join(dir, 'exports'));
  local = new LocalLake(join(dir, 'lake'));
  home = await AwsHome.start({
    settings: { idKeyParameter: '/storepulse/id-key' },
    ssmParameters: { '/storepulse/id-key': ID_KEY },
  });
}, 240_000);

afterAll(async () => {
  await home?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Drops an export as an operator would (`aws s3 cp --metadata exported-at=…`) and ingests it locally too. */
async function dropBoth(path: string, exportedAt: Date, key = `raw/demo/${basename(path)}`) {
  await home.drop(key, await readFile(path), { 'exported-at': exportedAt.toISOString() });
  const delivered = await home.deliver();
  await ingestFile({ lake: local, config, log: silentLog }, { path, exportedAt: exportedAt.getTime() });
  return delivered;
}

const runLocally = (asOf: string) =>
  runDaily(
    {
      lake: local,
      config,
      log: silentLog,
      openEngine: (tables) => DuckDbEngine.open(local, tables ? { tables } : {}),
    },
    asOf,
  );

async function expectSameModels(asOf: string): Promise<void> {
  const differences: string[] = [];
  for (const spec of MODEL_TABLES) {
    const [expected, actual] = [
      await partitionRows(local, spec, asOf),
      await partitionRows(home.lake, spec, asOf),
    ];
    const tolerance = spec === diagnostics ? FITTED_PARAMETER_TOLERANCE : FLOAT_TOLERANCE;
    for (const d of rowDifferences(expected, actual, tolerance)) differences.push(`${spec.name}: ${d}`);
  }
  expect(differences, `model partitions of ${asOf} (tolerance ${FLOAT_TOLERANCE})`).toEqual([]);
}

/** One line per run for the log: what the run cost in S3 requests and Athena reads. */
function describeFigures(what: string, f: RunFigures): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return (
    `${what}: S3 ${f.s3Total.get} GET, ${f.s3Total.list} LIST, ${f.objectsWritten} objects written; ` +
    `Athena ${f.athena.queries} queries read ${f.athena.objectsRead} objects, ${mb(f.athena.bytesRead)} MB ` +
    `(${f.athena.getRequests} GET, ${f.athena.listRequests} LIST)`
  );
}

/**
 * A digest of what a query of the order history sees, the same in Athena and DuckDB: lines, units,
 * money and distinct line versions per source.
 */
const HISTORY_DIGEST = `select source, count(*) as lines, cast(sum(quantity) as bigint) as units,
  round(sum(net_amount), 2) as net, round(sum(coalesce(net_amount_rc, 0)), 2) as net_rc,
  count(distinct order_id || '/' || line_id || '/' || status) as versions
  from order_lines group by source order by source`;

/**
 * A query's rows through the Athena stand-in, as a model stage's role runs its queries: UNLOADed
 * under athena/unload/ (the stages read their results there, not through GetQueryResults).
 */
async function athenaRows(statement: string): Promise<string[][]> {
  const stage = home.lambda.functions.find((f) => f.environment.MODEL_STAGE === 'order_history')!;
  const principal = { role: home.iam.roleOf(stage.logicalId) };
  const prefix = `athena/unload/test-digest/${Math.random().toString(36).slice(2)}/`;
  const { QueryExecutionId } = await home.athena.start(principal, {
    QueryString: `UNLOAD (${statement}) TO 's3://${home.bucket}/${prefix}' WITH (format = 'PARQUET')`,
    WorkGroup: 'storepulse',
    QueryExecutionContext: { Database: 'storepulse' },
  });
  await home.athena.waitFor(QueryExecutionId);
  const status = (await home.athena.get(principal, QueryExecutionId)).QueryExecution.Status;
  expect(status.State, status.StateChangeReason).toBe('SUCCEEDED');
  const rows = await readParquetRows(home.lake, prefix);
  return rows
    .map((r) => Object.values(r).map((v) => String(v ?? '')))
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The same digest with DuckDB over the local lake (not compacted), as Athena's CSV shows it. */
async function duckDbRows(statement: string): Promise<string[][]> {
  const engine = await DuckDbEngine.open(local);
  try {
    const { columns, rows } = await engine.query(statement);
    return rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  } finally {
    await engine.close();
  }
}

let historyBeforeCompaction: string[][];

describe('the AWS home, deployed shape', () => {
  it('lands every demo export dropped under raw/ (S3 -> SQS -> ingest Lambda), as the local home does', async () => {
    for (const f of demo) {
      const d = await dropBoth(f.path, f.exportedAt);
      expect(d.failedMessages, basename(f.path)).toBe(0);
    }
    expect(home.gateway.denied).toEqual([]);
    // The same batches (content hashes) and the same curated files, key for key.
    expect(await home.lake.list('_manifests/batches/')).toEqual(await local.list('_manifests/batches/'));
    expect(await home.lake.list('curated/')).toEqual(await local.list('curated/'));
    // S3's test event (sent when the notification was configured) was consumed without a failure.
    for (const q of home.dropQueues) expect(home.sqs.visible(q)).toBe(0);
    historyBeforeCompaction = await athenaRows(HISTORY_DIGEST);
    expect(historyBeforeCompaction).toEqual(await duckDbRows(HISTORY_DIGEST));
  }, 300_000);

  it('runs the demo date as the state machine does and writes the same model partitions as `storepulse run`', async () => {
    home.resetFigures();
    const run = await home.run(DEMO_AS_OF, 'demo-day');
    expect(run.status, JSON.stringify(home.sns.published.at(-1))).toBe('SUCCEEDED');
    // Each model stage its own invocation, in waves; the order within a wave is the branches'.
    expect(run.tasks.slice(0, 3)).toEqual(['CompactLake', 'PlanRun', 'ReadOrderHistory']);
    expect(run.tasks.slice(3, -3).sort()).toEqual(STAGES.map((s) => `Run-${s.name}`).sort());
    expect(run.tasks.slice(-3)).toEqual(['FinishModels', 'WriteReport', 'ChurnRecallList']);
    console.log(describeFigures(`daily run ${DEMO_AS_OF}`, home.figures()));
    expect(home.gateway.denied).toEqual([]);
    // The run compacted the lake first (the local lake is not): Athena sees the same history.
    expect(await home.lake.list('curated/compactions/')).toHaveLength(1);
    expect(await athenaRows(HISTORY_DIGEST)).toEqual(historyBeforeCompaction);

    await runLocally(DEMO_AS_OF);
    await expectSameModels(DEMO_AS_OF);
    // The CRM list sits under restricted/, the report under reports/; one notification per topic.
    expect(await home.lake.exists(recallListKey(DEMO_AS_OF))).toBe(true);
    expect(await home.lake.exists(reportKey(DEMO_AS_OF))).toBe(true);
    const recall = home.sns.published.filter((p) => p.topicId.startsWith('AlertsChurnRecall'));
    expect(recall).toHaveLength(1);
    expect(recall[0]!.subject).toMatch(/^storepulse 2026-11-23: \d+ valuable customer\(s\) to recall$/);
  }, 600_000);

  it('raises stockout warnings when an inventory snapshot is dropped, on the stockout topic', async () => {
    const snapshot = join(dir, 'exports', 'inventory-day-2.csv');
    const text = Buffer.from(await readFile(demo.find((f) => f.path.endsWith('inventory.csv'))!.path))
      .toString('utf8')
      .replaceAll(`${DEMO_AS_OF}T06:00:00Z`, `${DAY_2}T06:00:00Z`)
      // A quarter of the stock left overnight: items fall below their reorder point.
      .replace(
        /^([^,\n]+,[^,\n]+,[^,\n]+,)(\d+),/gm,
        (_, head: string, n: string) => `${head}${Math.floor(Number(n) / 4)},`,
      );
    await writeFile(snapshot, text);
    const before = home.sns.published.length;
    const d = await dropBoth(snapshot, new Date(`${DAY_2}T06:05:00Z`));
    expect(d.failedMessages).toBe(0);
    const stockout = home.sns.published.slice(before).filter((p) => p.topicId.startsWith('AlertsStockout'));
    expect(stockout.length, 'a stockout notification from the ingest function').toBe(1);
    expect(stockout[0]!.publisher).toMatch(/^IngestFunctionServiceRole/);
  }, 120_000);

  it('runs a second day from the schedule: cooldowns hold, yesterday warm-starts today, the report compares days', async () => {
    const orders = join(dir, 'exports', 'pos_orders_day_2.csv');
    const header =
      'order_id,line_id,customer_id,order_ts,paid_ts,sku,product_name,category,quantity,unit_price,discount,refund_amount,currency,status,channel,country,warehouse,email,phone';
    const lines = ['C000003', 'C000011', 'C000019'].map(
      (c, i) =>
        `POS-D2-${i},1,${c},${DAY_2}T10:0${i}:00Z,${DAY_2}T10:0${i}:30Z,SP-13-001,USB-C cable 2m,Phone accessories,${i + 1},12.43,0.00,0.00,USD,completed,pos,US,store-1,,`,
    );
    await writeFile(orders, `${header}\n${lines.join('\n')}\n`);
    expect((await dropBoth(orders, new Date(`${DAY_2}T21:00:00Z`))).failedMessages).toBe(0);

    home.resetFigures();
    // The schedule fires at 06:00 shop time (UTC here) on the 25th: the run is for the 24th.
    const run = await home.scheduledRun(`${addDays(DAY_2, 1)}T06:00:00Z`, 'day-2');
    expect(run.status, JSON.stringify(home.sns.published.at(-1))).toBe('SUCCEEDED');
    console.log(describeFigures(`daily run ${DAY_2}`, home.figures()));
    await runLocally(DAY_2);
    await expectSameModels(DAY_2);

    // Nobody alerted yesterday is alerted again today (the 30-day cooldown).
    const ids = async (dt: string) =>
      new Set((await partitionRows(home.lake, churnRecall, dt)).map((r) => r.customer_id));
    const [first, second] = [await ids(DEMO_AS_OF), await ids(DAY_2)];
    expect(first.size).toBeGreaterThan(0);
    expect([...second].filter((id) => first.has(id))).toEqual([]);
    const report = Buffer.from((await home.lake.get(reportKey(DAY_2)))!).toString('utf8');
    expect(report).toContain(DAY_2);
    // The report shows what is still open, and links yesterday's list with a URL the report
    // Lambda's role signed (issue 20).
    expect(report).toMatch(/0 new today, [1-9][\d,]* still open/);
    expect(report).toMatch(
      new RegExp(
        `href="https?://[^"]*restricted/recall_lists/dt(=|%3D)${DEMO_AS_OF}/recall\\.csv\\?[^"]*X-Amz-Signature=`,
      ),
    );
  }, 600_000);

  it('keeps contact details under restricted/: nothing an analyst or another stage reads holds one', async () => {
    const contactish = /@example\.com|\+1 555 \d{3} \d{4}/;
    const open = (await home.lake.list('')).filter((k) => !/^(raw|restricted|quarantine|staging)\//.test(k));
    expect(open.length).toBeGreaterThan(100);
    expect(await keysMatching(home.lake, open, contactish)).toEqual([]);
    // The scan does find them where they belong.
    expect(
      (await keysMatching(home.lake, await home.lake.list('restricted/contacts/'), contactish)).length,
    ).toBeGreaterThan(0);
    // The recall list itself does carry them, under restricted/.
    expect(Buffer.from((await home.lake.get(recallListKey(DEMO_AS_OF)))!).toString('utf8')).toMatch(
      contactish,
    );
  });

  it('re-runs the first date with the same outputs (a new run id, a new UNLOAD prefix)', async () => {
    const run = await home.run(DEMO_AS_OF, 'demo-day-again');
    expect(run.status, JSON.stringify(home.sns.published.at(-1))).toBe('SUCCEEDED');
    await expectSameModels(DEMO_AS_OF);
  }, 600_000);
});

/**
 * The AWS home when things go wrong (see home.ts): deliveries that repeat or make no sense, exports
 * that vanish or arrive together, a stage that fails, an ingest that keeps failing until its alarm
 * goes off; and the deployed shape with a grant or a key as it was before its fix, to show that the
 * harness refuses what AWS would refuse.
 */

import { readFile } from 'node:fs/promises';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLake } from '../../shared/lake/local.ts';
import { readParquetRows } from '../../shared/lake/parquet-read.ts';
import { ingestFile } from '../../shared/pipeline/ingest.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { STAGES } from '../../shared/stages/registry.ts';
import { dependencies } from '../../shared/stages/run-stages.ts';
import { fixture, tempDir, testConfig } from '../helpers.ts';
import { editTemplate, type ResolvedTemplate, synthDeployedShape } from './cfn.ts';
import { AwsHome } from './home.ts';

const ID_KEY = 'aws-home-test-key-0123456789';
const settings = { idKeyParameter: '/storepulse/id-key' };
const ssmParameters = { '/storepulse/id-key': ID_KEY };
const SHOPIFY = fixture('formats', 'shopify_orders_export_1.csv');
const TAOBAO_ORDERS = fixture('formats', 'taobao_ExportOrderList201707111200.csv');
const TAOBAO_ITEMS = fixture('formats', 'taobao_ExportOrderDetailList201707111200.csv');

let template: ResolvedTemplate;
beforeAll(async () => {
  template = await synthDeployedShape(settings);
}, 240_000);

const homes: AwsHome[] = [];
afterAll(async () => {
  await Promise.all(homes.map((h) => h.stop()));
});

async function start(t = template): Promise<AwsHome> {
  const home = await AwsHome.start({ template: t, ssmParameters, logLevel: 'INFO' });
  homes.push(home);
  return home;
}

const topic = (home: AwsHome, prefix: string) =>
  home.sns.published.filter((p) => p.topicId.startsWith(prefix));
const orderLineFiles = async (home: AwsHome, source: string) =>
  home.lake.list(`curated/order_lines/source=${source}/`);

describe('drops in the AWS home', () => {
  let home: AwsHome;
  beforeAll(async () => {
    home = await start();
  });

  it('ingests a file once whether its message comes twice, it is dropped twice or under another name', async () => {
    await home.drop('raw/shopify/orders export 1.csv', await readFile(SHOPIFY));
    expect((await home.deliver()).failedMessages).toBe(0);
    const landed = await orderLineFiles(home, 'shopify');
    expect(landed.length).toBeGreaterThan(0);
    // SQS delivers at least once: the very same notification again.
    const [queue] = home.dropQueues;
    const bodies = home.sqs.sent.get(queue!)!;
    home.sqs.enqueue(queue!, bodies.at(-1)!);
    // The same export dropped again, and a copy under another name.
    await home.drop('raw/shopify/orders export 1.csv', await readFile(SHOPIFY));
    await home.drop('raw/shopify/copy of orders.csv', await readFile(SHOPIFY));
    expect((await home.deliver()).failedMessages).toBe(0);
    expect(await orderLineFiles(home, 'shopify')).toEqual(landed);
    expect(await home.lake.list('_manifests/batches/')).toHaveLength(1);
    expect(home.logs('IngestFunction').filter((l) => l.includes('already ingested'))).toHaveLength(3);
  });

  it('skips an object deleted before its message is read, without retrying it', async () => {
    await home.drop('raw/generic/gone.csv', await readFile(fixture('formats', 'generic_orders.csv')));
    await home.gateway.admin.send(
      new DeleteObjectCommand({ Bucket: home.bucket, Key: 'raw/generic/gone.csv' }),
    );
    const d = await home.deliver();
    expect(d).toMatchObject({ failedMessages: 0, deadLettered: 0 });
    expect(await orderLineFiles(home, 'generic')).toEqual([]);
    expect(home.logs('IngestFunction').some((l) => l.includes('object no longer exists'))).toBe(true);
  });

  it('takes a batch back with the forget function (its IAM simulated), and the same file lands again when dropped again', async () => {
    const manifests = await home.lake.list('_manifests/batches/');
    expect(manifests).toHaveLength(1);
    const batchId = manifests[0]!.replace(/^.*\/|\.json$/g, '');
    const forget = home.lambda.functions.find(
      (f) => f.environment.POWERTOOLS_SERVICE_NAME === 'storepulse-forget',
    )!;
    // A payload that names no batch is refused with what to send, and removes nothing.
    const bad = await home.lambda.invoke(forget.arn, { batch: batchId });
    expect(bad.ok || bad.error).toMatchObject({
      errorType: 'UsageError',
      errorMessage: expect.stringContaining('batchId'),
    });
    expect(await home.lake.list('_manifests/batches/')).toHaveLength(1);
    // An operator's `aws lambda invoke --payload '{"batchId": "<prefix>"}'`.
    const r = await home.lambda.invoke(forget.arn, { batchId: batchId.slice(0, 10) });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(await orderLineFiles(home, 'shopify')).toEqual([]);
    expect(await home.lake.list('_manifests/batches/')).toEqual([]);
    expect(await home.lake.list('restricted/contacts/source=shopify/')).toEqual([]);
    expect(home.gateway.denied).toEqual([]);
    // The raw drop is kept; dropped again, the export lands again.
    await home.drop('raw/shopify/orders export 1.csv', await readFile(SHOPIFY));
    expect((await home.deliver()).failedMessages).toBe(0);
    expect((await orderLineFiles(home, 'shopify')).length).toBeGreaterThan(0);
  });

  it('sweeps on the forget function daily schedule: a batch an earlier version completed gets its commit record, and counts again', async () => {
    // What an earlier version left: a manifest (its last write) and no commit record.
    const manifests = await home.lake.list('_manifests/batches/');
    const batchId = manifests[0]!.replace(/^.*\/|\.json$/g, '');
    const commit = `curated/batch_commits/${batchId}.parquet`;
    const manifest = JSON.parse(Buffer.from((await home.lake.get(manifests[0]!))!).toString('utf8'));
    delete manifest.commitKey;
    await home.lake.put(manifests[0]!, JSON.stringify(manifest));
    await home.lake.delete(commit);
    const forget = home.lambda.functions.find(
      (f) => f.environment.POWERTOOLS_SERVICE_NAME === 'storepulse-forget',
    )!;
    // The daily sweep schedule, with its own role and input from the template.
    const r = await home.scheduledInvoke(forget.arn);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.ok && r.payload).toMatchObject({ legacyCommitted: 1 });
    expect(await home.lake.exists(commit)).toBe(true);
    expect(home.gateway.denied).toEqual([]);
  });

  it('compacts with its own function, and a batch forgotten afterwards comes out exactly (IAM simulated)', async () => {
    const fn = (service: string) =>
      home.lambda.functions.find((f) => f.environment.POWERTOOLS_SERVICE_NAME === service)!;
    const ids = async () =>
      (await home.lake.list('_manifests/batches/')).map((k) => k.replace(/^.*\/|\.json$/g, ''));
    const rows = () => readParquetRows(home.lake, 'curated/order_lines/source=shopify/');
    const [first] = await ids();
    const firstRows = await rows();
    // The same orders exported again later (another file: one more line end).
    await home.drop('raw/shopify/orders export 2.csv', `${await readFile(SHOPIFY, 'utf8')}\n`);
    expect((await home.deliver()).failedMessages).toBe(0);
    const second = (await ids()).find((id) => id !== first)!;
    expect(await rows()).toHaveLength(firstRows.length * 2);

    const compacted = await home.lambda.invoke(fn('storepulse-compact').arn, {});
    expect(compacted.ok, JSON.stringify(compacted)).toBe(true);
    expect(compacted.ok && compacted.payload).toMatchObject({ versionsArchived: firstRows.length });
    const files = await orderLineFiles(home, 'shopify');
    expect(
      files.every((k) => /\/compacted-[0-9a-f]{32}\.parquet$/.test(k)),
      files.join(),
    ).toBe(true);
    expect((await rows()).map((r) => r.batch_id)).toEqual(firstRows.map(() => second));

    // The later export taken back: its versions leave, the first export's come back from the archive.
    const forgot = await home.lambda.invoke(fn('storepulse-forget').arn, { batchId: second });
    expect(forgot.ok, JSON.stringify(forgot)).toBe(true);
    const back = await rows();
    expect(back.map((r) => r.batch_id)).toEqual(firstRows.map(() => first));
    expect(back.map((r) => `${r.order_id}/${r.line_id}`).sort()).toEqual(
      firstRows.map((r) => `${r.order_id}/${r.line_id}`).sort(),
    );
    expect(home.gateway.denied).toEqual([]);
  });

  it('retries a message it cannot read five times, then the dead-letter alarm notifies through the encrypted topic', async () => {
    const [queue] = home.dropQueues;
    home.sqs.enqueue(queue!, 'this is not an S3 notification');
    const d = await home.deliver();
    expect(d).toMatchObject({ failedMessages: 5, deadLettered: 1 });
    const [alarm] = home.alarms.alarms;
    expect(alarm!.state).toBe('ALARM');
    expect(alarm!.failedActions).toEqual([]);
    const notes = topic(home, 'AlertsPipelineFailure');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.publisher).toBe('cloudwatch.amazonaws.com');
    expect(notes[0]!.subject).toMatch(/^ALARM: /);
  });

  it('lands every line of a Taobao order report and item report dropped at the same moment', async () => {
    const expected = new LocalLake(`${await tempDir()}/lake`);
    for (const f of [TAOBAO_ORDERS, TAOBAO_ITEMS])
      await ingestFile(
        { lake: expected, config: testConfig({ idKey: ID_KEY }), log: silentLog },
        { path: f, exportedAt: Date.UTC(2017, 6, 11, 4) },
      );
    const want = await expected.list('curated/order_lines/source=taobao/');
    expect(want.length).toBeGreaterThan(0);

    const at = { 'exported-at': '2017-07-11T04:00:00Z' };
    await home.drop('raw/taobao/ExportOrderList201707111200.csv', await readFile(TAOBAO_ORDERS), at);
    await home.drop('raw/taobao/ExportOrderDetailList201707111200.csv', await readFile(TAOBAO_ITEMS), at);
    const before = home.lambda.invocations.length;
    // Two pollers, one message each: two invocations in two environments at once.
    expect((await home.deliver(2)).failedMessages).toBe(0);
    expect(home.lambda.invocations.length - before).toBe(2);
    const rows = async (lake: { list(p: string): Promise<string[]> }) =>
      (await lake.list('curated/order_lines/source=taobao/')).map((k) => k.replace(/[^/]+$/, ''));
    expect(await rows(home.lake)).toEqual(await rows(expected));
    // Dropped again, in the other order: nothing changes.
    const keys = await home.lake.list('');
    await home.drop('raw/taobao/again-items.csv', await readFile(TAOBAO_ITEMS), at);
    await home.drop('raw/taobao/again-orders.csv', await readFile(TAOBAO_ORDERS), at);
    expect((await home.deliver(2)).failedMessages).toBe(0);
    expect((await home.lake.list('')).filter((k) => !k.startsWith('raw/'))).toEqual(
      keys.filter((k) => !k.startsWith('raw/')),
    );
  });

  it('fails the run when a stage fails, and the failure notification names the execution and the error', async () => {
    // A CSV where Athena expects Parquet: the SQL stage fails as it would in AWS.
    const stray = 'curated/order_lines/source=shopify/dt=2026-02-01/stray.csv';
    await home.lake.put(stray, 'order_id,sku\n1,A\n');
    const run = await home.run('2026-03-31', 'broken');
    await home.lake.delete(stray);
    expect(run).toMatchObject({ status: 'FAILED', error: 'DailyRunFailed' });
    expect(run.tasks).toEqual(['CompactLake', 'PlanRun', 'ReadOrderHistory', 'NotifyFailure']);
    const note = topic(home, 'AlertsPipelineFailure').at(-1)!;
    expect(note.subject).toBe('storepulse daily run failed');
    const message = JSON.parse(note.message) as {
      error: { Error: string; Cause: string };
      execution: string;
    };
    expect(message.execution).toMatch(/:execution:.*:broken$/);
    expect(message.error.Cause).toContain('HIVE_BAD_DATA');
    expect(message.error.Cause).toContain(stray);
  }, 120_000);
});

describe('the deployed shape without a grant it needs', () => {
  it('fails the daily run with AccessDenied when a stage function may not read curated/, after the stages that do not need it wrote', async () => {
    // As the stack was before its fix: Athena reads S3 with the caller's role, and the models
    // function had no read on curated/. Now one stage, rfm, is denied it.
    const broken = editTemplate(template, (resources) => {
      const [id] = Object.entries(resources).find(
        ([k, r]) =>
          r.Type === 'AWS::IAM::Policy' && k.startsWith('DailyRunStagesrfmFunctionServiceRoleDefaultPolicy'),
      )!;
      const doc = resources[id]!.Properties.PolicyDocument as { Statement: { Resource: unknown }[] };
      for (const s of doc.Statement)
        s.Resource = [s.Resource].flat().filter((r) => !String(r).endsWith('/curated/*'));
    });
    const home = await start(broken);
    await home.drop('raw/shopify/orders.csv', await readFile(SHOPIFY));
    await home.deliver();
    const run = await home.run('2026-03-31', 'no-read');
    expect(run.status).toBe('FAILED');
    expect(run.tasks.slice(0, 3)).toEqual(['CompactLake', 'PlanRun', 'ReadOrderHistory']);
    expect(run.tasks.slice(-2)).toEqual(['FinishModels', 'NotifyFailure']);
    const note = topic(home, 'AlertsPipelineFailure').at(-1)!;
    // The stage reads the commit records (where the history lies) before its Athena queries; the
    // stages that read its output are not run, and the run fails naming each.
    const error = (JSON.parse(note.message) as { error: { Error: string; Cause: string } }).error;
    // The error keeps its name through the bundle (minified, it read "Ap"): Step Functions and the
    // operator see what failed.
    expect(error.Error).toBe('StageFailure');
    const cause = (JSON.parse(error.Cause) as { errorMessage: string }).errorMessage;
    expect(cause).toMatch(
      /rfm: LakeError: lake curated\/batch_commits\/[^ ]+: read failed on s3:\/\/[^ ]+ \(AccessDenied: /,
    );
    const dependants = STAGES.filter((s) => dependencies(s, STAGES).some((d) => d.name === 'rfm'));
    expect(dependants.length).toBeGreaterThan(0);
    for (const d of dependants) expect(cause).toContain(`${d.name}: not run: it reads the output of rfm`);
    // A stage that does not read rfm's output wrote its partition.
    expect(await home.lake.list('models/funnel/dt=2026-03-31/')).toHaveLength(1);
    expect(home.iam.decisions.some((d) => !d.decision.allowed && d.req.resource.includes('/curated/'))).toBe(
      true,
    );
  }, 180_000);

  it('cannot deliver the dead-letter alarm through a topic under the AWS-managed alias/aws/sns key', async () => {
    // As the stack was before its fix: CloudWatch may not use the AWS-managed SNS key.
    const managedKey = editTemplate(template, (resources) => {
      for (const r of Object.values(resources))
        if (r.Type === 'AWS::SNS::Topic')
          r.Properties.KmsMasterKeyId = 'arn:aws:kms:us-east-1:123456789012:alias/aws/sns';
    });
    const home = await start(managedKey);
    home.sqs.enqueue(home.dropQueues[0]!, 'not json');
    await home.deliver();
    const [alarm] = home.alarms.alarms;
    expect(alarm!.state).toBe('ALARM');
    expect(topic(home, 'AlertsPipelineFailure')).toEqual([]);
    expect(alarm!.failedActions.join('\n')).toMatch(/kms:GenerateDataKey/);
  }, 120_000);
});

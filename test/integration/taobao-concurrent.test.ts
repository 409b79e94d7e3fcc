/**
 * Taobao's order report and item report dropped at the same moment: two ingests at once, one half
 * each, in many interleavings (delays injected before every lake call), on a local folder and on a
 * real S3 endpoint (s3rver, with S3's conditional writes). Every time every order line lands
 * exactly once, and dropping either file again changes nothing.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lake } from '../../shared/lake/lake.ts';
import { readParquetRows } from '../../shared/lake/parquet-read.ts';
import { S3Lake } from '../../shared/lake/s3.ts';
import { type IngestReport, ingestFile } from '../../shared/pipeline/ingest.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { claimJoin } from '../../shared/pipeline/staging.ts';
import { fixture, tempLake, testConfig } from '../helpers.ts';
import { type LocalS3, startS3 } from '../s3rver.ts';

const ORDERS = fixture('formats', 'taobao_ExportOrderList201707111200.csv');
const ITEMS = fixture('formats', 'taobao_ExportOrderDetailList201707111200.csv');

type Op = 'put' | 'putIfAbsent' | 'putFile' | 'get' | 'exists' | 'list' | 'delete';

/** The lake, with a hook awaited before every call: the test decides how the two ingests interleave. */
class HookedLake implements Lake {
  constructor(
    private readonly inner: Lake,
    private readonly before: (op: Op, key: string) => Promise<void>,
  ) {}
  get location() {
    return this.inner.location;
  }
  async put(key: string, body: Uint8Array | string) {
    await this.before('put', key);
    return this.inner.put(key, body);
  }
  async putIfAbsent(key: string, body: Uint8Array | string) {
    await this.before('putIfAbsent', key);
    return this.inner.putIfAbsent(key, body);
  }
  async putFile(key: string, path: string) {
    await this.before('putFile', key);
    return this.inner.putFile(key, path);
  }
  async get(key: string) {
    await this.before('get', key);
    return this.inner.get(key);
  }
  async exists(key: string) {
    await this.before('exists', key);
    return this.inner.exists(key);
  }
  async sizes(prefix: string) {
    await this.before('list', prefix);
    return this.inner.sizes(prefix);
  }
  async list(prefix: string) {
    await this.before('list', prefix);
    return this.inner.list(prefix);
  }
  async delete(key: string) {
    await this.before('delete', key);
    return this.inner.delete(key);
  }
  uri(key: string) {
    return this.inner.uri(key);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Deterministic pseudo-random numbers (mulberry32), so a failing interleaving can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ingest = (lake: Lake, path: string): Promise<IngestReport> =>
  ingestFile({ lake, config: testConfig(), log: silentLog }, { path, exportedAt: Date.UTC(2017, 6, 11, 4) });

/** The order lines in the lake, as `order_id/line_id status sku quantity net` strings, sorted. */
async function landed(lake: Lake): Promise<string[]> {
  return (await readParquetRows(lake, 'curated/order_lines/'))
    .map(
      (r) =>
        `${r.order_id}/${r.line_id} ${r.status} ${r.sku} ${r.quantity} ${Number(r.net_amount).toFixed(4)}`,
    )
    .sort();
}

/**
 * Interleavings of the two ingests (A: order report, B: item report): each scenario gives the hook
 * each ingest awaits before every call on the lake (`lake` is the lake without hooks).
 */
type Hook = (op: Op, key: string) => Promise<void>;
type Scenario = { name: string; hooks: (lake: Lake) => [Hook, Hook] };

const isStaging = (half: 'orders' | 'items', key: string) => key.startsWith(`staging/taobao-${half}/`);

/** Resolves when `ready()` holds, or after `ms` (so an ingest that never gets there cannot hang the test). */
async function until(ready: () => Promise<boolean>, ms = 1500): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !(await ready())) await sleep(2);
}

function scenarios(count: number): Scenario[] {
  const none: Hook = async () => {};
  const fixed: Scenario[] = [
    { name: 'no delays', hooks: () => [none, none] },
    {
      // Neither reads the other's half before both are staged: both join, one claim wins.
      name: 'both staged before either reads the partner',
      hooks: (lake) => {
        const staged = async () =>
          (await lake.list('staging/taobao-orders/')).length > 0 &&
          (await lake.list('staging/taobao-items/')).length > 0;
        return [
          async (op, key) => {
            if (op === 'list' && isStaging('items', key)) await until(staged);
          },
          async (op, key) => {
            if (op === 'list' && isStaging('orders', key)) await until(staged);
          },
        ];
      },
    },
    ...(['orders', 'items'] as const).map((late): Scenario => {
      const early = late === 'orders' ? 'items' : 'orders';
      return {
        // One half is staged only once the other has looked for it (and found nothing).
        name: `the ${late} half staged after the ${early} half read`,
        hooks: () => {
          let looked = false;
          const lateHook: Hook = async (op, key) => {
            if (op === 'put' && isStaging(late, key)) await until(async () => looked);
          };
          const earlyHook: Hook = async (op, key) => {
            if (op === 'list' && isStaging(late, key)) setTimeout(() => (looked = true), 5);
          };
          return late === 'orders' ? [lateHook, earlyHook] : [earlyHook, lateHook];
        },
      };
    }),
  ];
  const randomised = Array.from({ length: count }, (_, k): Scenario => {
    const seed = 1000 + k;
    return {
      name: `random delays, seed ${seed}`,
      hooks: () => {
        const next = random(seed);
        // Each run gets its own scale: sometimes one ingest is far slower than the other.
        const scale = [next() * 12, next() * 12];
        const hook =
          (me: 0 | 1): Hook =>
          async () => {
            await sleep(next() * scale[me]!);
          };
        return [hook(0), hook(1)];
      },
    };
  });
  return [...fixed, ...randomised];
}

async function checkScenario(lake: Lake, scenario: Scenario, expected: string[]): Promise<void> {
  const [hookA, hookB] = scenario.hooks(lake);
  const [a, b] = await Promise.all([
    ingest(new HookedLake(lake, hookA), ORDERS),
    ingest(new HookedLake(lake, hookB), ITEMS),
  ]);
  expect(await landed(lake), scenario.name).toEqual(expected);
  expect(a.rowsLanded + b.rowsLanded, scenario.name).toBe(expected.length);
  if (scenario.name.startsWith('both staged')) {
    // Both found the other's half; the one that lost the claim says who lands its orders.
    const told = [a, b].filter((r) => r.warnings.some((w) => /landed by the ingest of their/.test(w)));
    expect(told, scenario.name).toHaveLength(1);
    expect(told[0]!.rowsLanded).toBe(0);
  }
  // Dropped again, in either order or at once: nothing changes.
  const keys = await lake.list('');
  const again = await Promise.all([ingest(lake, ITEMS), ingest(lake, ORDERS)]);
  expect(
    again.map((r) => r.status),
    scenario.name,
  ).toEqual(['skipped', 'skipped']);
  expect(await lake.list(''), scenario.name).toEqual(keys);
  expect(await landed(lake), scenario.name).toEqual(expected);
}

let expected: string[];
beforeAll(async () => {
  // What one ingest after the other lands.
  const lake = await tempLake();
  await ingest(lake, ORDERS);
  await ingest(lake, ITEMS);
  expected = await landed(lake);
  expect(expected).toHaveLength(6);
});

describe('Taobao halves ingested at the same time', () => {
  it('on a local lake: every line lands exactly once in every interleaving', async () => {
    for (const scenario of scenarios(40)) await checkScenario(await tempLake(), scenario, expected);
  }, 120_000);

  it('an ingest that claimed the join and failed before landing lands it when retried', async () => {
    const lake = await tempLake();
    expect((await ingest(lake, ITEMS)).rowsLanded).toBe(0);
    // The order report's ingest joins (and claims) the pair, then fails writing the lines.
    let failed = false;
    const failing = new HookedLake(lake, async (op, key) => {
      if (op === 'put' && key.startsWith('curated/order_lines/') && !failed) {
        failed = true;
        throw new Error('injected failure');
      }
    });
    await expect(ingest(failing, ORDERS)).rejects.toThrow(/injected failure/);
    expect(await lake.list('staging/joins/')).toHaveLength(1);
    // The item report dropped again is done; the order report delivered again lands the lines.
    expect((await ingest(lake, ITEMS)).status).toBe('skipped');
    expect((await ingest(lake, ORDERS)).rowsLanded).toBe(6);
    expect(await landed(lake)).toEqual(expected);
  });

  describe('on S3 (s3rver)', () => {
    let s3: LocalS3;
    beforeAll(async () => {
      s3 = await startS3('pairs');
    });
    afterAll(async () => {
      await s3.stop();
    });

    it('every line lands exactly once in every interleaving', async () => {
      let run = 0;
      for (const scenario of scenarios(20)) {
        await checkScenario(new S3Lake(s3.client, s3.bucket, `run-${run++}`), scenario, expected);
      }
    }, 180_000);

    it('answers conditional writes as S3 does, and one claim of a pair wins among many at once', async () => {
      const put = (body: string) =>
        s3.client
          .send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'claims/raw', Body: body, IfNoneMatch: '*' }))
          .then(
            () => 200,
            (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
          );
      const statuses = await Promise.all([put('a'.repeat(1 << 20)), put('b'.repeat(1 << 20))]);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect([409, 412]).toContain(statuses.find((s) => s !== 200));
      expect(await put('c')).toBe(412);
      const lake = new S3Lake(s3.client, s3.bucket, 'claims');
      expect(await lake.putIfAbsent('k', 'one')).toBe(true);
      expect(await lake.putIfAbsent('k', 'two')).toBe(false);
      const same = await Promise.all(
        Array.from({ length: 8 }, (_, k) =>
          claimJoin(
            lake,
            k % 2 ? { name: 'taobao-orders', batchId: 'o' } : { name: 'taobao-items', batchId: 'i' },
            k % 2 ? { name: 'taobao-items', batchId: 'i' } : { name: 'taobao-orders', batchId: 'o' },
          ),
        ),
      );
      // Eight claims of one pair at once, four from each half: exactly one half holds it.
      const ordersWon = same.filter((c, k) => c && k % 2 === 1).length;
      const itemsWon = same.filter((c, k) => c && k % 2 === 0).length;
      expect([ordersWon, itemsWon].sort()).toEqual([0, 4]);
    });
  });
});

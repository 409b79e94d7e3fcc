/**
 * Basket rules, bundles and funnels through the daily run on a small lake with planted patterns:
 * two SKUs bought together, and a day on which add-to-cart collapses.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalLake } from '../../shared/lake/local.ts';
import { runDaily } from '../../shared/pipeline/daily-run.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { addDays } from '../../shared/time.ts';
import { cli, ingest, sql, tempDir, testConfig } from '../helpers.ts';

const AS_OF = '2026-11-23';

describe('basket rules, bundles and funnels in the daily run', async () => {
  // One lake for the whole block (the helpers' temp folders are removed after each test).
  const dir = await mkdtemp(join(tmpdir(), 'storepulse-basket-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const lake = new LocalLake(join(dir, 'lake'));
  // 200 orders over 50 days: every 4th holds TEA + CUP, the others TEA or a lone SKU.
  const orders = ['order_id,customer_id,order_ts,sku,quantity,unit_price,currency,status,category'];
  for (let i = 0; i < 200; i++) {
    const ts = `${addDays(AS_OF, -(i % 50))}T10:00:00Z`;
    const c = `c${i % 40}`;
    if (i % 4 === 0) {
      orders.push(`O${i},${c},${ts},TEA,1,5,USD,paid,Drinks`, `O${i},${c},${ts},CUP,1,9,USD,paid,Kitchen`);
    } else orders.push(`O${i},${c},${ts},${i % 2 ? 'TEA' : `X${i}`},1,5,USD,paid,Drinks`);
  }
  await writeFile(join(dir, 'orders.csv'), `${orders.join('\n')}\n`);
  // 29 days of traffic for one SKU; on the last, add-to-cart falls from 20 % of visits to 5 %.
  const traffic = ['date,sku,channel,impressions,visits,add_to_cart,orders,paid_orders'];
  for (let d = 28; d >= 0; d--) {
    traffic.push(
      `${addDays(AS_OF, -d)},TEA,web,5000,1000,${d === 0 ? 50 : 200},${d === 0 ? 25 : 100},${d === 0 ? 24 : 95}`,
    );
  }
  await writeFile(join(dir, 'traffic.csv'), `${traffic.join('\n')}\n`);
  await ingest(lake, join(dir, 'orders.csv'));
  await ingest(lake, join(dir, 'traffic.csv'));
  const summary = await runDaily(
    {
      lake,
      config: testConfig({ basketMinSupport: 0.05, basketMinConfidence: 0.5 }),
      log: silentLog,
      openEngine: (tables) => DuckDbEngine.open(lake, tables ? { tables } : {}),
    },
    AS_OF,
  );

  it('mines CUP => TEA (every CUP basket holds TEA) and offers TEA with CUP', async () => {
    expect(summary.summaries.basket.baskets).toBe(200);
    const rules = await sql(
      lake,
      "select antecedent, consequent, confidence, count, baskets from basket_rules where level = 'sku' order by lift desc",
    );
    expect(rules[0]).toEqual({
      antecedent: '["CUP"]',
      consequent: 'TEA',
      confidence: 1,
      count: 50,
      baskets: 200,
    });
    expect(await sql(lake, "select bundle_sku from bundles where sku = 'CUP'")).toEqual([
      { bundle_sku: 'TEA' },
    ]);
    const categories = await sql(
      lake,
      "select antecedent, consequent from basket_rules where level = 'category'",
    );
    expect(categories).toContainEqual({ antecedent: '["Kitchen"]', consequent: 'Drinks' });
  });

  it('flags the planted add-to-cart collapse as the significant breakpoint of the day', async () => {
    const bp = await sql(
      lake,
      `select step, round(step_conversion, 3) as conv, round(baseline_conversion, 3) as base, significant
       from funnel where kind = 'traffic' and date = '${AS_OF}' and is_breakpoint`,
    );
    expect(bp).toEqual([{ step: 'add_to_cart', conv: 0.05, base: 0.2, significant: true }]);
    expect(summary.summaries.funnel.breakpoints[0]).toMatchObject({
      kind: 'traffic',
      sku: 'TEA',
      step: 'add_to_cart',
    });
    const orderSteps = await sql(
      lake,
      `select step, sum(count)::int as n from funnel where kind = 'orders' group by 1 order by 1`,
    );
    expect(orderSteps.find((r) => r.step === 'created')?.n).toBeGreaterThan(0);
  });
});

describe('storepulse basket', () => {
  it('prints the rules as JSON on stdout', async () => {
    const dir = await tempDir();
    const file = join(dir, 'b.csv');
    await writeFile(file, 'a,b\na,"c, with comma"\na,b,"c, with comma"\nb\n');
    const r = await cli([
      'basket',
      file,
      '--min-support',
      '0.5',
      '--min-confidence',
      '0.6',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    // n = 4; a 3, b 3, c 2, ab 2, ac 2: hand-computed measures.
    const rules = (JSON.parse(r.out) as Record<string, unknown>[]).map((x) => ({
      ...x,
      lift: Number((x.lift as number).toFixed(4)),
      leverage: Number((x.leverage as number).toFixed(4)),
      confidence: Number((x.confidence as number).toFixed(4)),
      conviction: x.conviction === null ? null : Number((x.conviction as number).toFixed(4)),
    }));
    const row = (
      a: string[],
      c: string,
      support: number,
      confidence: number,
      lift: number,
      leverage: number,
      conviction: number | null,
      count: number,
    ) => ({
      antecedent: a,
      consequent: [c],
      support,
      confidence,
      lift,
      leverage,
      conviction,
      count,
    });
    expect(rules).toEqual([
      row(['c, with comma'], 'a', 0.5, 1, 1.3333, 0.125, null, 2),
      row(['a'], 'c, with comma', 0.5, 0.6667, 1.3333, 0.125, 1.5, 2),
      row([], 'a', 0.75, 0.75, 1, 0, 1, 3),
      row([], 'b', 0.75, 0.75, 1, 0, 1, 3),
      row(['a'], 'b', 0.5, 0.6667, 0.8889, -0.0625, 0.75, 2),
      row(['b'], 'a', 0.5, 0.6667, 0.8889, -0.0625, 0.75, 2),
    ]);
    expect(r.err).toMatch(/4 transactions, 5 frequent itemsets, 6 rules/);
    const bad = await cli(['basket', file, '--min-support', 'lots']);
    expect(bad.code).toBe(2);
  });

  it('refuses binary input instead of mining its bytes as transactions', async () => {
    const dir = await tempDir();
    const xlsx = join(dir, 'baskets.xlsx');
    // The start of a real .xlsx: a zip local-file header, then compressed bytes.
    await writeFile(
      xlsx,
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x9c, 0xfe, 0x0a, 0x41]),
    );
    const workbook = await cli(['basket', xlsx]);
    expect(workbook).toMatchObject({ code: 1, out: '' });
    expect(workbook.err).toMatch(/baskets\.xlsx: this is a zip archive, or an Excel workbook .*"CSV UTF-8"/);
    const latin1 = join(dir, 'baskets.csv');
    await writeFile(latin1, Buffer.from('caf\xe9,th\xe9\n', 'latin1'));
    const text = await cli(['basket', latin1]);
    expect(text.code).toBe(1);
    expect(text.err).toMatch(/baskets\.csv: not UTF-8 text/);
  });
});

/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The daily report in a real browser: headless Chromium (Debian's package, driven by playwright-core)
 * opens the page written by the run at desktop and phone width, in English and Chinese, with no
 * console errors, every chart drawn (each canvas has pixels) and readable (no horizontal scroll,
 * nothing cut off, charts at least 250 px tall); the figures it states are counted again in the lake
 * with DuckDB. Screenshots go to test-artifacts/. Without Chromium the test is skipped on a developer
 * machine and fails in CI (`.ci/run` installs it and sets CI=1).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { LocalLake } from '../../shared/lake/local.ts';
import { runDaily } from '../../shared/pipeline/daily-run.ts';
import { ingestFile } from '../../shared/pipeline/ingest.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { writeReport } from '../../shared/pipeline/report.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { writeDemoExports } from '../../shared/synth/demo.ts';
import { ingest, sql, tempDir, tempLake, testConfig } from '../helpers.ts';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => Boolean(p && existsSync(p)),
);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
if (!CHROMIUM && process.env.CI)
  throw new Error('CI needs Chromium for the report test: apt-get install chromium');

/** The widths the report is read at: a desktop and a phone (iPhone 12-15: 390 CSS px). */
const DESKTOP = 1400;
const PHONE = 390;

async function openInBrowser(path: string, screenshot: string, width = 1280) {
  const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    // No network at view time: any request beyond the file itself fails the test.
    await page.route('**/*', (route) =>
      route.request().url().startsWith('file:') ? route.continue() : route.abort(),
    );
    await page.goto(`file://${path}`);
    await page.waitForFunction(() => document.body.dataset.chartsDrawn !== undefined, null, {
      timeout: 15_000,
    });
    const charts = await page.evaluate(() => {
      const canvases = [...document.querySelectorAll('canvas')];
      // A drawn chart has non-transparent pixels.
      const inked = canvases.filter((c) => {
        const ctx = c.getContext('2d');
        if (!ctx || c.width === 0 || c.height === 0) return false;
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) return true;
        return false;
      }).length;
      return {
        drawn: Number(document.body.dataset.chartsDrawn),
        canvases: canvases.length,
        inked,
        empty: [...document.querySelectorAll('section .empty')].map((e) => e.closest('section')?.id),
        sections: [...document.querySelectorAll('section')].map((s) => s.id),
      };
    });
    const layout = await page.evaluate(() => {
      const root = document.documentElement;
      // Anything drawn past its section's right edge is cut off or scrolls: name it.
      const overflowing: string[] = [];
      for (const section of document.querySelectorAll('section')) {
        const edge = section.getBoundingClientRect().right;
        for (const el of section.querySelectorAll('*')) {
          const box = el.getBoundingClientRect();
          if (box.width > 0 && box.right > edge + 1 && !el.closest('.scroll'))
            overflowing.push(`${section.id}: <${el.tagName.toLowerCase()} class="${el.className}">`);
        }
      }
      return {
        scrollWidth: root.scrollWidth,
        clientWidth: root.clientWidth,
        overflowing: overflowing.slice(0, 5),
        chartHeights: [...document.querySelectorAll('canvas')].map((c) => c.getBoundingClientRect().height),
        chartWidths: [...document.querySelectorAll('canvas')].map((c) => c.getBoundingClientRect().width),
        links: [...document.querySelectorAll('section a[download]')].map((a) => a.getAttribute('href') ?? ''),
      };
    });
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { errors, charts, layout, text: await page.evaluate(() => document.body.innerText) };
  } finally {
    await browser.close();
  }
}

/** Readable at this width: no horizontal scroll, nothing cut off, charts tall enough to read. */
function expectReadable(layout: Awaited<ReturnType<typeof openInBrowser>>['layout'], width: number) {
  expect(layout.clientWidth).toBe(width);
  expect(layout.scrollWidth).toBeLessThanOrEqual(width);
  expect(layout.overflowing).toEqual([]);
  for (const h of layout.chartHeights) expect(h).toBeGreaterThanOrEqual(250);
  for (const w of layout.chartWidths) expect(w).toBeGreaterThanOrEqual(Math.min(300, width - 60));
}

const countOf = async (lake: LocalLake, statement: string) =>
  Number((await sql(lake, statement))[0]?.n ?? Number.NaN);

describe.runIf(CHROMIUM)('the daily report in headless Chromium', () => {
  const SECTIONS = [
    'headline',
    'recall',
    'stockout',
    'rfm',
    'cohorts',
    'funnels',
    'pareto',
    'bcg',
    'channels',
    'bundles',
  ];

  it('renders the demo run at desktop and phone width, in English and Chinese, and shows open items on day 2', async () => {
    const lake = await tempLake();
    const exports = await tempDir();
    const config = testConfig();
    for (const f of await writeDemoExports(exports)) {
      await ingestFile(
        { lake, config, log: silentLog },
        { path: f.path, exportedAt: f.exportedAt.getTime() },
      );
    }
    const deps = {
      lake,
      config,
      log: silentLog,
      openEngine: (t?: readonly import('../../shared/schemas/table.ts').TableSpec[]) =>
        DuckDbEngine.open(lake, t ? { tables: t } : {}),
    };
    await runDaily(deps, '2026-11-22');
    const summary = await runDaily(deps, '2026-11-23');
    const page = join(lake.root, summary.reportKey);
    // What the page must say, counted in the lake by SQL (an independent reader of the Parquet).
    const recallToday = await countOf(lake, "select count(*) as n from churn_recall where dt = '2026-11-23'");
    const recallBefore = await countOf(
      lake,
      "select count(distinct customer_id) as n from churn_recall where dt = '2026-11-22' and customer_id not in (select customer_id from churn_recall where dt = '2026-11-23')",
    );
    const stockOpen = await countOf(
      lake,
      "select count(*) as n from stock_risk where dt = '2026-11-23' and warning",
    );
    const allRevenue = await countOf(
      lake,
      "select round(sum(net_amount_rc)) as n from order_lines where dt > '2026-10-24' and dt <= '2026-11-23' and status in ('paid', 'shipped', 'completed', 'partially_refunded')",
    );
    expect(recallToday + recallBefore).toBeGreaterThan(15);

    for (const width of [DESKTOP, PHONE]) {
      const { errors, charts, layout, text } = await openInBrowser(
        page,
        join(ARTIFACTS, `report-demo-${width}.png`),
        width,
      );
      expect(errors).toEqual([]);
      expect(charts.canvases).toBe(5);
      expect(charts.drawn).toBe(5);
      expect(charts.inked).toBe(5);
      expect(charts.empty).toEqual([]);
      expect(charts.sections).toEqual(SECTIONS);
      expectReadable(layout, width);
      // Changes against the run of the day before, and the planted breakpoint.
      expect(text).toContain('compared with the run of 2026-11-22');
      expect(text).toMatch(/breakpoint: add to cart, \d+ % below its 28-day baseline/);
      // Lists say how much they leave out and link the full CSVs, relative to the page.
      const open = recallToday + recallBefore;
      expect(text).toContain(`Showing 15 of ${open.toLocaleString('en-US')} open, by value at risk.`);
      expect(text).toContain(`${recallToday} new today, ${recallBefore} still open`);
      expect(text).toContain(`Showing ${Math.min(20, stockOpen)} of ${stockOpen} open`);
      expect(layout.links).toContain('../../restricted/recall_lists/dt=2026-11-23/recall.csv');
      for (const href of layout.links) {
        const csv = await readFile(join(dirname(page), href), 'utf8');
        expect(csv.split('\n')[0]).toMatch(/^(customer_id|severity),/);
      }
      // Every amount carries the currency; revenue counts every order; the rate changes in pp.
      expect(text).toContain(`$${allRevenue.toLocaleString('en-US')}`);
      expect(text).toContain('Revenue, last 30 days, all orders');
      expect(text).toMatch(/Customers active in the last 30 days\s+[\d.]+ % [+−±][\d.]+ pp/);
      // The table's headers (on a phone each cell's label, drawn by CSS).
      if (width === DESKTOP) expect(text).toMatch(/P\(alive\)\s+Value at risk\s+Reason/);
      expect(text).toMatch(/spend \$[\d,]+ above the mean \$[\d,]+/);
      // Product names beside the codes (the demo's products export names SP-13-001).
      expect(text).toContain('SP-13-001 USB-C cable 2m');
      expect(text).toMatch(/Generated by storepulse at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    }

    // The same run in Chinese: no English label, raw id or step name left.
    await writeReport(lake, { ...config, language: 'zh' }, '2026-11-23', silentLog);
    for (const width of [DESKTOP, PHONE]) {
      const { errors, layout, text } = await openInBrowser(
        page,
        join(ARTIFACTS, `report-demo-zh-${width}.png`),
        width,
      );
      expect(errors).toEqual([]);
      expectReadable(layout, width);
      expect(text).toContain('重要价值客户');
      expect(text).toContain('断点: 加购');
      expect(text).toContain('VIP 召回：专属私信附会员礼品');
      expect(text).toMatch(/紧急/);
      for (const english of [
        'important_',
        'general_',
        'add_to_cart',
        'critical',
        'Revenue',
        'Offer',
        'VIP recall',
        'stock position',
        'P(alive)',
        'no purchase',
      ])
        expect(text).not.toContain(english);
    }

    // Day 2: the cooldown holds back today's alerts, but what is still urgent stays on the page.
    await runDaily({ ...deps, config }, '2026-11-24');
    const day2 = join(lake.root, 'reports/dt=2026-11-24/index.html');
    const stillOpenStock = await countOf(
      lake,
      "select count(*) as n from stock_risk where dt = '2026-11-24' and warning",
    );
    expect(await countOf(lake, "select count(*) as n from churn_recall where dt = '2026-11-24'")).toBe(0);
    expect(stillOpenStock).toBeGreaterThan(0);
    const { errors, layout, text } = await openInBrowser(day2, join(ARTIFACTS, 'report-day2-390.png'), PHONE);
    expect(errors).toEqual([]);
    expectReadable(layout, PHONE);
    expect(text).toMatch(/Churn recall: open\s+[1-9][\d,]*/);
    expect(text).toMatch(/0 new today, [1-9][\d,]* still open/);
    expect(text).toContain(`Showing ${Math.min(20, stillOpenStock)} of ${stillOpenStock} open`);
    expect(text).toContain('open since 2026-11-23');
    expect(layout.links).toContain('../../restricted/recall_lists/dt=2026-11-23/recall.csv');
  }, 240_000);

  it('says so where a model has no data, in Chinese when configured', async () => {
    const lake: LocalLake = await tempLake();
    const dir = await tempDir();
    await writeFile(
      join(dir, 'orders.csv'),
      'order_id,customer_id,order_ts,sku,quantity,unit_price,currency,status\n1,a,2026-11-20T10:00:00Z,S,1,5,USD,paid\n2,b,2026-11-21T10:00:00Z,S,1,5,USD,paid\n',
    );
    await ingest(lake, join(dir, 'orders.csv'));
    const config = testConfig({ language: 'zh' });
    await runDaily(
      { lake, config, log: silentLog, openEngine: (t) => DuckDbEngine.open(lake, t ? { tables: t } : {}) },
      '2026-11-23',
    );
    const key = await writeReport(lake, config, '2026-11-23', silentLog);
    const { errors, charts, layout, text } = await openInBrowser(
      join(lake.root, key),
      join(ARTIFACTS, 'report-sparse-zh.png'),
      PHONE,
    );
    expect(errors).toEqual([]);
    expectReadable(layout, PHONE);
    expect(charts.drawn).toBe(charts.canvases);
    expect(charts.inked).toBe(charts.canvases);
    expect(charts.empty).toEqual(expect.arrayContaining(['funnels', 'stockout', 'bundles']));
    expect(text).toContain('该部分暂无数据。');
    expect(text).toContain('首次运行');
  }, 60_000);
});

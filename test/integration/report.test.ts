/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The daily report in a real browser: headless Chromium (Debian's package, driven by playwright-core)
 * opens the page written by the run, with no console errors and every chart drawn (each canvas has
 * pixels). A screenshot goes to test-artifacts/. Without Chromium the test is skipped on a developer
 * machine and fails in CI (`.ci/run` installs it and sets CI=1).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
import { ingest, tempDir, tempLake, testConfig } from '../helpers.ts';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => Boolean(p && existsSync(p)),
);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
if (!CHROMIUM && process.env.CI)
  throw new Error('CI needs Chromium for the report test: apt-get install chromium');

async function openInBrowser(path: string, screenshot: string) {
  const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { errors, charts, text: await page.evaluate(() => document.body.innerText) };
  } finally {
    await browser.close();
  }
}

describe.runIf(CHROMIUM)('the daily report in headless Chromium', () => {
  it('renders the demo run with every chart drawn and no console error', async () => {
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
    const { errors, charts, text } = await openInBrowser(
      join(lake.root, summary.reportKey),
      join(ARTIFACTS, 'report-demo.png'),
    );
    expect(errors).toEqual([]);
    expect(charts.canvases).toBe(5);
    expect(charts.drawn).toBe(5);
    expect(charts.inked).toBe(5);
    expect(charts.empty).toEqual([]);
    expect(charts.sections).toEqual([
      'headline',
      'rfm',
      'recall',
      'cohorts',
      'funnels',
      'pareto',
      'bcg',
      'channels',
      'stockout',
      'bundles',
    ]);
    // Changes against the run of the day before, and the planted breakpoint.
    expect(text).toContain('compared with the run of 2026-11-22');
    expect(text).toMatch(/breakpoint: add_to_cart, \d+ % below its 28-day baseline/);
  }, 120_000);

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
    const { errors, charts, text } = await openInBrowser(
      join(lake.root, key),
      join(ARTIFACTS, 'report-sparse-zh.png'),
    );
    expect(errors).toEqual([]);
    expect(charts.drawn).toBe(charts.canvases);
    expect(charts.inked).toBe(charts.canvases);
    expect(charts.empty).toEqual(expect.arrayContaining(['funnels', 'stockout', 'bundles']));
    expect(text).toContain('该部分暂无数据。');
    expect(text).toContain('首次运行');
  }, 60_000);
});

/**
 * The run summary `storepulse run` prints is derived from the stages: each registered stage's
 * summary sits under its name, and each stage that declares `describe` gets its paragraph, in
 * registry order, with nothing listed by hand in the CLI.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRun, describeStage } from '../../cli/commands/run.ts';
import { formatTable } from '../../cli/output.ts';
import { type DailyRunSummary, runDaily } from '../../shared/pipeline/daily-run.ts';
import { ingestFile } from '../../shared/pipeline/ingest.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { STAGES } from '../../shared/stages/registry.ts';
import type { Stage } from '../../shared/stages/stage.ts';
import { DEMO_AS_OF, writeDemoExports } from '../../shared/synth/demo.ts';
import { tempDir, tempLake, testConfig } from '../helpers.ts';

let summary: DailyRunSummary;
let printed: string;

beforeAll(async () => {
  const lake = await tempLake();
  const config = testConfig();
  for (const f of await writeDemoExports(join(await tempDir(), 'exports'))) {
    await ingestFile({ lake, config, log: silentLog }, { path: f.path, exportedAt: f.exportedAt.getTime() });
  }
  summary = await runDaily(
    { lake, config, log: silentLog, openEngine: (t) => DuckDbEngine.open(lake, t ? { tables: t } : {}) },
    DEMO_AS_OF,
  );
  printed = describeRun(summary);
}, 120_000);

const summaryOf = (stage: Stage): unknown =>
  (summary.summaries as Readonly<Record<string, unknown>>)[stage.name];

describe('the run summary', () => {
  it('holds every registered stage’s summary under the stage’s name', () => {
    expect(Object.keys(summary.summaries).sort()).toEqual(STAGES.map((s) => s.name).sort());
    for (const stage of STAGES) expect(summaryOf(stage), stage.name).toBeDefined();
    // Typed from the registry: a stage's own fields, no cast.
    expect(summary.summaries.rfm.customers).toBe(2525);
    expect(summary.summaries.churn_recall.alerts).toBeGreaterThan(10);
  });

  it('prints, in registry order, every line and table of each stage that describes its summary', () => {
    const describing = STAGES.filter((s) => s.describe);
    expect(describing.length).toBeGreaterThan(0);
    let from = 0;
    for (const stage of describing as readonly Stage[]) {
      const blocks = stage.describe!(summaryOf(stage), { asOf: summary.asOf });
      // The demo gives every describing stage something to say, so none is checked vacuously.
      expect(blocks.length, stage.name).toBeGreaterThan(0);
      for (const block of blocks) {
        const text = typeof block === 'string' ? block : formatTable(block.columns, block.rows).trimEnd();
        expect(text, stage.name).not.toBe('');
        const at = printed.indexOf(text, from);
        expect(at, `${stage.name}: ${text.split('\n')[0]}`).toBeGreaterThanOrEqual(from);
        from = at + text.length;
      }
    }
    expect(printed.endsWith(`\n\nReport: ${summary.reportKey}\n`)).toBe(true);
  });

  it('gives each describing stage its own paragraph and a stage without describe none', () => {
    const paragraphs = printed.trimEnd().split('\n\n');
    const described = STAGES.map((s) => describeStage(s, summary)).filter((p) => p !== '');
    expect(paragraphs).toEqual([...described, `Report: ${summary.reportKey}`]);
    const silent = STAGES.find((s) => !s.describe);
    if (silent) expect(describeStage(silent, summary)).toBe('');
  });

  it('says what the CLI said before the stages described themselves', () => {
    expect(printed).toMatch(
      /^Left out of the customer models \(no buyer id in the export\): 1,212 amazon order\(s\)\n\n/,
    );
    expect(printed).toMatch(
      /\nAs of 2026-11-23: 2,525 customers \(mean recency \d+ days, frequency [\d.]+, spend [\d.]+\)\nsegment +segment_zh +customers +action\n/,
    );
    expect(printed).toMatch(
      /\nChurn \/ CLV \(table clv\): BG\/NBD r [\d.]+, alpha [\d.]+ days, a [\d.]+, b [\d.]+ over 2525 customers; Gamma-Gamma p/,
    );
    expect(printed).toContain(`Churn recall: ${summary.summaries.churn_recall.alerts} alert(s)`);
    expect(printed).toContain(`; CRM list: ${summary.recallListKey}\ncustomer_id `);
    expect(printed).toMatch(
      /\nStockout warnings \(table stockout\): 18; list: lists\/stockout\/dt=2026-11-23\/stockout\.csv\nseverity /,
    );
    expect(printed).toMatch(
      /\nBasket rules \(table basket_rules\): 1144 SKU rules .* 135 bundle suggestions \(table bundles\)\n/,
    );
    expect(printed).toContain(
      'Funnel breakpoints today (table funnel): traffic web SP-51-002 at add_to_cart',
    );
  });
});

/**
 * The report's sections are registered by the stages (`report` on a stage): every section a stage
 * declares is drawn on the page (title, body or its "no data" line, headline cards, chart), in its
 * placement's order, and every anchor of the page is a section's or the core's.
 */
import { describe, expect, it } from 'vitest';
import { dataFileKey } from '../../shared/lake/keys.ts';
import { encodeTable } from '../../shared/lake/parquet.ts';
import { gatherReport } from '../../shared/report/data.ts';
import { renderReport } from '../../shared/report/html.ts';
import { CORE_ANCHORS, REPORT_SECTIONS, sectionsOf } from '../../shared/report/registry.ts';
import { defineSection, type ReportSection } from '../../shared/report/section.ts';
import type { ColumnSpec } from '../../shared/schemas/table.ts';
import { rfm } from '../../shared/schemas/tables.ts';
import { STAGES } from '../../shared/stages/registry.ts';
import { tempLake, testConfig } from '../helpers.ts';

const AS_OF = '2026-11-23';
const options = {
  hrefs: new Map([['restricted/stub/list.csv', 'https://example.test/list.csv']]),
  generatedAt: 'now',
};
const anchors = (html: string) => [...html.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]);

/** A section as a new model would declare it: its data typed from gather to render, cards and chart. */
const stubSection = defineSection({
  id: 'stub',
  placement: 'customers',
  labels: {
    en: { stubTitle: 'Stub model', stubCard: 'Stub: open' },
    zh: { stubTitle: '测试模型', stubCard: '测试：待处理' },
  },
  title: (page) => page.labels.stubTitle,
  gather: async ({ asOf, previousAsOf }) => ({ asOf, previousAsOf, items: asOf === AS_OF ? 3 : 0 }),
  render: (data, { format }) =>
    data.items ? `<p class="stub">${format.count(data.items)} on ${data.asOf}</p>` : null,
  cards: (data, { labels }) => [{ label: labels.stubCard, value: String(data.items), sub: labels.noneOpen }],
  links: () => ['restricted/stub/list.csv'],
  chart: {
    labels: ({ labels }) => ({ stubAxis: labels.stubTitle }),
    data: (data) => ({ stub: [data.items] }),
    script: "\n  draw('chart-stub', { type: 'bar' });",
  },
});

const stubStage = (name: string, report: readonly ReportSection[]) => ({ name, report });

// Compile-time checks (tsc runs over test/): a render that takes other data than its gather returns,
// and a section label that would shadow a core label, do not type-check. (The ordering test below
// registers them.)
const mismatchedData = defineSection({
  id: 'mismatched',
  placement: 'sales',
  labels: { en: { t: 'T' }, zh: { t: 'T' } },
  title: (page) => page.labels.t,
  gather: async () => ({ rows: [1, 2] }),
  // @ts-expect-error -- render's data is what gather returns: it has no count
  render: (data) => String(data.count),
});
const shadowingLabel = defineSection({
  id: 'shadowing',
  placement: 'sales',
  // @ts-expect-error -- noData is the core's label
  labels: { en: { noData: 'none' }, zh: { noData: '无' } },
  title: () => 'shadowing',
  gather: async () => null,
  render: () => null,
});

describe('the report’s sections, registered by the stages', () => {
  it('draws every section a stage declares, and nothing else, in placement order', async () => {
    const declared = STAGES.flatMap((stage) => (stage.report ?? []).map((section) => section.id));
    expect(declared.length).toBeGreaterThan(0);
    expect(REPORT_SECTIONS.map((s) => s.id).sort()).toEqual([...declared].sort());
    // An empty lake: every section gathers nothing and says so, under its own anchor.
    const lake = await tempLake();
    const html = renderReport(await gatherReport(lake, AS_OF, testConfig()), 'en', options);
    const page = anchors(html);
    expect([...page].sort()).toEqual([...CORE_ANCHORS, ...declared].sort());
    expect(page).toEqual([
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
    ]);
    expect(html.match(/<p class="empty">No data for this section yet.<\/p>/g)).toHaveLength(declared.length);
  });

  it('draws a section a test stage registers: title, body, headline card, link, chart, in both languages', async () => {
    const lake = await tempLake();
    const sections = sectionsOf([...STAGES, stubStage('stub_model', [stubSection])]);
    const data = await gatherReport(lake, AS_OF, testConfig(), sections);
    const stub = data.sections.find((s) => s.id === 'stub');
    expect(stub?.links).toEqual(['restricted/stub/list.csv']);

    const en = renderReport(data, 'en', options);
    expect(en).toContain(
      '<section id="stub"><h2>Stub model</h2><p class="stub">3 on 2026-11-23</p></section>',
    );
    // Placed with the customer models: after the registry's customer sections.
    expect(anchors(en).indexOf('stub')).toBe(anchors(en).indexOf('funnels') + 1);
    expect(en).toContain(
      '<a class="card" href="#stub"><div class="label">Stub: open</div><div class="value">3</div><div class="sub">Nothing open.</div></a>',
    );
    const json = JSON.parse(
      /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(en)![1]!,
    );
    expect(json.labels.stubAxis).toBe('Stub model');
    expect(json.stub).toEqual([3]);
    // Its chart code runs in placement order too, between the funnels' and the Pareto curve's.
    expect(en).toContain(
      "funnel('chart-orders', data.orders, false);\n  draw('chart-stub', { type: 'bar' });\n  if (data.pareto) {",
    );

    const zh = renderReport(data, 'zh', options);
    expect(zh).toContain('<section id="stub"><h2>测试模型</h2>');
    expect(zh).toContain('<div class="label">测试：待处理</div>');

    // No data: the page says so under the section's title.
    const before = renderReport(
      await gatherReport(
        lake,
        '2026-11-22',
        testConfig(),
        sectionsOf([stubStage('stub_model', [stubSection])]),
      ),
      'en',
      options,
    );
    expect(before).toContain(
      '<section id="stub"><h2>Stub model</h2><p class="empty">No data for this section yet.</p></section>',
    );
  });

  it('orders sections by placement, then registry order, and refuses an anchor taken twice', () => {
    const section = (id: string, placement: 'alerts' | 'customers' | 'sales') =>
      defineSection({
        id,
        placement,
        labels: { en: {}, zh: {} },
        title: () => id,
        gather: async () => null,
        render: () => null,
      });
    const ordered = sectionsOf([
      stubStage('first', [mismatchedData, section('a-customers', 'customers')]),
      stubStage('second', [section('b-alerts', 'alerts'), shadowingLabel]),
    ]);
    expect(ordered.map((s) => s.id)).toEqual(['b-alerts', 'a-customers', 'mismatched', 'shadowing']);
    expect(() =>
      sectionsOf([
        stubStage('first', [section('x', 'sales')]),
        stubStage('second', [section('x', 'alerts')]),
      ]),
    ).toThrow('report section "x" of second: first has that anchor');
    expect(() => sectionsOf([stubStage('first', [section('headline', 'alerts')])])).toThrow(
      'report section "headline" of first: the report core has that anchor',
    );
  });

  it('refuses a chart label or JSON entry given two values, by two sections or by a section and the page', async () => {
    const charted = (id: string, label: string, data: Readonly<Record<string, unknown>> = {}) =>
      defineSection({
        id,
        placement: 'sales',
        labels: { en: {}, zh: {} },
        title: () => id,
        gather: async () => null,
        render: () => null,
        chart: { labels: () => ({ axis: label }), data: () => data, script: '' },
      });
    const lake = await tempLake();
    const page = async (...sections: ReportSection[]) =>
      renderReport(await gatherReport(lake, AS_OF, testConfig(), sections), 'en', options);
    expect(await page(charted('one', 'x'), charted('two', 'x'))).toContain('"labels":{"axis":"x"}');
    await expect(page(charted('one', 'x'), charted('two', 'y'))).rejects.toThrow(
      'report section "two": chart labels "axis" already has another value',
    );
    await expect(page(charted('one', 'x', { currency: 'EUR' }))).rejects.toThrow(
      'report section "one": chart data "currency" already has another value',
    );
  });

  it('reads a model partition as its spec types it: a renamed column fails naming the file, not 0 on the page', async () => {
    const lake = await tempLake();
    // One valid value of each column's type, in an rfm file written with "monetary" renamed "spend".
    const value = (c: ColumnSpec) =>
      ({
        string: c.values?.[0] ?? 'x',
        int32: 1,
        double: 1.5,
        boolean: true,
        date: '2026-11-20',
        timestamp: 0,
      })[c.type];
    const renamed = {
      ...rfm,
      columns: rfm.columns.map((c) => (c.name === 'monetary' ? { ...c, name: 'spend' } : c)),
    };
    const key = dataFileKey(rfm, { dt: AS_OF }, 'part-0000');
    await lake.put(
      key,
      await encodeTable(renamed, Object.fromEntries(renamed.columns.map((c) => [c.name, [value(c)]]))),
    );
    await expect(gatherReport(lake, AS_OF, testConfig())).rejects.toThrow(
      `${key}: rfm: column "monetary", row 1: null in a required column`,
    );
  });
});

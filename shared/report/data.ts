/**
 * What the daily report shows, read straight from the run's Parquet partitions (no SQL engine, so
 * the same code runs in a Lambda): the as-of run and, for the changes, the run before it.
 */
import { partitionPrefix } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { latestPartitionDate } from '../lake/parquet.ts';
import { readParquetRows } from '../lake/parquet-read.ts';
import type { TableSpec } from '../schemas/table.ts';
import {
  aarrrCohorts,
  aarrrDaily,
  abc,
  bcg,
  bundles,
  channelMix,
  churnRecall,
  funnel,
  rfm,
  SEGMENTS,
  stockout,
} from '../schemas/tables.ts';
import { addDays, dateValue as day } from '../time.ts';

type Row = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export interface Headline {
  customers: number;
  revenue30: number;
  activeRate: number;
  alerts: number;
}

export interface ReportData {
  asOf: string;
  previousAsOf: string | null;
  headline: Headline;
  previous: Headline | null;
  segments: {
    segment: string;
    segment_zh: string;
    customers: number;
    spend: number;
    joined: number;
    left: number;
  }[];
  recall: Row[];
  cohorts: { cohort: string; cells: (number | null)[] }[];
  trafficFunnel: {
    title: string;
    steps: {
      step: string;
      count: number;
      conversion: number | null;
      breakpoint: boolean;
      drop: number | null;
    }[];
  } | null;
  orderFunnel: {
    steps: {
      step: string;
      count: number;
      conversion: number | null;
      breakpoint: boolean;
      drop: number | null;
    }[];
  } | null;
  pareto: { sku: string; cumulative: number; revenue: number; abc: string }[];
  bcg: { sku: string; growth: number; share: number; revenue: number; quadrant: string }[];
  channels: { label: string; revenue: number; share: number }[];
  stockouts: Row[];
  bundles: Row[];
}

const partition = (lake: Lake, spec: TableSpec, dt: string) =>
  readParquetRows(lake, partitionPrefix(spec, { dt }));

async function headline(lake: Lake, asOf: string, rfmRows: readonly Row[]): Promise<Headline> {
  const since = addDays(asOf, -30);
  const daily = await partition(lake, aarrrDaily, asOf);
  const revenue30 = daily
    .filter((d) => day(d.date) > since && day(d.date) <= asOf)
    .reduce((a, d) => a + num(d.revenue), 0);
  const active = rfmRows.filter((r) => num(r.recency_days) < 30).length;
  const alerts =
    (await partition(lake, churnRecall, asOf)).length + (await partition(lake, stockout, asOf)).length;
  return {
    customers: rfmRows.length,
    revenue30,
    activeRate: rfmRows.length ? active / rfmRows.length : 0,
    alerts,
  };
}

function funnelSteps(rows: readonly Row[]) {
  return [...rows]
    .filter((r) => r.step_index !== null && r.step_index !== undefined)
    .sort((a, b) => num(a.step_index) - num(b.step_index))
    .map((r) => ({
      step: String(r.step),
      count: num(r.count),
      conversion: r.step_conversion === null ? null : num(r.step_conversion),
      breakpoint: Boolean(r.is_breakpoint) && Boolean(r.significant),
      drop:
        r.baseline_conversion && r.step_conversion !== null
          ? 1 - num(r.step_conversion) / num(r.baseline_conversion)
          : null,
    }));
}

export async function gatherReport(lake: Lake, asOf: string): Promise<ReportData> {
  const rfmRows = await partition(lake, rfm, asOf);
  const previousAsOf = await latestPartitionDate(lake, rfm, asOf, false);
  const previousRfm = previousAsOf ? await partition(lake, rfm, previousAsOf) : [];
  const before = new Map(previousRfm.map((r) => [String(r.customer_id), String(r.segment)]));
  const segments = SEGMENTS.map((segment) => {
    const rows = rfmRows.filter((r) => r.segment === segment);
    const ids = new Set(rows.map((r) => String(r.customer_id)));
    return {
      segment,
      segment_zh: String(rows[0]?.segment_zh ?? ''),
      customers: rows.length,
      spend: rows.reduce((a, r) => a + num(r.monetary), 0),
      joined: previousAsOf ? rows.filter((r) => before.get(String(r.customer_id)) !== segment).length : 0,
      left: previousAsOf ? [...before].filter(([id, s]) => s === segment && !ids.has(id)).length : 0,
    };
  });

  const cohortRows = await partition(lake, aarrrCohorts, asOf);
  const byCohort = new Map<string, (number | null)[]>();
  for (const c of cohortRows) {
    const cells = byCohort.get(String(c.cohort_month)) ?? [];
    cells[num(c.month_index)] = num(c.retention_pct);
    byCohort.set(String(c.cohort_month), cells);
  }
  const cohorts = [...byCohort]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(-12)
    .map(([cohort, cells]) => ({
      cohort,
      cells: Array.from({ length: Math.min(12, cells.length) }, (_, i) => cells[i] ?? null),
    }));

  const funnelRows = (await partition(lake, funnel, asOf)).filter((r) => day(r.date) === asOf);
  const traffic = funnelRows.filter((r) => r.kind === 'traffic');
  // The traffic funnel shown: the one with today's most significant breakpoint, else the busiest.
  const trafficKeys = new Map<string, Row[]>();
  for (const r of traffic) {
    const k = `${String(r.channel)} ${r.sku ?? ''}`.trim();
    trafficKeys.set(k, [...(trafficKeys.get(k) ?? []), r]);
  }
  const flagged = [...trafficKeys].find(([, rows]) => rows.some((r) => r.is_breakpoint && r.significant));
  const busiest = [...trafficKeys].sort(
    ([, a], [, b]) => Math.max(...b.map((r) => num(r.count))) - Math.max(...a.map((r) => num(r.count))),
  )[0];
  const shown = flagged ?? busiest;
  const orders = funnelRows.filter((r) => r.kind === 'orders');
  const orderTotals = new Map<string, Row>();
  for (const r of orders) {
    const t = orderTotals.get(String(r.step)) ?? { ...r, count: 0, is_breakpoint: false, significant: false };
    t.count = num(t.count) + num(r.count);
    if (r.is_breakpoint && r.significant) Object.assign(t, { is_breakpoint: true, significant: true });
    orderTotals.set(String(r.step), t);
  }
  const orderSteps = [...orderTotals.values()];
  // Conversions of the summed funnel, step over step.
  orderSteps.sort((a, b) => num(a.step_index) - num(b.step_index));
  let prev: number | null = null;
  for (const s of orderSteps) {
    if (s.step_index === null || s.step_index === undefined) continue;
    s.step_conversion = prev ? num(s.count) / prev : null;
    prev = num(s.count);
  }

  const abcRows = (await partition(lake, abc, asOf)).sort((a, b) => num(b.revenue) - num(a.revenue));
  const bcgRows = (await partition(lake, bcg, asOf)).filter(
    (r) => r.level === 'sku' && r.growth !== null && r.relative_share !== null,
  );
  const mix = (await partition(lake, channelMix, asOf)).filter((r) => r.source !== '(all)');
  const channels = new Map<string, { revenue: number; share: number }>();
  for (const m of mix) {
    const label = `${String(m.source)} / ${String(m.channel)}`;
    const c = channels.get(label) ?? { revenue: 0, share: 0 };
    c.revenue += num(m.revenue);
    c.share += num(m.share);
    channels.set(label, c);
  }
  const severity: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
  const stockouts = (await partition(lake, stockout, asOf)).sort(
    (a, b) =>
      (severity[String(a.severity)] ?? 9) - (severity[String(b.severity)] ?? 9) ||
      num(a.days_of_cover) - num(b.days_of_cover),
  );
  const bundleRows = (await partition(lake, bundles, asOf))
    .filter((b) => num(b.rank) === 1)
    .sort((a, b) => num(b.lift) - num(a.lift));

  return {
    asOf,
    previousAsOf,
    headline: await headline(lake, asOf, rfmRows),
    previous: previousAsOf ? await headline(lake, previousAsOf, previousRfm) : null,
    segments,
    recall: (await partition(lake, churnRecall, asOf))
      .sort((a, b) => num(b.value_at_risk) - num(a.value_at_risk))
      .slice(0, 15),
    cohorts,
    trafficFunnel: shown ? { title: shown[0], steps: funnelSteps(shown[1]) } : null,
    orderFunnel: orderSteps.length ? { steps: funnelSteps(orderSteps) } : null,
    pareto: abcRows.map((r) => ({
      sku: String(r.sku),
      cumulative: num(r.cumulative_share),
      revenue: num(r.revenue),
      abc: String(r.abc_class),
    })),
    bcg: bcgRows.map((r) => ({
      sku: String(r.item),
      growth: num(r.growth),
      share: num(r.relative_share),
      revenue: num(r.revenue),
      quadrant: String(r.quadrant),
    })),
    channels: [...channels]
      .map(([label, c]) => ({ label, ...c }))
      .sort((a, b) => b.revenue - a.revenue)
      .slice(0, 12),
    stockouts: stockouts.slice(0, 20).map((s) => ({
      ...s,
      expected_stockout_date: s.expected_stockout_date === null ? null : day(s.expected_stockout_date),
    })),
    bundles: bundleRows.slice(0, 10),
  };
}

/**
 * A section of the daily report, declared by the stage whose outputs it shows (the stage's `report`
 * property): its anchor, placement and labels, what it reads from the lake (`gather`), how it draws
 * that (`render`: its body, or null when its model has no data, and the page then says so), and the
 * headline cards, chart and linked files it adds. The report's core (data.ts, html.ts) names no
 * section: it gathers and draws the registry's sections (sections.ts) in their placement's order.
 */
import type { Lake } from '../lake/lake.ts';
import type { RowOf, TableSpec } from '../schemas/table.ts';
import type { Formats } from './format.ts';
import { LABELS, type Labels, type Language } from './labels.ts';

/** What the report needs to know beyond the lake. */
export interface ReportSettings {
  reportingCurrency: string;
  timeZone: string;
  cooldownDays: number;
  assortmentWindowDays: number;
  bcgGrowthThreshold: number;
  bcgShareThreshold: number;
}

/** What a section's gather is given: the run, shared reads and the settings. */
export interface GatherContext {
  readonly lake: Lake;
  readonly asOf: string;
  /** The run before this one (the latest RFM partition before the as-of date); null on a first run. */
  readonly previousAsOf: string | null;
  readonly settings: ReportSettings;
  /**
   * A table's dt= partition as rows typed from its spec (checked against it: rows.ts); each is read
   * once per report, for the core and every section.
   */
  partition<T extends TableSpec>(spec: T, dt: string): Promise<readonly RowOf<T>[]>;
  /** A SKU's name from the latest committed products export; null when none names it. */
  productName(sku: unknown): string | null;
}

/**
 * Where a section goes on the page, groups in this order: what to act on today first, then the
 * customer models, then sales by product and channel. Within a group the sections keep the stage
 * registry's order (and a stage's own order). The registry's order alone cannot place them: it is
 * the order the stages compute in (churn_recall after rfm, product and basket before funnel).
 */
export const PLACEMENTS = ['alerts', 'customers', 'sales'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** The page as the core renders it, for every section alike. */
export interface PageContext {
  readonly language: Language;
  readonly format: Formats;
  readonly asOf: string;
  readonly previousAsOf: string | null;
  /** The product models' assortment window in days (titles say "last {days} days"). */
  readonly windowDays: number;
  /** Where each file the page links points to, by lake key (relative locally, presigned in AWS). */
  readonly hrefs: ReadonlyMap<string, string>;
}

/** The page as one section sees it: the core's labels and its own, in the page's language. */
export interface SectionPage<Own> extends PageContext {
  readonly labels: Labels & Own;
}

/** A headline card a section adds; it links to the section. */
export interface HeadlineCard {
  readonly label: string;
  readonly value: string;
  readonly sub: string;
}

/** A section's labels: one set per language, the same keys, none of them a core label's. */
type OwnLabels = Readonly<Record<string, string>> & { readonly [K in keyof Labels]?: never };

/** A section's chart: drawn by its script, inside the page's chart script. */
export interface ChartDeclaration<Data, Own> {
  /** Labels the script reads as `T.<key>`; a key two sections give must have the same value. */
  labels(page: SectionPage<Own>): Readonly<Record<string, unknown>>;
  /** Its entries of the page's JSON, read by the script as `data.<key>`. */
  data(data: Data, page: SectionPage<Own>): Readonly<Record<string, unknown>>;
  /**
   * Browser code (ES5, so it runs on any phone), run inside the page's chart function where `data`,
   * `T`, `draw(id, config)`, `overlay(id, paint)`, `pct`, `named`, `money`, `compactMoney`, `count`
   * and `narrow` are in scope.
   */
  readonly script: string;
}

export interface SectionDeclaration<Data, Own extends OwnLabels> {
  /** The section's anchor on the page (`<section id>`); its headline cards link to it. */
  readonly id: string;
  readonly placement: Placement;
  readonly labels: Readonly<Record<Language, Own>>;
  title(page: SectionPage<Own>): string;
  gather(ctx: GatherContext): Promise<Data>;
  /** The section's body; null when there is nothing to show (the page says there is no data). */
  render(data: Data, page: SectionPage<Own>): string | null;
  cards?(data: Data, page: SectionPage<Own>): readonly HeadlineCard[];
  /** Lake keys of the files the section links (the writer turns each into an href). */
  links?(data: Data): readonly string[];
  readonly chart?: ChartDeclaration<Data, Own>;
}

/** A chart as the page gets it: the section's labels, JSON entries and script. */
export interface PageChart {
  readonly labels: Readonly<Record<string, unknown>>;
  readonly data: Readonly<Record<string, unknown>>;
  readonly script: string;
}

/** A section with its data gathered, ready to draw in any language. */
export interface GatheredSection {
  readonly id: string;
  readonly links: readonly string[];
  title(page: PageContext): string;
  body(page: PageContext): string | null;
  cards(page: PageContext): readonly HeadlineCard[];
  chart(page: PageContext): PageChart | null;
}

/** A declared section as the registry holds it. */
export interface ReportSection {
  readonly id: string;
  readonly placement: Placement;
  gather(ctx: GatherContext): Promise<GatheredSection>;
}

/**
 * Declares a section. Its gathered data stays typed to its render, cards, links and chart: the
 * registry holds the section without its data type, and the gathered section closes over the data.
 */
export function defineSection<Data, Own extends OwnLabels>(
  declaration: SectionDeclaration<Data, Own>,
): ReportSection {
  const { id, placement, labels, chart } = declaration;
  const pageOf = (page: PageContext): SectionPage<Own> => ({
    ...page,
    labels: { ...LABELS[page.language], ...labels[page.language] },
  });
  return {
    id,
    placement,
    async gather(ctx) {
      const data = await declaration.gather(ctx);
      return {
        id,
        links: declaration.links?.(data) ?? [],
        title: (page) => declaration.title(pageOf(page)),
        body: (page) => declaration.render(data, pageOf(page)),
        cards: (page) => declaration.cards?.(data, pageOf(page)) ?? [],
        chart: (page) =>
          chart
            ? {
                labels: chart.labels(pageOf(page)),
                data: chart.data(data, pageOf(page)),
                script: chart.script,
              }
            : null,
      };
    },
  };
}

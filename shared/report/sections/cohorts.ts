/** The aarrr stage's section: the retention heat map of the last 12 monthly cohorts. */
import { aarrrCohorts } from '../../schemas/tables.ts';
import { esc } from '../format.ts';
import { defineSection } from '../section.ts';

const EN = {
  cohorts: 'AARRR cohort retention (% of the cohort buying in month n)',
  cohort: 'Cohort',
};
const ZH: typeof EN = {
  cohorts: 'AARRR 同期群留存（第 n 月仍购买的比例 %）',
  cohort: '同期群',
};

/** Heat-map colour for a retention percentage. */
const heat = (v: number) => `hsl(210, 70%, ${Math.round(96 - Math.min(1, v / 60) * 50)}%)`;

export const cohortsSection = defineSection({
  id: 'cohorts',
  placement: 'customers',
  labels: { en: EN, zh: ZH },
  title: (page) => page.labels.cohorts,
  async gather({ asOf, partition }) {
    const byCohort = new Map<string, (number | null)[]>();
    for (const c of await partition(aarrrCohorts, asOf)) {
      const cells = byCohort.get(c.cohort_month) ?? [];
      cells[c.month_index] = c.retention_pct;
      byCohort.set(c.cohort_month, cells);
    }
    return [...byCohort]
      .sort(([a], [b]) => a.localeCompare(b))
      .slice(-12)
      .map(([cohort, cells]) => ({
        cohort,
        cells: Array.from({ length: Math.min(12, cells.length) }, (_, i) => cells[i] ?? null),
      }));
  },
  render(cohorts, { labels: L }) {
    if (!cohorts.length) return null;
    const months = Math.max(0, ...cohorts.map((c) => c.cells.length));
    return `<div class="scroll"><table class="heat"><thead><tr><th>${esc(L.cohort)}</th>${Array.from({ length: months }, (_, i) => `<th class="n">${i}</th>`).join('')}</tr></thead><tbody>${cohorts
      .map(
        (c) =>
          `<tr><td>${esc(c.cohort)}</td>${Array.from({ length: months }, (_, i) => {
            const v = c.cells[i];
            return v === null || v === undefined
              ? '<td></td>'
              : `<td class="n" style="background:${heat(v)}">${v.toFixed(0)}</td>`;
          }).join('')}</tr>`,
      )
      .join('')}</tbody></table></div>`;
  },
});

/**
 * Alerts shown as open items (churn recall, stockout): not only what fired today but what is still
 * open, with counts of the whole list, its top rows, and links to the CSV lists that hold them.
 */
import { esc } from './format.ts';
import { fill, type Labels } from './labels.ts';

export type ItemStatus = 'new' | 'open';

/** An alert list as open items: the top rows, and counts of the whole. */
export interface OpenList<T> {
  rows: T[];
  open: number;
  newToday: number;
  stillOpen: number;
  /** Open after the previous run, closed now (bought again / no longer short). */
  resolved: number;
  /** Lake keys of the CSV lists holding the open items, by the date that raised them. */
  lists: { date: string; key: string; items: number }[];
}

/** The CSV lists of open items, newest first: one per date that raised items. */
export function listsByDate(
  alerted: readonly (string | null)[],
  listKey: (date: string) => string,
): OpenList<unknown>['lists'] {
  const byDate = new Map<string, number>();
  for (const date of alerted) if (date) byDate.set(date, (byDate.get(date) ?? 0) + 1);
  return [...byDate]
    .sort(([a], [b]) => b.localeCompare(a))
    .map(([date, items]) => ({ date, key: listKey(date), items }));
}

/** The counts line of a list, as its section and its headline card say it. */
export const openSplit = (list: OpenList<unknown>, L: Labels): string =>
  fill(L.openSplit, { new: list.newToday, still: list.stillOpen, resolved: list.resolved });

/** The counts line, the top rows' note and the links to the CSV lists of an open-items list. */
export function openSummary<T>(
  list: OpenList<T>,
  L: Labels,
  order: string,
  hrefs: ReadonlyMap<string, string>,
): string {
  const counts = `<p class="counts">${esc(openSplit(list, L))}</p>`;
  const shown =
    list.open > 0
      ? `<p class="note">${esc(fill(L.shownOf, { shown: list.rows.length, total: list.open, order }))}</p>`
      : '';
  const links = list.lists.length
    ? `<p class="lists">${esc(L.fullList)}: ${list.lists
        .map(
          (l) =>
            `<a href="${esc(hrefs.get(l.key) ?? l.key)}" download>${esc(fill(L.listOf, { date: `${l.date} CSV`, n: l.items }))}</a>`,
        )
        .join(' · ')}</p>`
    : '';
  return counts + shown + links;
}

/** An item's status tag: new today, or open since the run that raised it. */
export const statusTag = (item: { status: ItemStatus; alerted: string | null }, L: Labels): string =>
  item.status === 'new'
    ? `<span class="tag new">${esc(L.statusNew)}</span>`
    : `<span class="tag open">${esc(item.alerted ? fill(L.statusOpen, { date: item.alerted }) : L.statusOpenUnknown)}</span>`;

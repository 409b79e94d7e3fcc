/** The page's building blocks every section draws with: escaping, number formats, tables, charts. */
import type { Language } from './labels.ts';

export const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Number formats of one page: amounts always carry the reporting currency. */
export function formats(language: Language, currency: string) {
  const locale = language === 'zh' ? 'zh-CN' : 'en-US';
  const moneyFormat = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    maximumFractionDigits: 0,
  });
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  return {
    locale,
    money: (v: number) => moneyFormat.format(v),
    count: (v: number) => count.format(v),
    pct: (v: number, digits = 1) => `${(v * 100).toFixed(digits)} %`,
  };
}

export type Formats = ReturnType<typeof formats>;

export interface Column {
  header: string;
  numeric?: boolean;
  /** Wide text: on a phone the cell takes the full row. */
  wide?: boolean;
  /** Short text kept on one line (dates, codes). */
  nowrap?: boolean;
  /** On a phone the cell takes the card's full width (a product name). */
  full?: boolean;
}

/** A table; on a phone each row becomes a card whose cells say their column (data-label). */
export function table(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  cls = 'rows',
): string {
  const th = columns.map((c) => `<th${c.numeric ? ' class="n"' : ''}>${esc(c.header)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((cell, i) => {
            const c = columns[i]!;
            const classes = [
              c.numeric ? 'n' : '',
              c.wide ? 'wide' : '',
              c.nowrap ? 'nw' : '',
              c.full ? 'full' : '',
            ]
              .filter(Boolean)
              .join(' ');
            return `<td${classes ? ` class="${classes}"` : ''} data-label="${esc(c.header)}">${cell}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** "SKU · name" for a cell: the code, and the name a person recognises. */
export const product = (sku: string, name: string | null) =>
  `<span class="sku">${esc(sku)}</span>${name ? ` <span class="pname">${esc(name)}</span>` : ''}`;

/** A chart's canvas; the page's chart script draws into it by id. */
export const chartCanvas = (id: string, cls = 'chart') =>
  `<div class="${cls}"><canvas id="${id}"></canvas></div>`;

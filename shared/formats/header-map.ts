/**
 * Column lookup for platform exports: each logical column may go by several header names (a
 * platform renames columns across years, or writes them with trailing spaces), and every cell is
 * unwrapped of its spreadsheet guards on the way out.
 */
import { normaliseHeader } from './format.ts';
import { cleanCell } from './values.ts';

export type Aliases<K extends string> = Readonly<Record<K, readonly string[]>>;

export class HeaderMap<K extends string> {
  private readonly index: Record<K, number>;
  readonly width: number;

  constructor(
    header: readonly string[],
    aliases: Aliases<K>,
    /** Cell values that mean "empty" on this platform (Douyin writes `-`). */
    private readonly empty: readonly string[] = [],
  ) {
    const norm = header.map((h) => normaliseHeader(cleanCell(h)));
    this.index = {} as Record<K, number>;
    for (const key of Object.keys(aliases) as K[]) {
      const names = aliases[key].map(normaliseHeader);
      this.index[key] = norm.findIndex((h) => names.includes(h));
    }
    this.width = header.length;
  }

  /** The key's column index, -1 when absent. */
  column(key: K): number {
    return this.index[key];
  }

  has(key: K): boolean {
    return this.index[key] >= 0;
  }

  /** The cleaned cell, '' when the column is absent or the cell means empty. */
  get(fields: readonly string[], key: K): string {
    const i = this.index[key];
    if (i < 0) return '';
    const v = cleanCell(fields[i] ?? '');
    return this.empty.includes(v) ? '' : v;
  }

  /** The header name actually found for a key (for quarantine messages). */
  name(header: readonly string[], key: K): string {
    const i = this.index[key];
    return i < 0 ? key : (header[i] ?? key).trim();
  }
}

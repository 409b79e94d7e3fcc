/**
 * The rejected rows of one ingest range: quarantine CSV lines (file, line, column, reason, record)
 * in file order, and counts per column and kind of reason for the summary.
 */
import { csvLine } from '../csv/writer.ts';
import type { RowRejection } from '../formats/format.ts';

export interface ReasonCount {
  column: string;
  reason: string;
  count: number;
}

/** Groups reasons without the quoted value, so 1,000 bad dates make one line of the summary. */
const reasonKind = (reason: string): string => reason.replace(/: ".*$/s, '').replace(/"[^"]*"/g, '"…"');

export class QuarantineLog {
  readonly lines: string[] = [];
  private readonly counts = new Map<string, ReasonCount>();

  constructor(private readonly file: string) {}

  add(r: RowRejection): void {
    this.lines.push(csvLine([this.file, r.line, r.column, r.reason, csvLine(r.record).trimEnd()], true));
    const kind = reasonKind(r.reason);
    const key = `${r.column}\u0000${kind}`;
    const entry = this.counts.get(key) ?? { column: r.column, reason: kind, count: 0 };
    entry.count++;
    this.counts.set(key, entry);
  }

  get reasons(): ReasonCount[] {
    return [...this.counts.values()];
  }
}

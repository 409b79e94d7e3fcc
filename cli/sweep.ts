import type { SweepReport } from '../shared/lake/commits.ts';

/** What a sweep of the lake did, for stderr; empty when it did nothing. */
export function describeSweep(r: SweepReport): string {
  const lines: string[] = [];
  if (r.legacyCommitted)
    lines.push(
      `committed ${r.legacyCommitted} batch(es) ingested by an earlier version (they had a manifest)`,
    );
  if (r.uncommittedFiles)
    lines.push(
      `removed ${r.uncommittedFiles} file(s) of ${r.batches.length} batch(es) never committed (an interrupted ingest, over an hour ago)`,
    );
  if (r.tempFiles)
    lines.push(`removed ${r.tempFiles} temporary file(s) a stopped writer left, over an hour old`);
  return lines.map((l) => `lake: ${l}\n`).join('');
}

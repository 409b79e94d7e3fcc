import type { SweepReport } from '../shared/lake/commits.ts';
import { COMPACTION_BUDGET_BYTES, type CompactionReport, compactLake } from '../shared/lake/compaction.ts';
import type { Lake } from '../shared/lake/lake.ts';
import { LakeBusyError } from '../shared/lake/maintenance.ts';
import type { CliIo } from './io.ts';

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

/** What a compaction did, for stderr; empty when it rewrote and deleted nothing. */
export function describeCompaction(r: CompactionReport, seconds: number): string {
  const over = r.partitionsOverBudget
    ? `lake: ${r.partitionsOverBudget} partition(s) of several files left as they are: over ${COMPACTION_BUDGET_BYTES / 2 ** 20} MB, made of big files already\n`
    : '';
  if (!r.partitions && !r.filesDeleted && r.commitObjects.before === r.commitObjects.after) return over;
  const parts = [
    `${r.partitions} partition(s) compacted in ${seconds.toFixed(1)} s: files read by queries ${r.filesBefore} -> ${r.filesAfter}`,
  ];
  if (r.versionsArchived) parts.push(`${r.versionsArchived} superseded line version(s) archived`);
  if (r.commitObjects.before !== r.commitObjects.after)
    parts.push(`commit records in ${r.commitObjects.before} -> ${r.commitObjects.after} object(s)`);
  return `lake: ${parts.join('; ')}\n${over}`;
}

/**
 * Compacts the lake before a daily run, saying what it did on stderr. A lake a forget is rewriting
 * at that moment runs as it stands: the rows are the same either way, only the files are more.
 */
export async function compactBeforeRun(lake: Lake, io: CliIo): Promise<void> {
  const started = performance.now();
  try {
    io.err(describeCompaction(await compactLake(lake), (performance.now() - started) / 1000));
  } catch (e) {
    if (!(e instanceof LakeBusyError)) throw e;
    io.err(`lake: not compacted (${e.message})\n`);
  }
}

import { UsageError } from '../../shared/errors.ts';
import { sweepLake } from '../../shared/lake/commits.ts';
import { type DailyRunSummary, runDaily } from '../../shared/pipeline/daily-run.ts';
import { STAGES } from '../../shared/stages/registry.ts';
import type { Stage, SummaryBlock } from '../../shared/stages/stage.ts';
import { DATE_RE, parseIsoDate, today } from '../../shared/time.ts';
import { type Command, LAKE_HELP, LAKE_OPTIONS, str } from '../command.ts';
import { lakeContext } from '../context.ts';
import { stderrLog } from '../io.ts';
import { formatTable } from '../output.ts';
import { compactBeforeRun, describeSweep } from '../sweep.ts';

const renderBlock = (block: SummaryBlock): string =>
  typeof block === 'string' ? block : formatTable(block.columns, block.rows).trimEnd();

/** The paragraph a stage's `describe` gives its summary; '' for a stage that describes nothing. */
export function describeStage(stage: Stage, s: DailyRunSummary): string {
  const summaries: Readonly<Record<string, unknown>> = s.summaries;
  return (stage.describe?.(summaries[stage.name], { asOf: s.asOf }) ?? []).map(renderBlock).join('\n');
}

/**
 * What `storepulse run` prints: one paragraph per stage that describes its summary, in the
 * registry's order (a new model's lines come with its stage file), then the run's report.
 */
export function describeRun(s: DailyRunSummary): string {
  const paragraphs = STAGES.map((stage) => describeStage(stage, s)).filter((p) => p !== '');
  return `${[...paragraphs, `Report: ${s.reportKey}`].join('\n\n')}\n`;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the daily models and alerts for an as-of date',
  help: `Usage: storepulse run [--date YYYY-MM-DD] [options]

Sweeps and compacts the lake (see "storepulse compact"), then computes every model as of the date
(orders dated on or before it, shop time zone) and writes models/<model>/dt=<date>/ and
alerts/<kind>/dt=<date>/. Re-running a date replaces its outputs.

Options:
  --date YYYY-MM-DD    as-of date (default: today in the shop time zone)
${LAKE_HELP}
  -h, --help           this help
`,
  options: { ...LAKE_OPTIONS, date: { type: 'string' } },
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`run takes no arguments (got "${positionals.join(' ')}")`);
    const ctx = lakeContext(values);
    const date = str(values.date) ?? today(ctx.config.timeZone);
    if (!DATE_RE.test(date) || parseIsoDate(date) === undefined) {
      throw new UsageError(`--date must be a calendar date YYYY-MM-DD, got "${date}"`);
    }
    // Leftovers of writers that died (an interrupted ingest) are swept first, once old enough.
    const swept = describeSweep(await sweepLake(ctx.lake));
    if (swept) io.err(swept);
    await compactBeforeRun(ctx.lake, io);
    const summary = await runDaily({ ...ctx, log: stderrLog(io) }, date);
    io.out(describeRun(summary));
    return 0;
  },
};

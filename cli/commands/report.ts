import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { UsageError } from '../../shared/errors.ts';
import { dataFileKey } from '../../shared/lake/keys.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { writeReport } from '../../shared/pipeline/report.ts';
import { rfm } from '../../shared/schemas/tables.ts';
import { DATE_RE, parseIsoDate, today } from '../../shared/time.ts';
import { type Command, LAKE_HELP, LAKE_OPTIONS, str } from '../command.ts';
import { lakeContext } from '../context.ts';

/** Opens a file with the desktop's default program; best effort (a server has none). */
function openFile(path: string): boolean {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [path], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'write the daily HTML report of a run (reports/dt=<date>/index.html)',
  help: `Usage: storepulse report [--date YYYY-MM-DD] [--open] [options]

Writes the report of the run of that date as one self-contained HTML page (charts inlined, no
network needed to view it), laid out for a desktop or a phone: headline figures and their change
since the previous run, the open churn-recall and stockout items (new today, still open, resolved)
with links to their CSV lists, the RFM segments, cohort retention, the funnels with their
breakpoint, the ABC Pareto curve, the Boston matrix, channel mix and bundles. \`storepulse run\`
writes it too. Labels follow STOREPULSE_LANGUAGE (en or zh).

Options:
  --date YYYY-MM-DD    the run's as-of date (default: today in the shop time zone)
  --open               open the page in the default browser
${LAKE_HELP}
  -h, --help           this help
`,
  options: { ...LAKE_OPTIONS, date: { type: 'string' }, open: { type: 'boolean', default: false } },
  async run(values, positionals, io) {
    if (positionals.length)
      throw new UsageError(`report takes no arguments (got "${positionals.join(' ')}")`);
    const ctx = lakeContext(values);
    const date = str(values.date) ?? today(ctx.config.timeZone);
    if (!DATE_RE.test(date) || parseIsoDate(date) === undefined) {
      throw new UsageError(`--date must be a calendar date YYYY-MM-DD, got "${date}"`);
    }
    if (!(await ctx.lake.get(dataFileKey(rfm, { dt: date }, 'part-0000')))) {
      io.err(`no run for ${date} in ${ctx.lake.location}: run \`storepulse run --date ${date}\` first\n`);
      return 1;
    }
    const key = await writeReport(ctx.lake, ctx.config, date, silentLog);
    const path = join(ctx.lake.location, key);
    io.out(`${path}\n`);
    if (values.open && !openFile(path)) io.err('could not open a browser; open the file above\n');
    return 0;
  },
};

/** The report stage: gather the run's partitions, render the page, write reports/dt=<as-of>/index.html. */
import { dirname, relative } from 'node:path/posix';
import type { Config } from '../config.ts';
import { reportKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { gatherReport } from '../report/data.ts';
import { renderReport } from '../report/html.ts';
import type { Log } from './log.ts';

export interface ReportOptions {
  /**
   * The link the page gives to a lake object (the CSV lists). Default: a path relative to the page,
   * for a lake on disk; in AWS a presigned URL.
   */
  href?: (key: string) => Promise<string>;
  /** The time the page says it was generated (default now). */
  now?: number;
}

/** `2026-11-23 07:05 Europe/Berlin`: a moment in the shop's time zone. */
export function shopTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${timeZone}`;
}

export async function writeReport(
  lake: Lake,
  config: Config,
  asOf: string,
  log: Log,
  options: ReportOptions = {},
): Promise<string> {
  const data = await gatherReport(lake, asOf, config);
  const key = reportKey(asOf);
  const href = options.href ?? (async (target: string) => relative(dirname(key), target));
  const hrefs = new Map<string, string>();
  for (const key of data.sections.flatMap((s) => s.links)) hrefs.set(key, await href(key));
  const generatedAt = shopTime(options.now ?? Date.now(), config.timeZone);
  await lake.put(key, renderReport(data, config.language, { hrefs, generatedAt }));
  log.info(`report ${asOf}: ${lake.location}/${key}`);
  return key;
}

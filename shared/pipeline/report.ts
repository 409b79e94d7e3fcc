/** The report stage: gather the run's partitions, render the page, write reports/dt=<as-of>/index.html. */
import type { Config } from '../config.ts';
import { reportKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { gatherReport } from '../report/data.ts';
import { renderReport } from '../report/html.ts';
import type { Log } from './log.ts';

export async function writeReport(lake: Lake, config: Config, asOf: string, log: Log): Promise<string> {
  const data = await gatherReport(lake, asOf);
  const key = reportKey(asOf);
  await lake.put(key, renderReport(data, config.language));
  log.info(`report ${asOf}: ${lake.location}/${key}`);
  return key;
}

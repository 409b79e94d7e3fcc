/**
 * Chart.js (UMD build), inlined into every report so the page needs no network when it is opened.
 * Next to a bundled Lambda's code the file is copied at bundling time; from sources it comes from
 * node_modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = 'chart.umd.min.js';
let cached: string | undefined;

export function chartLibrary(): string {
  if (cached !== undefined) return cached;
  const beside = fileURLToPath(new URL(`./${FILE}`, import.meta.url));
  const path = existsSync(beside)
    ? beside
    : join(dirname(createRequire(import.meta.url).resolve('chart.js')), FILE);
  cached = readFileSync(path, 'utf8');
  return cached;
}

/**
 * `npm run bench:compaction`: what compaction does to a lake fed the way many shops feed it — every
 * day an export of the last 30 days' orders, so each order line arrives up to 30 times, its status
 * moving on (paid, shipped, completed; a few refunded). Measures, before and after `compactLake`:
 * the files and bytes under curated/order_lines/, the line versions stored, and the time DuckDB takes
 * to read the whole history through the order_lines view (median of 3, one process); and the
 * compaction's own time. Writes bench/compaction-results.md. Not a test: nothing here asserts a time.
 *
 *   npm run bench:compaction -- [--days 60] [--lines-per-day 1000] [--window 30]
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../shared/config.ts';
import { compactLake } from '../shared/lake/compaction.ts';
import { LocalLake } from '../shared/lake/local.ts';
import { ingestFile } from '../shared/pipeline/ingest.ts';
import { silentLog } from '../shared/pipeline/log.ts';
import { DuckDbEngine } from '../shared/sql/duckdb.ts';

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '60' },
    'lines-per-day': { type: 'string', default: '1000' },
    window: { type: 'string', default: '30' },
  },
});
const DAYS = Number(values.days);
const PER_DAY = Number(values['lines-per-day']);
const WINDOW = Number(values.window);
const START = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const HEADER =
  'status,order_id,line_id,customer_id,order_ts,sku,quantity,unit_price,currency,discount,refund_amount,channel,country,warehouse';

/** A line's status as an export made `age` days after its order shows it. */
function status(age: number, n: number): string {
  if (n % 50 === 0 && age >= 10) return 'refunded';
  return age < 2 ? 'paid' : age < 6 ? 'shipped' : 'completed';
}

/** The export made on day `d`: the orders of days d-WINDOW+1 .. d. */
function exportOf(d: number): string {
  const rows = [HEADER];
  for (let o = Math.max(0, d - WINDOW + 1); o <= d; o++) {
    const date = new Date(START + o * DAY).toISOString().slice(0, 10);
    for (let n = 0; n < PER_DAY; n++) {
      const order = `O${o}-${n >> 1}`;
      rows.push(
        `${status(d - o, n)},${order},${(n & 1) + 1},C${(n * 7919 + o) % (PER_DAY * 20)},${date}T${String(8 + (n % 12)).padStart(2, '0')}:00:00Z,SKU-${n % 300},1,${(10 + (n % 40)).toFixed(2)},USD,0,${status(d - o, n) === 'refunded' ? (10 + (n % 40)).toFixed(2) : ''},web,US,WH-1`,
      );
    }
  }
  return `${rows.join('\n')}\n`;
}

async function sizeOf(lake: LocalLake, prefix: string): Promise<{ files: number; mb: number }> {
  const keys = (await lake.list(prefix)).filter((k) => k.endsWith('.parquet'));
  let bytes = 0;
  for (const k of keys) bytes += (await stat(join(lake.localRoot, k))).size;
  return { files: keys.length, mb: bytes / 1e6 };
}

/** Median seconds of reading the whole history through the views, and what it read. */
async function readHistory(lake: LocalLake): Promise<{ seconds: number; lines: number; versions: number }> {
  const times: number[] = [];
  let lines = 0;
  let versions = 0;
  for (let i = 0; i < 3; i++) {
    const engine = await DuckDbEngine.open(lake);
    try {
      const t = performance.now();
      const { rows } = await engine.query('select count(*) as n, sum(net_amount) as s from order_lines');
      times.push((performance.now() - t) / 1000);
      lines = Number(rows[0]!.n);
      versions = Number((await engine.query('select count(*) as n from order_lines_versions')).rows[0]!.n);
    } finally {
      await engine.close();
    }
  }
  times.sort((a, b) => a - b);
  return { seconds: times[1]!, lines, versions };
}

const dir = await mkdtemp(join(tmpdir(), 'storepulse-bench-compaction-'));
try {
  const lake = new LocalLake(join(dir, 'lake'));
  const config = loadConfig({}, { idKey: 'bench-key-0123456789abcdef' });
  const file = join(dir, 'orders.csv');
  let rowsIngested = 0;
  const ingestStarted = performance.now();
  for (let d = 0; d < DAYS; d++) {
    await writeFile(file, exportOf(d));
    const r = await ingestFile(
      { lake, config, log: silentLog },
      { path: file, exportedAt: START + (d + 1) * DAY, source: 'generic' },
    );
    rowsIngested += r.rowsLanded;
    if ((d + 1) % 10 === 0) process.stderr.write(`ingested ${d + 1}/${DAYS} exports\n`);
  }
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  const before = { ...(await sizeOf(lake, 'curated/order_lines/')), ...(await readHistory(lake)) };
  const started = performance.now();
  const report = await compactLake(lake);
  const compactSeconds = (performance.now() - started) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const after = { ...(await sizeOf(lake, 'curated/order_lines/')), ...(await readHistory(lake)) };
  const archive = await sizeOf(lake, 'curated/archive/order_lines/');
  // The steady state: the next morning's export, and the compaction the next run does first.
  await writeFile(file, exportOf(DAYS));
  await ingestFile(
    { lake, config, log: silentLog },
    { path: file, exportedAt: START + (DAYS + 1) * DAY, source: 'generic' },
  );
  const nextStarted = performance.now();
  const next = await compactLake(lake);
  const nextSeconds = (performance.now() - nextStarted) / 1000;
  if (after.lines !== before.lines) throw new Error(`order_lines changed: ${before.lines} -> ${after.lines}`);

  const f = (n: number, d = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const table = [
    `Compaction bench (${new Date().toISOString().slice(0, 10)}): ${DAYS} daily exports of the last ${WINDOW} days, ${f(PER_DAY)} order lines a day; ${f(rowsIngested)} rows ingested in ${f(ingestSeconds, 1)} s.`,
    '',
    '| | before compaction | after |',
    '|---|---|---|',
    `| files under curated/order_lines/ | ${f(before.files)} | ${f(after.files)} |`,
    `| MB there | ${f(before.mb, 1)} | ${f(after.mb, 1)} |`,
    `| line versions stored (order_lines_versions) | ${f(before.versions)} | ${f(after.versions)} |`,
    `| order lines (order_lines) | ${f(before.lines)} | ${f(after.lines)} |`,
    `| DuckDB, whole history through order_lines (median of 3) | ${f(before.seconds, 2)} s | ${f(after.seconds, 2)} s |`,
    '',
    `Compaction: ${f(report.partitions)} partitions in ${f(compactSeconds, 1)} s, peak RSS of the process ${f(peakMb)} MB; ` +
      `${f(report.versionsArchived)} superseded versions moved to curated/archive/order_lines/ (${f(archive.files)} files, ${f(archive.mb, 1)} MB); ` +
      `commit records in ${report.commitObjects.before} -> ${report.commitObjects.after} object(s).`,
    '',
    `The next day's export, then its compaction (the steady state): ${f(next.partitions)} partitions in ${f(nextSeconds, 1)} s, ` +
      `${f(next.versionsArchived)} versions archived (in new archive files: archives are written, never rewritten).`,
    '',
  ].join('\n');
  process.stdout.write(table);
  await writeFile(new URL('compaction-results.md', import.meta.url), table);
} finally {
  await rm(dir, { recursive: true, force: true });
}

/**
 * The forecast section of `npm run bench` (alone: `npm run bench -- forecast`): storepulse's demand
 * forecaster against the weekly seasonal naive forecast and, where `Rscript` with the `forecast`
 * package is installed, R's ets() and auto.arima() with their defaults, on the same generated series
 * (bench/forecast/demand.ts, seed 21, 150 per class; 28 days held back). Scores MASE, RMSSE and 95 %
 * coverage per class (bench/forecast/score.ts), times storepulse per 1,000 series, and writes
 * bench/forecast-results.md. R's answers are cached in bench/out/forecast/ by a hash of its input (R
 * takes minutes); delete that folder to re-run R.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forecastSeries, SEASON, seasonalNaive } from '../../shared/models/forecast.ts';
import { DEMAND_CLASSES, type DemandSeries, demandSeries, HORIZON_DAYS, sinceFirstSale } from './demand.ts';
import { type PointForecast, paired, type ScoreTable, score } from './score.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, 'bench', 'out', 'forecast');
const SEED = 21;
const PER_CLASS = 150;

/** Forecasts every series with storepulse. */
function storepulse(series: readonly DemandSeries[]) {
  const forecasts = new Map<string, PointForecast>();
  const methods = new Map<string, number>();
  for (const s of series) {
    const f = forecastSeries(s.history, HORIZON_DAYS);
    forecasts.set(s.id, {
      mean: f.forecast.map((p) => p.mean),
      lower: f.forecast.map((p) => p.lower),
      upper: f.forecast.map((p) => p.upper),
    });
    methods.set(f.method, (methods.get(f.method) ?? 0) + 1);
  }
  return { forecasts, methods };
}

/** Milliseconds for 1,000 series in a fresh process (bench/forecast/time.ts), three runs, the median. */
interface Timing {
  firstMs: number;
  secondMs: number;
  firstCpuMs: number;
}

function timing(): Timing & { runs: Timing[] } {
  const runs = [0, 1, 2].map(() => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'forecast', 'time.ts')], {
      cwd: root,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`bench/forecast/time.ts failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Timing;
  });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  return {
    runs,
    firstMs: median(runs.map((r) => r.firstMs)),
    secondMs: median(runs.map((r) => r.secondMs)),
    firstCpuMs: median(runs.map((r) => r.firstCpuMs)),
  };
}

/**
 * Seasonal naive with R's snaive() interval: ± 1.96 σ √(⌊(h − 1)/7⌋ + 1), σ the in-sample
 * weekly-naive residual sd.
 */
function naive(series: readonly DemandSeries[]) {
  const forecasts = new Map<string, PointForecast>();
  for (const s of series) {
    const y = sinceFirstSale(s.history);
    const mean = seasonalNaive(y, HORIZON_DAYS);
    let sq = 0;
    for (let t = SEASON; t < y.length; t++) sq += (y[t]! - y[t - SEASON]!) ** 2;
    const sd = Math.sqrt(sq / Math.max(1, y.length - SEASON - 1));
    const half = mean.map((_, k) => 1.96 * sd * Math.sqrt(Math.floor(k / SEASON) + 1));
    forecasts.set(s.id, {
      mean,
      lower: mean.map((m, k) => m - half[k]!),
      upper: mean.map((m, k) => m + half[k]!),
    });
  }
  return forecasts;
}

function rAvailable(): string | null {
  const r = spawnSync('Rscript', ['-e', 'cat(as.character(packageVersion("forecast")))'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** R's ets and auto.arima on every series (from its first sale), cached by the input's hash. */
async function rForecasts(series: readonly DemandSeries[]) {
  const input = `${series.map((s) => `${s.id}\t${sinceFirstSale(s.history).join(' ')}`).join('\n')}\n`;
  const hash = createHash('sha256').update(input).digest('hex').slice(0, 16);
  const inputPath = join(out, `r-input-${hash}.tsv`);
  const outputPath = join(out, `r-output-${hash}.csv`);
  const timingPath = join(out, `r-timing-${hash}.txt`);
  if (!existsSync(outputPath) || !existsSync(timingPath)) {
    await writeFile(inputPath, input);
    process.stderr.write(`forecast: R ets and auto.arima on ${series.length} series (minutes) ...\n`);
    const r = spawnSync(
      'Rscript',
      [join(root, 'bench', 'forecast', 'r-forecast.R'), inputPath, outputPath, String(HORIZON_DAYS)],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    if (r.status !== 0) throw new Error(`Rscript failed:\n${r.stderr}`);
    await writeFile(timingPath, r.stderr.trim().split('\n').pop() ?? '');
  }
  const byMethod = new Map<string, Map<string, PointForecast>>();
  for (const line of (await readFile(outputPath, 'utf8')).trim().split('\n').slice(1)) {
    const [id, method, , mean, lower, upper] = line.split(',');
    const m = byMethod.get(method!) ?? new Map<string, PointForecast>();
    byMethod.set(method!, m);
    const f = m.get(id!) ?? { mean: [], lower: [], upper: [] };
    m.set(id!, f);
    f.mean.push(Number(mean));
    f.lower.push(Number(lower));
    f.upper.push(Number(upper));
  }
  const timing = await readFile(timingPath, 'utf8');
  const seconds = (name: string) => Number(new RegExp(`${name}=([0-9.]+)`).exec(timing)?.[1] ?? Number.NaN);
  return [
    { name: 'R forecast::ets', forecasts: byMethod.get('ets') ?? new Map(), seconds: seconds('ets') },
    {
      name: 'R forecast::auto.arima',
      forecasts: byMethod.get('auto.arima') ?? new Map(),
      seconds: seconds('auto.arima'),
    },
  ];
}

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

/** Markdown table: one row per method and class. */
function table(rows: { name: string; scores: ScoreTable; msPer1000: number | null }[]): string {
  const head = ['method', 'class', 'series', 'MASE', 'RMSSE', '95 % coverage', 'ms per 1,000 series'];
  const lines = [head, head.map(() => '---')];
  for (const cls of [...DEMAND_CLASSES, 'overall'] as const) {
    for (const r of rows) {
      const s = r.scores[cls];
      lines.push([
        r.name,
        cls,
        `${s.series}${s.missing ? ` (${s.missing} failed)` : ''}`,
        f3(s.mase),
        f3(s.rmsse),
        f3(s.coverage),
        cls === 'overall' && r.msPer1000 !== null ? r.msPer1000.toFixed(0) : '',
      ]);
    }
  }
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}

/**
 * Per class and measure, storepulse against the R method with the better mean there: the paired mean
 * difference with its 95 % interval, and whether storepulse is ahead, level (the interval holds 0) or
 * behind.
 */
function versusBestR(
  series: readonly DemandSeries[],
  ours: Map<string, PointForecast>,
  rMethods: { name: string; forecasts: Map<string, PointForecast> }[],
  rows: { name: string; scores: ScoreTable }[],
): string {
  const head = ['class', 'measure', 'best R', 'storepulse − best R (95 % CI)', 'verdict'];
  const lines = [head, head.map(() => '---')];
  for (const cls of [...DEMAND_CLASSES, 'overall'] as const) {
    for (const measure of ['mase', 'rmsse'] as const) {
      const best = rMethods
        .map((r) => ({ r, v: rows.find((row) => row.name === r.name)!.scores[cls][measure] }))
        .sort((a, b) => a.v - b.v)[0]!.r;
      const d = paired(series, ours, best.forecasts, measure, cls);
      lines.push([
        cls,
        measure.toUpperCase(),
        best.name.replace('R forecast::', ''),
        `${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(3)} ± ${d.half.toFixed(3)}`,
        d.verdict,
      ]);
    }
  }
  return `Paired by series, storepulse against the better R method of each class and measure ("level": the interval holds 0):\n\n${lines.map((l) => `| ${l.join(' | ')} |`).join('\n')}\n`;
}

export async function forecastBench(): Promise<string> {
  await mkdir(out, { recursive: true });
  const series = demandSeries(PER_CLASS, SEED);
  process.stderr.write(`forecast: storepulse on ${series.length} series ...\n`);
  const sp = storepulse(series);
  process.stderr.write('forecast: timing 1,000 series in a fresh process, three times ...\n');
  const time = timing();
  const rows: { name: string; scores: ScoreTable; msPer1000: number | null }[] = [
    { name: 'storepulse', scores: score(series, sp.forecasts), msPer1000: time.firstMs },
    { name: 'seasonal naive', scores: score(series, naive(series)), msPer1000: null },
  ];
  const rVersion = rAvailable();
  let rNote: string;
  let comparison = '';
  if (rVersion) {
    const rMethods = await rForecasts(series);
    for (const r of rMethods) {
      rows.push({
        name: r.name,
        scores: score(series, r.forecasts),
        msPer1000: (r.seconds / series.length) * 1e6,
      });
    }
    comparison = versusBestR(series, sp.forecasts, rMethods, rows);
    rNote = `R: forecast ${rVersion} (ets() and auto.arima() defaults, ts frequency 7, forecast(h = 28, level = 95)); a series R failed on counts as failed and is left out of its means.`;
  } else rNote = 'R: `Rscript` with the `forecast` package is not installed here, so R is not compared.';
  const text = [
    '# Forecast accuracy',
    '',
    `Generated by \`npm run bench -- forecast\` on ${new Date().toISOString().slice(0, 10)}; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}.`,
    `Data: bench/forecast/demand.ts, seed ${SEED}, ${PER_CLASS} series per class, 182 days of history, ${HORIZON_DAYS} days held back. Every method forecasts from the first sale on; forecasts are cut at zero.`,
    'MASE and RMSSE: error over the in-sample weekly seasonal naive error of the history (mean over series); coverage: share of held-back days inside the 95 % interval (mean over series).',
    `${rNote}`,
    `storepulse time: 1,000 other generated series (seed 99) forecast by a fresh process, JIT warm-up included, median of three processes: ${time.firstMs.toFixed(0)} ms wall (runs ${time.runs.map((r) => r.firstMs.toFixed(0)).join(', ')}), ${time.firstCpuMs.toFixed(0)} ms CPU (load average when measured ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores); the same process forecasting them again: ${time.secondMs.toFixed(0)} ms. R's time is its own clock around each fit and forecast, one process. Methods storepulse used: ${[...sp.methods].map(([m, c]) => `${m} ${c}`).join(', ')}.`,
    '',
    table(rows),
    '',
    comparison,
  ].join('\n');
  await writeFile(join(root, 'bench', 'forecast-results.md'), text);
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(await forecastBench());

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
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forecastSeries, SEASON, seasonalNaive } from '../../shared/models/forecast.ts';
import { DEMAND_CLASSES, type DemandSeries, demandSeries, HORIZON_DAYS, sinceFirstSale } from './demand.ts';
import { type PointForecast, type ScoreTable, score } from './score.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, 'bench', 'out', 'forecast');
const SEED = 21;
const PER_CLASS = 150;

/** Forecasts every series with storepulse; seconds per 1,000 series, the first pass and the steady state. */
function storepulse(series: readonly DemandSeries[]) {
  const forecasts = new Map<string, PointForecast>();
  const methods = new Map<string, number>();
  const passes: number[] = [];
  for (let pass = 0; pass < 4; pass++) {
    const started = performance.now();
    for (const s of series) {
      const f = forecastSeries(s.history, HORIZON_DAYS);
      if (pass > 0) continue;
      forecasts.set(s.id, {
        mean: f.forecast.map((p) => p.mean),
        lower: f.forecast.map((p) => p.lower),
        upper: f.forecast.map((p) => p.upper),
      });
      methods.set(f.method, (methods.get(f.method) ?? 0) + 1);
    }
    passes.push(((performance.now() - started) / series.length) * 1000);
  }
  const steady = passes.slice(1).sort((a, b) => a - b)[1]!;
  return { forecasts, methods, firstMs: passes[0]!, steadyMs: steady };
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

export async function forecastBench(): Promise<string> {
  await mkdir(out, { recursive: true });
  const series = demandSeries(PER_CLASS, SEED);
  process.stderr.write(`forecast: storepulse on ${series.length} series ...\n`);
  const sp = storepulse(series);
  const rows: { name: string; scores: ScoreTable; msPer1000: number | null }[] = [
    { name: 'storepulse', scores: score(series, sp.forecasts), msPer1000: sp.steadyMs },
    { name: 'seasonal naive', scores: score(series, naive(series)), msPer1000: null },
  ];
  const rVersion = rAvailable();
  let rNote: string;
  if (rVersion) {
    for (const r of await rForecasts(series)) {
      rows.push({
        name: r.name,
        scores: score(series, r.forecasts),
        msPer1000: (r.seconds / series.length) * 1e6,
      });
    }
    rNote = `R: forecast ${rVersion} (ets() and auto.arima() defaults, ts frequency 7, forecast(h = 28, level = 95)); a series R failed on counts as failed and is left out of its means.`;
  } else rNote = 'R: `Rscript` with the `forecast` package is not installed here, so R is not compared.';
  const text = [
    '# Forecast accuracy',
    '',
    `Generated by \`npm run bench -- forecast\` on ${new Date().toISOString().slice(0, 10)}; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}.`,
    `Data: bench/forecast/demand.ts, seed ${SEED}, ${PER_CLASS} series per class, 182 days of history, ${HORIZON_DAYS} days held back. Every method forecasts from the first sale on; forecasts are cut at zero.`,
    'MASE and RMSSE: error over the in-sample weekly seasonal naive error of the history (mean over series); coverage: share of held-back days inside the 95 % interval (mean over series).',
    `${rNote}`,
    `storepulse time: steady state (median of three passes after a first); the first pass in a fresh process took ${sp.firstMs.toFixed(0)} ms per 1,000 series (JIT warm-up). Methods chosen: ${[...sp.methods].map(([m, c]) => `${m} ${c}`).join(', ')}.`,
    '',
    table(rows),
    '',
  ].join('\n');
  await writeFile(join(root, 'bench', 'forecast-results.md'), text);
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(await forecastBench());

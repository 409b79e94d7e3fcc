/**
 * Times the forecaster in its own process (`bench/forecast/run.ts` starts it): 1,000 generated series
 * (250 per class, seed 99, not the scored set), forecast once as a fresh process does (JIT warm-up
 * included), then again. Prints one JSON line: { firstMs, secondMs, firstCpuMs, series }: wall times, and
 * the CPU time of the first pass (on a shared machine the wall clock also counts other processes).
 */
import { forecastSeries } from '../../shared/models/forecast.ts';
import { demandSeries, HORIZON_DAYS } from './demand.ts';

const series = demandSeries(250, 99);
const passes: number[] = [];
let firstCpuMs = 0;
for (let pass = 0; pass < 2; pass++) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const s of series) forecastSeries(s.history, HORIZON_DAYS);
  passes.push(performance.now() - started);
  if (pass === 0) {
    const used = process.cpuUsage(cpu);
    firstCpuMs = (used.user + used.system) / 1000;
  }
}
process.stdout.write(
  `${JSON.stringify({ firstMs: passes[0], secondMs: passes[1], firstCpuMs, series: series.length })}\n`,
);

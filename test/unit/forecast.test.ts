/**
 * The demand forecaster (shared/models/forecast.ts): each method against a hand-worked example or
 * R's forecast package (fixture with its source), the intervals' distributions by hand, and the whole
 * forecaster on a small seeded set of the bench's demand classes (bench/forecast/demand.ts) within
 * declared bounds. The full comparison with R is `npm run bench -- forecast`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demandSeries, sinceFirstSale } from '../../bench/forecast/demand.ts';
import { score } from '../../bench/forecast/score.ts';
import { countInterval } from '../../shared/models/forecast/interval.ts';
import {
  croston,
  fitEts,
  fitTsb,
  forecastSeries,
  intervalSd,
  mase,
  rmsse,
  sba,
  seasonalNaive,
  ses,
  tsb,
} from '../../shared/models/forecast.ts';

const R = JSON.parse(
  readFileSync(new URL('../fixtures/forecast/r-ets.json', import.meta.url), 'utf8'),
) as Record<'ANN' | 'ANA' | 'AAdN', { alpha: number; mse: number; aicc: number; mean: number[] }> & {
  y: number[];
};

const ahead = (fit: ReturnType<typeof fitEts>, n: number, h: number) => {
  const out = new Float64Array(h);
  fit.from(n, h, out);
  return Array.from(out);
};

describe('forecast methods against worked examples', () => {
  it('SES: l1 = y1, then l = a y + (1 - a) l', () => {
    // a = 0.5 on 3, 5, 4: 3 -> 4 -> 4.
    expect(ses([3, 5, 4], 0.5)).toBe(4);
  });
  it('Croston (1972) and SBA: smoothed size over smoothed interval, SBA times (1 - a/2)', () => {
    // a = 0.1 on 0 0 5 0 3 0 0 0 4: size 5, interval 3; then 4.8, 2.9; then 4.72, 3.01.
    expect(croston([0, 0, 5, 0, 3, 0, 0, 0, 4], 0.1)).toBeCloseTo(4.72 / 3.01, 12);
    expect(sba([0, 0, 5, 0, 3, 0, 0, 0, 4], 0.1)).toBeCloseTo((0.95 * 4.72) / 3.01, 12);
  });
  it('TSB (Teunter, Syntetos & Babai 2011): smoothed probability times smoothed size', () => {
    // p: 1/3, 0.3, 0.37, 0.333, 0.2997, 0.26973, 0.342757; size 5 -> 4.8 -> 4.72.
    expect(tsb([0, 0, 5, 0, 3, 0, 0, 0, 4], 0.1, 0.1)).toBeCloseTo(0.342757 * 4.72, 9);
  });
  it('fitted TSB follows a demand probability that falls, and its forecast decays', () => {
    const y = [...Array.from({ length: 60 }, (_, t) => (t % 2 ? 0 : 2)), ...Array(30).fill(0)];
    const fit = fitTsb(y);
    expect(fit.at(60)).toBeGreaterThan(fit.at(90));
    expect(fit.at(90)).toBeLessThan(0.5);
  });
  it('seasonal naive repeats the last week; MASE and RMSSE scale by its in-sample error', () => {
    const week = [10, 12, 14, 16, 18, 30, 40];
    expect(seasonalNaive([...week, ...week], 7)).toEqual(week);
    const train = [1, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 8]; // |y - y[-7]| = 1 every day
    expect(mase(train, [3, 3], [2, 4])).toBe(1);
    expect(rmsse(train, [3, 3], [1, 3])).toBeCloseTo(Math.sqrt(2), 12);
  });
});

describe('ETS by maximum likelihood against R forecast::ets (test/fixtures/forecast/r-ets.json)', () => {
  const n = R.y.length;
  it('ETS(A,N,N): the same alpha, error and forecast as R', () => {
    const fit = fitEts('ANN', R.y);
    expect(fit.params.alpha).toBeCloseTo(R.ANN.alpha, 2);
    expect(fit.sse / n).toBeCloseTo(R.ANN.mse, 3);
    for (const [k, v] of ahead(fit, n, 7).entries()) expect(v).toBeCloseTo(R.ANN.mean[k]!, 1);
  });
  it('ETS(A,N,A): a likelihood at least as high as R and the same weekly forecast within 0.5 units', () => {
    const fit = fitEts('ANA', R.y);
    expect(fit.sse / n).toBeLessThanOrEqual(R.ANA.mse * 1.0001);
    for (const [k, v] of ahead(fit, n, 7).entries()) expect(Math.abs(v - R.ANA.mean[k]!)).toBeLessThan(0.5);
    // AICc differences between models on the same data agree with R's (R leaves out constants).
    expect(fit.aicc - fitEts('ANN', R.y).aicc).toBeCloseTo(R.ANA.aicc - R.ANN.aicc, 0);
  });
  it('ETS(A,Ad,N): a likelihood at least as high as R (its optimum is flat in phi)', () => {
    expect(fitEts('AAdN', R.y).sse / n).toBeLessThanOrEqual(R.AAdN.mse * 1.0001);
  });
});

describe('prediction intervals', () => {
  it('Poisson(2), by hand: P(0) = 0.135 > 2.5 %, so [0, 5] (F(4) = 0.947, F(5) = 0.983)', () => {
    expect(countInterval(2, 2, 0.95)).toEqual({ lower: 0, upper: 5 });
  });
  it('negative binomial mean 1, variance 3 (size 0.5, p 1/3): P(0) = 0.577, F(3) = 0.919, F(4) = 0.951', () => {
    expect(countInterval(1, 3, 0.95)).toEqual({ lower: 0, upper: 4 });
  });
  it('Poisson(20), by hand: F(11) = 0.0214 ≤ 2.5 % < F(12), so from 12; F(29) = 0.978 ≥ 0.95 + 0.0214', () => {
    expect(countInterval(20, 20, 0.95)).toEqual({ lower: 12, upper: 29 });
  });
  it('a steady seller has no spread: constant history, zero-width interval and no demand sd', () => {
    const f = forecastSeries(Array(120).fill(5), 28);
    expect(f.forecast[0]!.mean).toBeCloseTo(5, 9);
    expect([f.forecast[0]!.lower, f.forecast[0]!.upper]).toEqual([5, 5]);
    expect(f.demandSd).toBe(0);
    expect(intervalSd([{ lower: 2, upper: 2 + 2 * 1.959963984540054 }])).toBeCloseTo(1, 12);
  });
});

describe('forecastSeries', () => {
  it('a new SKU is forecast from its first sale, not diluted by the days before its launch', () => {
    const y = [...Array(160).fill(0), ...Array.from({ length: 22 }, (_, t) => 10 + (t % 3))];
    const f = forecastSeries(y, 28);
    expect(f.forecast[0]!.mean).toBeGreaterThan(9);
    expect(f.forecast[0]!.mean).toBeLessThan(12);
    // 22 days of sales: too short to judge.
    expect(f.mase).toBeNull();
  });
  it('no sales: zero forecast; one day of sales: its mean with a wide interval', () => {
    expect(forecastSeries(Array(30).fill(0), 7)).toMatchObject({ method: 'none', demandSd: 0 });
    const one = forecastSeries([...Array(29).fill(0), 4], 7);
    expect(one.method).toBe('mean');
    expect(one.forecast[0]!.mean).toBe(4);
    expect(one.forecast[0]!.upper).toBeGreaterThan(8);
  });
  it('an intermittent series gets TSB beside ETS', () => {
    const y = Array.from({ length: 120 }, (_, t) => (t % 5 === 0 ? 3 : 0));
    expect(forecastSeries(y, 28).method).toBe('ets+tsb');
  });
  it('a seeded set of every class: accuracy and coverage within bounds, ahead of seasonal naive', () => {
    // 12 series per class (seed 2101, not the bench's); bounds wide enough for 48 series' noise.
    const series = demandSeries(12, 2101);
    const ours = new Map();
    const naive = new Map();
    for (const s of series) {
      const f = forecastSeries(s.history, 28);
      ours.set(s.id, {
        mean: f.forecast.map((p) => p.mean),
        lower: f.forecast.map((p) => p.lower),
        upper: f.forecast.map((p) => p.upper),
      });
      const m = seasonalNaive(sinceFirstSale(s.history), 28);
      naive.set(s.id, { mean: m, lower: m, upper: m });
    }
    const t = score(series, ours);
    const base = score(series, naive);
    expect(t.overall.series).toBe(48);
    expect(t.overall.mase).toBeLessThan(0.9);
    expect(t.overall.mase).toBeLessThan(0.9 * base.overall.mase);
    expect(t.overall.rmsse).toBeLessThan(0.85 * base.overall.rmsse);
    expect(t.overall.coverage).toBeGreaterThan(0.92);
    expect(t.overall.coverage).toBeLessThan(0.98);
  });
});

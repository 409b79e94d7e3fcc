import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bgnbdLogLikelihood,
  expectedPurchases,
  fitBgNbd,
  groupHistories,
  type History,
  hyp2f1,
  pAlive,
} from '../../shared/models/bgnbd.ts';
import {
  expectedAverageValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
} from '../../shared/models/gamma-gamma.ts';
import { Random } from '../../shared/synth/random.ts';
import { fixture } from '../helpers.ts';

/** CDNOW calibration histories in weeks, with the published conventions (see fixtures/cdnow/README.md). */
function cdnow() {
  const byCustomer = new Map<string, Map<string, number>>();
  for (const line of readFileSync(fixture('cdnow', 'CDNOW_sample.txt'), 'utf8').trim().split('\n')) {
    const [, id, date, , amount] = line.trim().split(/\s+/);
    const days = byCustomer.get(id!) ?? new Map<string, number>();
    days.set(date!, (days.get(date!) ?? 0) + Number(amount));
    byCustomer.set(id!, days);
  }
  const day = (d: string) => Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8)) / 86_400_000;
  const end = day('19970930');
  const histories: History[] = [];
  const spends: { x: number; mx: number }[] = [];
  for (const days of byCustomer.values()) {
    const tx = [...days]
      .map(([d, v]) => [day(d), v] as const)
      .filter(([d]) => d <= end)
      .sort((a, b) => a[0] - b[0]);
    if (!tx.length) continue;
    histories.push({ x: tx.length - 1, tx: (tx.at(-1)![0] - tx[0]![0]) / 7, T: (end - tx[0]![0]) / 7 });
    if (tx.length > 1)
      spends.push({ x: tx.length - 1, mx: tx.slice(1).reduce((a, [, v]) => a + v, 0) / (tx.length - 1) });
  }
  return { histories, spends };
}

describe('BG/NBD (Fader, Hardie & Lee 2005)', () => {
  const { histories, spends } = cdnow();

  it('gives the published log-likelihood at the published parameters on CDNOW', () => {
    expect(histories).toHaveLength(2357);
    const ll = bgnbdLogLikelihood(
      { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259 },
      groupHistories(histories),
    );
    expect(ll).toBeCloseTo(-9582.43, 1);
  });

  it('fits the published parameters on CDNOW (weeks)', () => {
    const fit = fitBgNbd(histories);
    expect(fit.params.r).toBeCloseTo(0.2426, 3);
    expect(fit.params.alpha).toBeCloseTo(4.4136, 2);
    expect(fit.params.a).toBeCloseTo(0.7929, 3);
    expect(fit.params.b).toBeCloseTo(2.4259, 2);
    expect(fit.distinctHistories).toBeLessThan(fit.customers); // grouped: the cost is per distinct history
  });

  it('computes one customer by hand', () => {
    // r=1, alpha=1, a=1, b=2, x=1, t_x=1, T=2:
    // L = Γ(2)/Γ(1) * Γ(3)Γ(3)/(Γ(2)Γ(4)) * [ (1/3)^2 + (1/2)(1/2)^2 ] = 1 * (2*2)/(1*6) * (1/9 + 1/8) = (2/3)(17/72)
    const ll = bgnbdLogLikelihood({ r: 1, alpha: 1, a: 1, b: 2 }, groupHistories([{ x: 1, tx: 1, T: 2 }]));
    expect(ll).toBeCloseTo(Math.log((2 / 3) * (17 / 72)), 12);
    // P(alive) = 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)) = 1 / (1 + 0.5 * (3/2)^2) = 1/2.125
    expect(pAlive({ r: 1, alpha: 1, a: 1, b: 2 }, { x: 1, tx: 1, T: 2 })).toBeCloseTo(1 / 2.125, 12);
    expect(pAlive({ r: 1, alpha: 1, a: 1, b: 2 }, { x: 0, tx: 0, T: 5 })).toBe(1);
  });

  it('agrees with the hypergeometric series and the unconditional expectation', () => {
    // 2F1(1,1;2;z) = -ln(1-z)/z
    expect(hyp2f1(1, 1, 2, 0.5)).toBeCloseTo(-Math.log(0.5) / 0.5, 12);
    // A brand-new customer (x=0, t_x=0, T=0) expects what the population does: eq. 9 of the paper,
    // E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))].
    const p = { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4259 };
    const t = 39;
    const population =
      ((p.a + p.b - 1) / (p.a - 1)) *
      (1 - (p.alpha / (p.alpha + t)) ** p.r * hyp2f1(p.r, p.b, p.a + p.b - 1, t / (p.alpha + t)));
    expect(expectedPurchases(p, { x: 0, tx: 0, T: 0 }, t)).toBeCloseTo(population, 10);
  });

  it('recovers the parameters of data simulated from known ones', () => {
    const truth = { r: 0.5, alpha: 10, a: 0.8, b: 2.5 };
    const rnd = new Random(7);
    const gamma = (shape: number, scale: number): number => {
      // Marsaglia & Tsang, with the boost for shape < 1.
      if (shape < 1) return gamma(shape + 1, scale) * rnd.next() ** (1 / shape);
      const d = shape - 1 / 3;
      const c = 1 / Math.sqrt(9 * d);
      for (;;) {
        let x: number;
        let v: number;
        do {
          const u1 = rnd.next();
          const u2 = rnd.next();
          x = Math.sqrt(-2 * Math.log(u1 || 1e-12)) * Math.cos(2 * Math.PI * u2);
          v = 1 + c * x;
        } while (v <= 0);
        v = v ** 3;
        const u = rnd.next();
        if (Math.log(u || 1e-12) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
      }
    };
    const beta = (a: number, b: number) => {
      const x = gamma(a, 1);
      return x / (x + gamma(b, 1));
    };
    const sims: History[] = [];
    for (let i = 0; i < 6000; i++) {
      const lambda = gamma(truth.r, 1 / truth.alpha);
      const p = beta(truth.a, truth.b);
      const T = 20 + rnd.next() * 60;
      let t = 0;
      let x = 0;
      let tx = 0;
      for (;;) {
        t += -Math.log(1 - rnd.next()) / lambda;
        if (t > T) break;
        x++;
        tx = t;
        if (rnd.next() < p) break;
      }
      sims.push({ x, tx, T });
    }
    const fit = fitBgNbd(sims);
    expect(fit.params.r).toBeGreaterThan(truth.r * 0.85);
    expect(fit.params.r).toBeLessThan(truth.r * 1.15);
    expect(fit.params.alpha / truth.alpha).toBeGreaterThan(0.8);
    expect(fit.params.alpha / truth.alpha).toBeLessThan(1.2);
    expect(fit.params.a / truth.a).toBeGreaterThan(0.7);
    expect(fit.params.a / truth.a).toBeLessThan(1.3);
    expect(fit.params.b / truth.b).toBeGreaterThan(0.7);
    expect(fit.params.b / truth.b).toBeLessThan(1.3);
  });

  it('fits Gamma-Gamma to the published CDNOW parameters', () => {
    expect(spends).toHaveLength(946);
    const fit = fitGammaGamma(spends);
    expect(fit.params.p).toBeCloseTo(6.2496, 2);
    expect(fit.params.q).toBeCloseTo(3.7442, 2);
    expect(fit.params.gamma).toBeCloseTo(15.4435, 1);
    expect(gammaGammaLogLikelihood(fit.params, spends)).toBeCloseTo(fit.logLikelihood, 8);
    // E[M] is a weighted mean of the population mean p*gamma/(q-1) and the customer's own m_x.
    const population = (fit.params.p * fit.params.gamma) / (fit.params.q - 1);
    const e = expectedAverageValue(fit.params, { x: 3, mx: 100 });
    expect(e).toBeGreaterThan(Math.min(population, 100));
    expect(e).toBeLessThan(Math.max(population, 100));
  });
});

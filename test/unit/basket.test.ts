import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBasketFile, readLongFile } from '../../cli/commands/basket.ts';
import { bundlesFromRules, mineRules, type Rule } from '../../shared/models/basket.ts';
import { fixture } from '../helpers.ts';

const find = (rules: Rule[], lhs: string[], rhs: string) =>
  rules.find((r) => r.antecedent.join() === lhs.join() && r.consequent[0] === rhs);

describe('association rules by hand', () => {
  // Five baskets. n(a)=4, n(b)=3, n(c)=3, n(ab)=2, n(ac)=3, n(bc)=1, n(abc)=1.
  const baskets = [['a', 'b'], ['a', 'c'], ['a', 'b', 'c'], ['a', 'c', 'c'], ['b']];
  it('computes support, confidence, lift, leverage, conviction and count as arules defines them', async () => {
    const { rules, transactions } = await mineRules(baskets, {
      minSupport: 0.2,
      minConfidence: 0,
      minLift: 0,
      maxLength: 3,
    });
    expect(transactions).toBe(5);
    const ac = find(rules, ['a'], 'c')!;
    // supp = 3/5; conf = 3/4; lift = 0.75 / 0.6; leverage = 0.6 - 0.8 * 0.6; conviction = 0.4 / 0.25.
    expect(ac.count).toBe(3);
    expect(ac.support).toBeCloseTo(0.6, 12);
    expect(ac.confidence).toBeCloseTo(0.75, 12);
    expect(ac.lift).toBeCloseTo(1.25, 12);
    expect(ac.leverage).toBeCloseTo(0.12, 12);
    expect(ac.conviction).toBeCloseTo(1.6, 12);
    const ca = find(rules, ['c'], 'a')!;
    expect(ca.confidence).toBe(1);
    expect(ca.conviction).toBe(Number.POSITIVE_INFINITY);
    // {a, b} => {c}: supp 1/5, conf 1/2, lift 0.5 / 0.6.
    const abc = find(rules, ['a', 'b'], 'c')!;
    expect([abc.count, abc.confidence]).toEqual([1, 0.5]);
    expect(abc.lift).toBeCloseTo(5 / 6, 12);
    // Empty left-hand side, as arules makes: {} => {a} with confidence = supp(a).
    expect(find(rules, [], 'a')?.confidence).toBeCloseTo(0.8, 12);
  });

  it('applies min support (as a count, >=), confidence, lift and max length', async () => {
    const all = await mineRules(baskets, {
      minSupport: 0.4,
      minConfidence: 0.6,
      minLift: 1.01,
      maxLength: 2,
    });
    expect(all.rules.map((r) => `${r.antecedent.join('+')}=>${r.consequent[0]}`).sort()).toEqual([
      'a=>c',
      'c=>a',
    ]);
    const none = await mineRules(baskets, { minSupport: 0.61, minConfidence: 0, minLift: 0, maxLength: 3 });
    expect(none.rules.map((r) => r.count).every((c) => c >= 4)).toBe(true);
  });

  it('makes bundles from one-to-one rules, best lift first', async () => {
    const { rules } = await mineRules(baskets, {
      minSupport: 0.2,
      minConfidence: 0,
      minLift: 0,
      maxLength: 3,
    });
    const b = bundlesFromRules(rules, 1);
    expect(b.find((x) => x.sku === 'c')).toMatchObject({ rank: 1, bundle_sku: 'a', count: 3 });
  });
});

describe("arules' Groceries", async () => {
  const text = readFileSync(fixture('basket', 'groceries.csv'), 'utf8');
  const result = await mineRules(readBasketFile(text), {
    minSupport: 0.001,
    minConfidence: 0.5,
    minLift: 0,
    maxLength: 10,
  });
  it('gives the published 5,668 rules from 13,492 frequent itemsets', () => {
    expect(result.transactions).toBe(9835);
    expect(result.frequentItemsets).toBe(13492);
    expect(result.rules).toHaveLength(5668);
  });
  it('gives the published top three rules by lift, with their figures', () => {
    const top = result.rules.slice(0, 3).map((r) => ({
      lhs: r.antecedent,
      rhs: r.consequent,
      support: Number(r.support.toFixed(6)),
      confidence: Number(r.confidence.toFixed(4)),
      lift: Number(r.lift.toFixed(3)),
      count: r.count,
    }));
    expect(top).toEqual([
      {
        lhs: ['Instant food products', 'soda'],
        rhs: ['hamburger meat'],
        support: 0.00122,
        confidence: 0.6316,
        lift: 18.996,
        count: 12,
      },
      {
        lhs: ['popcorn', 'soda'],
        rhs: ['salty snack'],
        support: 0.00122,
        confidence: 0.6316,
        lift: 16.698,
        count: 12,
      },
      {
        lhs: ['baking powder', 'flour'],
        rhs: ['sugar'],
        support: 0.001017,
        confidence: 0.5556,
        lift: 16.408,
        count: 10,
      },
    ]);
  });
});

describe('basket files', () => {
  it('reads RFC 4180 quoting, trims items and drops duplicates within a transaction', () => {
    expect(readBasketFile('\ufeff"milk, 2%", bread ,bread\n"say ""cheese""",eggs\n')).toEqual([
      ['milk, 2%', 'bread'],
      ['say "cheese"', 'eggs'],
    ]);
  });
  it('reads the long layout with or without its header', () => {
    expect(readLongFile('transaction_id,item\n1,a\n2,b\n1,c\n', 'f')).toEqual([['a', 'c'], ['b']]);
    expect(readLongFile('1,a\n1,b\n', 'f')).toEqual([['a', 'b']]);
    expect(() => readLongFile('1,a,x\n', 'f.csv')).toThrow(/f\.csv: line 1: a --long file has two columns/);
  });
});

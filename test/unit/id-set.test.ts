import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdSet } from '../../shared/pipeline/id-set.ts';

const pseudonym = (i: number) => createHash('sha256').update(`customer-${i}`).digest('hex');

describe('IdSet', () => {
  it('counts distinct pseudonyms through growth, and merges the keys of another set', () => {
    const a = new IdSet();
    const b = new IdSet();
    // 0..29,999 in a (each twice), 20,000..49,999 in b: 50,000 distinct, 10,000 in both.
    for (let i = 0; i < 30_000; i++) a.add(pseudonym(i));
    for (let i = 0; i < 30_000; i++) a.add(pseudonym(i).toUpperCase());
    for (let i = 20_000; i < 50_000; i++) b.add(pseudonym(i));
    expect(a.size).toBe(30_000);
    expect(b.size).toBe(30_000);
    const all = new IdSet();
    all.addKeys(a.keys());
    all.addKeys(b.keys());
    expect(all.size).toBe(50_000);
    expect(all.keys()).toHaveLength(100_000);
  });

  it('tells apart ids that differ only in their 64th bit, and takes a key of zero', () => {
    const s = new IdSet();
    s.add('0000000000000000');
    s.add('0000000000000001');
    s.add(`0000000000000000${'f'.repeat(48)}`); // same first 64 bits as the first
    expect(s.size).toBe(2);
    expect([...s.keys()].sort()).toEqual([0, 0, 0, 1]);
  });

  it('refuses what is not a hex pseudonym', () => {
    expect(() => new IdSet().add('C000123')).toThrow(/not a pseudonymous id/);
    expect(() => new IdSet().add('zz00000000000000')).toThrow(/not a pseudonymous id/);
  });
});

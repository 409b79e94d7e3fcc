import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../shared/hmac-sha256.ts';

describe('HMAC-SHA256', () => {
  it('matches RFC 4231 test case 2 (key "Jefe")', () => {
    expect(new HmacSha256('Jefe').hex('what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('matches node:crypto for keys and messages of every length around the block edges', () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = 'abcXYZ019:@.-_ 茶杯€😀';
    for (const keyLength of [0, 1, 31, 63, 64, 65, 131]) {
      const key = Array.from({ length: keyLength }, () => alphabet[rand(alphabet.length)]).join('');
      const mac = new HmacSha256(key);
      for (let len = 0; len < 200; len++) {
        const message = Array.from({ length: len }, () => alphabet[rand(alphabet.length)]).join('');
        expect(mac.hex(message)).toBe(createHmac('sha256', key).update(message).digest('hex'));
      }
    }
  });
});

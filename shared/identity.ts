/**
 * Pseudonymous customer ids: HMAC-SHA256 of `<source>:<reference>` under a secret key, so ids are
 * stable across exports, differ between platforms, and cannot be reversed by hashing a list of e-mails.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';
import { HmacSha256 } from './hmac-sha256.ts';
import { idKeyKey } from './lake/keys.ts';
import type { Lake } from './lake/lake.ts';

export class Pseudonymiser {
  // Exports repeat customers on many lines; the cache turns millions of HMACs into one per customer.
  private readonly caches = new Map<string, Map<string, string>>();
  private readonly mac: HmacSha256;
  constructor(key: string) {
    this.mac = new HmacSha256(key);
  }

  id(source: string, reference: string): string {
    let cache = this.caches.get(source);
    if (!cache) {
      cache = new Map();
      this.caches.set(source, cache);
    }
    let v = cache.get(reference);
    if (v === undefined) {
      v = this.mac.hex(`${source}:${reference}`, 32);
      // Bounded, so memory stays flat however many customers a file has; a miss only costs a hash.
      if (cache.size >= 50_000) cache.clear();
      cache.set(reference, v);
    }
    return v;
  }
}

/** The configured key, else the lake's own key, created once (first writer wins). */
export async function resolveIdKey(lake: Lake, config: Config): Promise<string> {
  if (config.idKey) return config.idKey;
  const existing = await lake.get(idKeyKey);
  if (existing) return Buffer.from(existing).toString('utf8').trim();
  await lake.putIfAbsent(idKeyKey, randomBytes(32).toString('hex'));
  const created = await lake.get(idKeyKey);
  if (!created) throw new Error(`could not create ${idKeyKey} in ${lake.location}`);
  return Buffer.from(created).toString('utf8').trim();
}

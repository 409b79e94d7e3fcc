/**
 * Staging and joining for paired exports (Taobao's order report and item report). Each file's
 * checked rows, by order id, are kept in the lake as JSON (small: one shop's order exports), and
 * an order's lines land when both halves have been seen, whichever arrives first, or both at once.
 *
 * Two ingests of the two halves may run at the same time (two S3 drops, two Lambdas). Each first
 * stages its own rows, and only then reads the partner's: of two such ingests, the one that reads
 * later sees the other's rows, so at least one of them joins every order they share. When both do,
 * a claim decides which one lands them: a conditional create (`Lake.putIfAbsent`; S3's
 * `If-None-Match: *`) of one key per pair of batches, naming the batch that lands their common
 * orders. A claimer that failed before landing lands them when its message is delivered again (the
 * claim names it; its files have the same keys), so nothing is lost and nothing lands twice.
 */
import type { Pairing } from '../formats/format.ts';
import { joinClaimKey, stagingKey, stagingPrefix } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';

type Rows = readonly Record<string, string>[];

/** One order's rows in a staged half, with the batch they came from and when it was exported. */
export interface StagedOrder {
  batchId: string;
  exportedAt: number;
  rows: Rows;
}

interface StagedFile {
  /** Absent in files staged before claims existed: the batch id is the file name then. */
  batchId?: string;
  exportedAt: number;
  orders: Record<string, Record<string, string>[]>;
}

/** Every staged order of one half, the newest export of each order winning. */
export async function loadStaged(lake: Lake, name: string): Promise<Map<string, StagedOrder>> {
  const out = new Map<string, StagedOrder>();
  for (const key of await lake.list(stagingPrefix(name))) {
    const bytes = await lake.get(key);
    if (!bytes) continue;
    const file = JSON.parse(Buffer.from(bytes).toString('utf8')) as StagedFile;
    const batchId = file.batchId ?? key.slice(key.lastIndexOf('/') + 1).replace(/\.json$/, '');
    for (const [id, rows] of Object.entries(file.orders)) {
      const seen = out.get(id);
      if (!seen || file.exportedAt >= seen.exportedAt)
        out.set(id, { batchId, exportedAt: file.exportedAt, rows });
    }
  }
  return out;
}

export async function writeStaged(
  lake: Lake,
  name: string,
  batchId: string,
  exportedAt: number,
  orders: ReadonlyMap<string, Rows>,
): Promise<void> {
  if (orders.size === 0) return;
  const file: StagedFile = {
    batchId,
    exportedAt,
    orders: Object.fromEntries(orders) as StagedFile['orders'],
  };
  await lake.put(stagingKey(name, batchId), JSON.stringify(file));
}

const CLAIM_ATTEMPTS = 5;

/**
 * Whether this batch lands the orders it shares with a partner batch: true when it claims the pair
 * now, or claimed it in an earlier attempt; false when the partner's ingest did.
 */
export async function claimJoin(
  lake: Lake,
  self: { name: string; batchId: string },
  partner: { name: string; batchId: string },
): Promise<boolean> {
  const key = joinClaimKey(self, partner);
  for (let attempt = 1; ; attempt++) {
    try {
      if (await lake.putIfAbsent(key, JSON.stringify({ landedBy: self }))) return true;
      break;
    } catch (err) {
      // S3 answers 409 ConditionalRequestConflict to a conditional write that races another one of
      // the same key, and asks for a retry; any other failure is retried the same few times.
      if (attempt === CLAIM_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt * (1 + Math.random())));
    }
  }
  const bytes = await lake.get(key);
  const claim = bytes
    ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as { landedBy?: { name?: string; batchId?: string } })
    : {};
  return claim.landedBy?.name === self.name && claim.landedBy.batchId === self.batchId;
}

export interface JoinResult {
  /** Orders joined and handed to `land` by this ingest. */
  joined: number;
  /** Orders whose partner half has not arrived. */
  waiting: number;
  /** Orders the ingest of their partner half, running at the same time, lands. */
  landedByPartner: number;
}

/**
 * One half's orders (already read and checked): staged, then joined with the partner's staged
 * rows (the newest export of each order); `land` is called for each order this ingest lands.
 */
export async function stageAndJoin(
  lake: Lake,
  pairing: Pairing,
  batchId: string,
  exportedAt: number,
  own: ReadonlyMap<string, Rows>,
  land: (orderId: string, own: Rows, partner: Rows) => void,
): Promise<JoinResult> {
  // Staged before the partner is read: see the top of this file.
  await writeStaged(lake, pairing.self, batchId, exportedAt, own);
  const partner = await loadStaged(lake, pairing.partner);
  const byBatch = new Map<string, string[]>();
  let waiting = 0;
  for (const id of own.keys()) {
    const p = partner.get(id);
    if (!p) {
      waiting++;
      continue;
    }
    const ids = byBatch.get(p.batchId);
    if (ids) ids.push(id);
    else byBatch.set(p.batchId, [id]);
  }
  let joined = 0;
  let landedByPartner = 0;
  for (const [partnerBatch, ids] of byBatch) {
    const mine = await claimJoin(
      lake,
      { name: pairing.self, batchId },
      { name: pairing.partner, batchId: partnerBatch },
    );
    if (!mine) {
      landedByPartner += ids.length;
      continue;
    }
    for (const id of ids) land(id, own.get(id)!, partner.get(id)!.rows);
    joined += ids.length;
  }
  return { joined, waiting, landedByPartner };
}

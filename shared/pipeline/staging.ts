/**
 * Staging for paired exports (Taobao's order report and item report): each file's rows, by order id,
 * are kept in the lake as JSON until the other half arrives. Small: one shop's order exports.
 */
import type { StagedOrder } from '../formats/format.ts';
import { stagingKey, stagingPrefix } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';

interface StagedFile {
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
    for (const [id, rows] of Object.entries(file.orders)) {
      const seen = out.get(id);
      if (!seen || file.exportedAt >= seen.exportedAt) out.set(id, { exportedAt: file.exportedAt, rows });
    }
  }
  return out;
}

export async function writeStaged(
  lake: Lake,
  name: string,
  batchId: string,
  exportedAt: number,
  orders: Map<string, readonly Record<string, string>[]>,
): Promise<void> {
  if (orders.size === 0) return;
  const file: StagedFile = { exportedAt, orders: Object.fromEntries(orders) as StagedFile['orders'] };
  await lake.put(stagingKey(name, batchId), JSON.stringify(file));
}

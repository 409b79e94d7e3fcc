/**
 * One maintenance job at a time: a compaction and a forget both rewrite files that other batches'
 * rows live in, and two of them at once could each write back what the other took away. Ingest
 * only adds files and needs no lock. The lock is one object created only when absent (S3's
 * conditional put, an exclusive create locally); a holder that died leaves it, so it expires.
 */
import { randomBytes } from 'node:crypto';
import { StorepulseError } from '../errors.ts';
import { maintenanceLockKey } from './keys.ts';
import type { Lake } from './lake.ts';

/**
 * A lock older than this belongs to a job that died: a compaction or forget Lambda is stopped by
 * AWS at 15 minutes, and a local one over a 10M-line lake takes minutes.
 */
export const MAINTENANCE_LOCK_TTL_MS = 60 * 60 * 1000;

interface LockBody {
  job: string;
  token: string;
  since: number;
}

/** Another compaction or forget holds the lake. */
export class LakeBusyError extends StorepulseError {
  constructor(
    readonly job: string,
    readonly heldBy: string,
    readonly since: number,
  ) {
    super(
      `cannot ${job}: a ${heldBy} has been rewriting this lake since ${new Date(since).toISOString()}; ` +
        `try again when it is done (a lock left by a job that died expires after ${MAINTENANCE_LOCK_TTL_MS / 60_000} minutes)`,
    );
  }
}

/** Runs `fn` holding the lake's maintenance lock; throws LakeBusyError while another job holds it. */
export async function withMaintenanceLock<T>(
  lake: Lake,
  job: string,
  fn: () => Promise<T>,
  opts: { now?: () => number } = {},
): Promise<T> {
  const now = opts.now ?? Date.now;
  const token = randomBytes(8).toString('hex');
  const body = (): string => JSON.stringify({ job, token, since: now() } satisfies LockBody);
  if (!(await lake.putIfAbsent(maintenanceLockKey, body()))) {
    const held = await readLock(lake);
    if (held && now() - held.since < MAINTENANCE_LOCK_TTL_MS)
      throw new LakeBusyError(job, held.job, held.since);
    // Expired (or unreadable): taken over. Two jobs taking over the same dead lock at once both
    // delete it, and only one of the two creates wins.
    await lake.delete(maintenanceLockKey);
    if (!(await lake.putIfAbsent(maintenanceLockKey, body()))) {
      const again = await readLock(lake);
      throw new LakeBusyError(job, again?.job ?? 'job', again?.since ?? now());
    }
  }
  try {
    return await fn();
  } finally {
    // Released only while it is still ours (a job that overran the TTL may have lost it).
    if ((await readLock(lake))?.token === token) await lake.delete(maintenanceLockKey);
  }
}

async function readLock(lake: Lake): Promise<LockBody | undefined> {
  const bytes = await lake.get(maintenanceLockKey);
  if (!bytes) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as LockBody;
  } catch {
    return undefined;
  }
}

/**
 * Which as-of date a scheduled run is for. The scheduler fires early in the shop's morning; the run
 * covers the day that has just ended in the shop time zone (yesterday), unless a date is given.
 */
import { addDays, DATE_RE, localDate } from '../time.ts';

export interface RunRequest {
  /** Explicit as-of date, `YYYY-MM-DD` (a re-run or backfill). */
  asOf?: string;
  /** EventBridge Scheduler's `<aws.scheduler.scheduled-time>`, ISO-8601. */
  scheduledTime?: string;
}

export function resolveAsOf(req: RunRequest, timeZone: string, now: number = Date.now()): string {
  if (req.asOf) {
    if (!DATE_RE.test(req.asOf)) throw new Error(`asOf must be YYYY-MM-DD, got "${req.asOf}"`);
    return req.asOf;
  }
  const at = req.scheduledTime ? Date.parse(req.scheduledTime) : now;
  if (Number.isNaN(at)) throw new Error(`scheduledTime is not an ISO-8601 time: "${req.scheduledTime}"`);
  return addDays(localDate(at, timeZone), -1);
}

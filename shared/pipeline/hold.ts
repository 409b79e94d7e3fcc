/**
 * A test hook to stop ingest at a known moment, so a test can signal a real process there instead
 * of guessing with a sleep: with STOREPULSE_INGEST_HOLD=<point> ingest says
 * `storepulse: holding at <point>` on stderr when it gets there and waits until the process is
 * signalled. Points: `parse` (rows read, nothing written but the raw copy), `write` (the first
 * curated files written, more to come), `commit` (every file written, the commit record not yet).
 */
export type HoldPoint = 'parse' | 'write' | 'commit';

export const HOLD_ENV = 'STOREPULSE_INGEST_HOLD';

export async function holdAt(point: HoldPoint): Promise<void> {
  if (process.env[HOLD_ENV] !== point) return;
  process.stderr.write(`storepulse: holding at ${point} (${HOLD_ENV})\n`);
  await new Promise<never>(() => {
    setInterval(() => {}, 60_000); // keeps the thread alive until it is stopped
  });
}

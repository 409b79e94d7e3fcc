/**
 * A full garbage collection on demand, for the moment ingest has just dropped a million rows' worth
 * of objects (a flush: contacts written, caches cleared). Without it the main thread's heap, whose
 * limit is the process default (gigabytes), grew to 100-135 MB between collections at the same flush
 * points where the worker thread (1 GB limit) stayed at 40-75 MB, and a 10M-line file peaked at
 * 750-780 MB RSS instead of about 670-720 MB. A full collection of a heap this size takes 17-45 ms,
 * once per flush.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * `gc` is exposed to contexts made after the flag is set; the process's own context stays as it was.
 * A runtime that refuses the flag only loses the collection, not the ingest.
 */
function exposeGc(): () => void {
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    if (typeof fn === 'function') return fn as () => void;
  } catch {
    // fall through: no collection on demand
  }
  return () => {};
}
const gc = exposeGc();

/** Runs a full collection and returns how long it took, in milliseconds. */
export function collectGarbage(): number {
  const started = performance.now();
  gc();
  return performance.now() - started;
}

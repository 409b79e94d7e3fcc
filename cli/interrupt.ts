/**
 * Ctrl-C (SIGINT) or SIGTERM during `storepulse ingest`: stop writing, take back what the
 * interrupted file wrote, say what happened, and exit non-zero (130 for SIGINT, 143 for SIGTERM).
 * Readers never saw the file's rows (its batch has no commit record); the files are removed too.
 */

import { StorepulseError } from '../shared/errors.ts';
import { removeBatchFiles } from '../shared/lake/commits.ts';
import { batchCommitKey } from '../shared/lake/keys.ts';
import type { Lake } from '../shared/lake/lake.ts';
import { LocalLake } from '../shared/lake/local.ts';

export class InterruptedError extends StorepulseError {
  constructor() {
    super('interrupted: the lake takes no more writes from this command');
  }
}

/**
 * A lake that stops taking writes on request and can wait for the writes in flight: after `stop()`
 * every write fails without touching the lake, so nothing lands after the clean-up.
 */
export class StoppableLake implements Lake {
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Keys written through this lake (quarantine files of an interrupted batch are taken back). */
  readonly written: string[] = [];

  constructor(readonly base: Lake) {}

  get location(): string {
    return this.base.location;
  }

  get localRoot(): string | undefined {
    return this.base.localRoot;
  }

  private write<T>(key: string, run: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new InterruptedError());
    const p = run();
    this.inFlight.add(p);
    const done = () => {
      this.inFlight.delete(p);
    };
    p.then(done, done);
    this.written.push(key);
    return p;
  }

  /** No more writes; resolves when those in flight have ended (or after `maxWaitMs`). */
  async stop(maxWaitMs = 10_000): Promise<void> {
    this.stopped = true;
    const settled = Promise.allSettled([...this.inFlight]);
    await Promise.race([settled, new Promise((r) => setTimeout(r, maxWaitMs).unref())]);
  }

  put(key: string, body: Uint8Array | string): Promise<void> {
    return this.write(key, () => this.base.put(key, body));
  }
  putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    return this.write(key, () => this.base.putIfAbsent(key, body));
  }
  putFile(key: string, path: string): Promise<void> {
    return this.write(key, () => this.base.putFile(key, path));
  }
  delete(key: string): Promise<void> {
    return this.write(key, () => this.base.delete(key));
  }
  get(key: string): Promise<Uint8Array | undefined> {
    return this.base.get(key);
  }
  exists(key: string): Promise<boolean> {
    return this.base.exists(key);
  }
  list(prefix: string): Promise<string[]> {
    return this.base.list(prefix);
  }
  sizes(prefix: string): Promise<Map<string, number>> {
    return this.base.sizes(prefix);
  }
  uri(keyOrPattern: string): string {
    return this.base.uri(keyOrPattern);
  }
  modifiedAt(key: string): Promise<number> {
    if (!this.base.modifiedAt) return Promise.reject(new Error('no modification times'));
    return this.base.modifiedAt(key);
  }
}

export interface InterruptState {
  /** The file being ingested and its batch, once known. */
  current?: { file: string; batchId?: string };
  /** Files ingested (or skipped) before the signal. */
  done: string[];
  /** Stops a worker thread, if the file is read on two. */
  stops: (() => Promise<void>)[];
}

/** What to do on the signal: stop, clean, and the message to print. */
export async function cleanUpInterrupted(
  lake: StoppableLake,
  state: InterruptState,
  signal: NodeJS.Signals,
): Promise<string> {
  await lake.stop();
  await Promise.allSettled(state.stops.map((s) => s()));
  const base = lake.base;
  const lines = [`storepulse ingest: interrupted (${signal}).`];
  if (state.done.length) lines.push(`  ingested before it: ${state.done.join(', ')}`);
  const cur = state.current;
  if (cur?.batchId) {
    if (await base.exists(batchCommitKey(cur.batchId))) {
      lines.push(
        `  ${cur.file}: committed just before the interrupt (batch ${cur.batchId}): its rows are visible.`,
      );
    } else {
      const removed = await removeBatchFiles(base, cur.batchId);
      const quarantine = lake.written.filter((k) => k.startsWith('quarantine/') && k.includes(cur.batchId!));
      for (const k of quarantine) await base.delete(k);
      lines.push(
        `  ${cur.file}: not committed (batch ${cur.batchId}): no reader saw any of its rows; ` +
          `removed the ${removed.length + quarantine.length} file(s) it had written.`,
      );
    }
  } else if (cur) {
    lines.push(`  ${cur.file}: stopped while reading it; nothing of it was written.`);
  }
  if (base instanceof LocalLake) {
    const temp = await base.removeOwnTemp();
    if (temp) lines.push(`  removed ${temp} unfinished temporary file(s) from ${base.location}/.tmp/`);
  }
  lines.push('  Re-run the same command to complete it: files already ingested are skipped.');
  return `${lines.join('\n')}\n`;
}

/**
 * The worker thread that reads the second part of a large export (ingest-worker.ts). It is started
 * before ingest hashes the file, so its boot (half a second to a second from TypeScript sources)
 * overlaps the scan instead of delaying its part, and it waits for its job as a message.
 */
import { Worker } from 'node:worker_threads';
import type { RangeJob, RangeResult } from './ingest-range.ts';

/** A bounded heap makes the worker collect garbage before it grows: memory stays flat in file size. */
const WORKER_HEAP_MB = 1024;

interface WorkerMessage {
  progress?: { bytes: number; rows: number };
  result?: RangeResult;
}

export class RangeWorker {
  private readonly worker: Worker;
  /** A failure before a job was given (a module that does not load): reported by `run`. */
  private bootFailure: Error | undefined;

  constructor(lakeRoot: string) {
    // From TypeScript sources the bootstrap registers the loader; a bundled build ships the worker as JS.
    const fromSources = import.meta.url.endsWith('.ts');
    const url = new URL(fromSources ? './ingest-worker.boot.js' : './ingest-worker.js', import.meta.url);
    this.worker = new Worker(url, {
      workerData: { lakeRoot },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    this.worker.on('error', (err) => {
      this.bootFailure ??= err;
    });
  }

  /** Reads one range of a file in the worker; resolves with what it landed and quarantined. */
  run(job: RangeJob, onProgress: (bytes: number, rows: number) => void): Promise<RangeResult> {
    return new Promise((resolve, reject) => {
      if (this.bootFailure) {
        reject(this.bootFailure);
        return;
      }
      this.worker.on('message', (m: WorkerMessage) => {
        if (m.progress) onProgress(m.progress.bytes, m.progress.rows);
        if (m.result) resolve(m.result);
      });
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => {
        if (code !== 0) reject(new Error(`ingest worker for ${job.file} exited with code ${code}`));
      });
      this.worker.postMessage({ job });
    });
  }

  /** Stops the thread: unused (the file was not split after all), or done. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Worker-thread entry: ingests one byte range of a large export into a local lake (see ingest.ts and
 * range-worker.ts). It boots ahead of its job, which arrives as the first message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LocalLake } from '../lake/local.ts';
import { ingestRange, type RangeJob } from './ingest-range.ts';

const { lakeRoot } = workerData as { lakeRoot: string };
parentPort?.once('message', async ({ job }: { job: RangeJob }) => {
  const result = await ingestRange(job, new LocalLake(lakeRoot), (bytes, rows) =>
    parentPort?.postMessage({ progress: { bytes, rows } }),
  );
  parentPort?.postMessage({ result });
});

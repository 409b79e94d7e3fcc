/** Worker-thread entry: ingests one byte range of a large export into a local lake (see ingest.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { LocalLake } from '../lake/local.ts';
import { ingestRange, type RangeJob } from './ingest-range.ts';

const { job, lakeRoot } = workerData as { job: RangeJob; lakeRoot: string };
const result = await ingestRange(job, new LocalLake(lakeRoot), (bytes, rows) =>
  parentPort?.postMessage({ progress: { bytes, rows } }),
);
parentPort?.postMessage({ result });

/**
 * Ingest in AWS: an SQS batch of S3 "object created" notifications for raw/ keys. Each object is
 * downloaded to local storage and ingested; an object already ingested is skipped (the batch id is
 * its content hash). A file that cannot be read at all is quarantined and not retried; any other
 * failure reports just its message as failed, so SQS re-delivers it and not the whole batch.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Config } from '../config.ts';
import { UnreadableFileError } from '../errors.ts';
import type { Lake } from '../lake/lake.ts';
import { type IngestDeps, type IngestReport, ingestFile } from './ingest.ts';
import type { Log } from './log.ts';

export interface S3IngestDeps {
  s3: S3Client;
  bucket: string;
  lake: Lake;
  config: Config;
  log: Log;
  /** Told of stockout warnings raised by an inventory snapshot (publishes to SNS). */
  onStockout?: IngestDeps['onStockout'];
}

interface S3Notification {
  Event?: string;
  Records?: { eventTime?: string; s3?: { bucket?: { name?: string }; object?: { key?: string } } }[];
}

/** S3 event keys are URL-encoded with '+' for spaces. */
export const decodeS3Key = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

export async function ingestObject(
  deps: S3IngestDeps,
  key: string,
  eventTime: number,
): Promise<IngestReport> {
  const dir = await mkdtemp(join(tmpdir(), 'storepulse-'));
  const path = join(dir, basename(key));
  try {
    const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
    if (!object.Body) throw new Error(`s3://${deps.bucket}/${key} has no body`);
    await pipeline(object.Body as Readable, createWriteStream(path));
    const exportedAt = object.LastModified?.getTime() ?? eventTime;
    return await ingestFile(
      {
        lake: deps.lake,
        config: deps.config,
        log: deps.log,
        ...(deps.onStockout ? { onStockout: deps.onStockout } : {}),
      },
      { path, fileName: basename(key), exportedAt, rawKey: key },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function ingestSqsBatch(deps: S3IngestDeps, event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    try {
      const note = JSON.parse(message.body) as S3Notification;
      if (note.Event === 's3:TestEvent') continue;
      for (const r of note.Records ?? []) {
        const raw = r.s3?.object?.key;
        if (!raw) continue;
        const key = decodeS3Key(raw);
        if (!key.startsWith('raw/') || key.endsWith('/')) {
          deps.log.warn('ignored object outside raw/', { key });
          continue;
        }
        try {
          const report = await ingestObject(deps, key, Date.parse(r.eventTime ?? '') || Date.now());
          deps.log.info(report.status === 'skipped' ? 'already ingested' : 'ingested', {
            key,
            ...summary(report),
          });
        } catch (err) {
          if (!(err instanceof UnreadableFileError)) throw err;
          // Retrying cannot help: the file is kept in quarantine/ with the reason.
          deps.log.warn('file could not be read; quarantined', { key, reason: err.message });
        }
      }
    } catch (err) {
      deps.log.warn('message failed; SQS will deliver it again', {
        messageId: message.messageId,
        error: String(err),
      });
      failures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures: failures };
}

const summary = (r: IngestReport) => ({
  batchId: r.batchId,
  source: r.source,
  rowsLanded: r.rowsLanded,
  rowsQuarantined: r.rowsQuarantined,
  quarantineKey: r.quarantineKey,
});

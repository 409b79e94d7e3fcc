/**
 * Ingest in AWS: an SQS batch of S3 "object created" notifications for raw/ keys. Each object is
 * downloaded to local storage and ingested; an object already ingested is skipped (the batch id is
 * its content hash). A file that cannot be read at all is quarantined and not retried; any other
 * failure reports just its message as failed, so SQS re-delivers it and not the whole batch.
 *
 * The export time of the file's rows (which of two exports of an order is the newer) is the
 * object's user metadata `exported-at` when the uploader states it (`aws s3 cp --metadata
 * exported-at=2026-11-20T09:00:00+08:00`), else the upload time. A stated time that is not an
 * ISO-8601 time, or lies after the upload, quarantines the file whole with the reason: falling back
 * to the upload time would let an older export override newer statuses, and failing the message
 * would only retry what cannot change (an object's metadata is fixed; the fix is a new upload).
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
import { isBad, parseTimestamp } from '../formats/values.ts';
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

/** User metadata (`x-amz-meta-exported-at`) in which an uploader states when the export was made. */
export const EXPORTED_AT_METADATA = 'exported-at';

/** Clock skew allowed between the uploader's stated export time and S3's upload time. */
const SKEW_MS = 15 * 60_000;

/**
 * The export time an object's metadata states (epoch ms), or why it cannot be used. Without an
 * offset it is read in the shop time zone, like every timestamp without one.
 */
export function statedExportTime(
  value: string,
  timeZone: string,
  uploadedAt: number,
): { at: number } | { problem: string } {
  const example = 'ISO-8601, e.g. 2026-11-20T09:00:00+08:00';
  const at = parseTimestamp(value.trim(), timeZone);
  if (isBad(at)) {
    return { problem: `S3 metadata ${EXPORTED_AT_METADATA}="${value}" is not a time (${example})` };
  }
  if (at > uploadedAt + SKEW_MS) {
    return {
      problem:
        `S3 metadata ${EXPORTED_AT_METADATA}="${value}" is after the upload (${new Date(uploadedAt).toISOString()}); ` +
        `state when the export was made (${example})`,
    };
  }
  return { at };
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
    const uploadedAt = object.LastModified?.getTime() ?? eventTime;
    const stated = object.Metadata?.[EXPORTED_AT_METADATA];
    const time =
      stated === undefined ? { at: uploadedAt } : statedExportTime(stated, deps.config.timeZone, uploadedAt);
    return await ingestFile(
      {
        lake: deps.lake,
        config: deps.config,
        log: deps.log,
        ...(deps.onStockout ? { onStockout: deps.onStockout } : {}),
      },
      {
        path,
        fileName: basename(key),
        exportedAt: 'at' in time ? time.at : uploadedAt,
        rawKey: key,
        ...('problem' in time ? { rejectReason: time.problem } : {}),
      },
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
          if ((err as Error).name === 'NoSuchKey') {
            // Deleted between upload and delivery (S3 is strongly consistent): retrying cannot
            // bring it back, and the operator who removed it did not want it ingested.
            deps.log.warn('object no longer exists; not ingested', { key });
            continue;
          }
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

/**
 * A real S3 HTTP endpoint on loopback for the S3 code paths (s3rver), started and stopped by tests.
 * s3rver predates S3's conditional writes (August 2024); a middleware in front of it answers
 * `PutObject` with `If-None-Match: *` as S3 does: 412 PreconditionFailed when the key exists, 409
 * ConditionalRequestConflict while another conditional write of the key is in flight.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface LocalS3 {
  client: S3Client;
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/** An SDK client for s3rver on loopback; a session token, when given, names who is calling. */
export function loopbackS3Client(endpoint: string, sessionToken?: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      ...(sessionToken ? { sessionToken } : {}),
    },
    // s3rver predates the SDK's default CRC32 trailers on uploads.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function startS3(bucket = 'storepulse-lake'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'storepulse-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  (server as unknown as { middleware: Middleware[] }).middleware.unshift(
    conditionalWrites((bucket, key) =>
      (server as unknown as { store: Store }).store.existsObject(bucket, key),
    ),
  );
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = loopbackS3Client(endpoint);
  return {
    client,
    endpoint,
    bucket,
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

interface Store {
  existsObject(bucket: string, key: string): Promise<boolean>;
}

/** The part of a Koa context the middleware uses. */
interface Ctx {
  method: string;
  path: string;
  query: Record<string, unknown>;
  get(header: string): string;
  req: AsyncIterable<unknown>;
  status: number;
  type: string;
  body: unknown;
  set(header: string, value: string): void;
}
type Middleware = (ctx: Ctx, next: () => Promise<void>) => Promise<void>;

function s3Error(ctx: Ctx, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.set('x-amz-error-code', code);
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Condition>If-None-Match</Condition></Error>`;
}

/** `PutObject` with `If-None-Match: *`, as S3 answers it (path-style requests: `/<bucket>/<key>`). */
function conditionalWrites(exists: (bucket: string, key: string) => Promise<boolean>): Middleware {
  const inFlight = new Set<string>();
  return async (ctx, next) => {
    const slash = ctx.path.indexOf('/', 1);
    const conditional =
      ctx.method === 'PUT' &&
      ctx.get('if-none-match').trim() === '*' &&
      slash > 0 &&
      ctx.query.uploadId === undefined &&
      ctx.get('x-amz-copy-source') === '';
    if (!conditional) return next();
    const bucket = decodeURIComponent(ctx.path.slice(1, slash));
    const key = decodeURIComponent(ctx.path.slice(slash + 1));
    const id = `${bucket}/${key}`;
    const refuse = async (status: number, code: string, message: string) => {
      for await (const _ of ctx.req); // the body is read, so the connection stays usable
      s3Error(ctx, status, code, message);
    };
    if (inFlight.has(id)) {
      return refuse(
        409,
        'ConditionalRequestConflict',
        'A conflicting conditional operation is currently in progress against this resource. Please try again.',
      );
    }
    inFlight.add(id);
    try {
      if (await exists(bucket, key)) {
        return await refuse(
          412,
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
        );
      }
      await next();
    } finally {
      inFlight.delete(id);
    }
  };
}

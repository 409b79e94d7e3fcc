/**
 * The AWS endpoint the harness's Lambdas talk to: one HTTP server on loopback. S3 requests are served
 * by s3rver (a real S3 HTTP implementation); in front of it, every request signed by a function's
 * role is authorised against that role's policies (and the bucket policy) before s3rver sees it, and
 * counted. The same server answers the other services the functions call (SNS Publish, Athena,
 * SSM GetParameter), dispatched on the service named in the SigV4 credential scope.
 *
 * A function's credentials carry its role in the session token (AWS_SESSION_TOKEN), as a Lambda's
 * temporary credentials stand for its execution role. Requests without a session token are the
 * operator's (the harness dropping files, reading results) and are not checked.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { loopbackS3Client } from '../s3rver.ts';
import type { Principal } from './iam.ts';

/** The parts of Koa's context (s3rver is a Koa app) the gateway uses; Koa ships no types here. */
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  req: IncomingMessage;
  status: number;
  type: string;
  body: unknown;
  response: { length?: number };
  get(header: string): string;
  set(header: string, value: string): void;
}
type Next = () => Promise<void>;

/** The s3rver store calls the gateway makes (conditional writes, object sizes, listings). */
interface S3rverStore {
  existsObject(bucket: string, key: string): Promise<boolean>;
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
  listObjects(
    bucket: string,
    o: { prefix: string; startAfter: string; maxKeys: number; delimiter: string },
  ): Promise<{
    objects: { key: string; size: number; lastModifiedDate: Date; metadata: Record<string, string> }[];
    commonPrefixes: string[];
    isTruncated: boolean;
  }>;
}

export interface S3Counts {
  get: number;
  head: number;
  list: number;
  put: number;
  delete: number;
  bytesIn: number;
  bytesOut: number;
}

export const emptyCounts = (): S3Counts => ({
  get: 0,
  head: 0,
  list: 0,
  put: 0,
  delete: 0,
  bytesIn: 0,
  bytesOut: 0,
});

/** A JSON-protocol or query-protocol service answered by the gateway. */
export type ServiceHandler = (
  caller: Principal,
  request: { target: string; body: string; headers: IncomingMessage['headers'] },
) => Promise<{ status: number; body: string; contentType: string; headers?: Record<string, string> }>;

export interface GatewayOptions {
  bucket: string;
  /** Throws an error named AccessDenied when the caller may not. */
  authorize(
    principal: Principal,
    action: string,
    resource: string,
    context?: Record<string, string | string[]>,
  ): Promise<void>;
  /** Services other than S3, by SigV4 service name (sns, athena, ssm). */
  services: Record<string, ServiceHandler>;
  /** Told of every object created under the bucket (the S3 event notification source). */
  onObjectCreated?(key: string, size: number, eventName: string): void;
  onObjectRemoved?(key: string): void;
}

export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** Service name and session token of a SigV4-signed request (header or presigned query). */
function signature(ctx: KoaContext): { service: string | undefined; token: string | undefined } {
  const auth = ctx.get('authorization');
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1];
  const queryScope = String(ctx.query['X-Amz-Credential'] ?? '').split('/')[3];
  const token = ctx.get('x-amz-security-token') || String(ctx.query['X-Amz-Security-Token'] ?? '');
  return { service: scope ?? (queryScope || undefined), token: token || undefined };
}

/** Session-token prefix of the harness's own services (they authorise on their caller's behalf). */
const SERVICE_TOKEN = 'service:';

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );

/** The IAM action, resource and context of an S3 REST request (path style). Unknown shapes are refused. */
export function s3Access(
  method: string,
  bucket: string,
  key: string | undefined,
  query: Record<string, unknown>,
  headers: Record<string, string | string[] | undefined>,
): { action: string; resource: string; context?: Record<string, string> }[] {
  const objectArn = `arn:aws:s3:::${bucket}/${key}`;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (!key) {
    if (method === 'GET' && 'location' in query)
      return [{ action: 's3:GetBucketLocation', resource: bucketArn }];
    if ((method === 'GET' || method === 'HEAD') && Object.keys(query).every((q) => LIST_PARAMS.has(q))) {
      return [
        {
          action: 's3:ListBucket',
          resource: bucketArn,
          context: { 's3:prefix': String(query.prefix ?? '') },
        },
      ];
    }
    throw new ServiceError(
      'NotImplemented',
      `the harness does not serve ${method} on a bucket with ${Object.keys(query).join(',')}`,
      501,
    );
  }
  if (method === 'GET' || method === 'HEAD') {
    if (Object.keys(query).some((q) => !READ_PARAMS.has(q)))
      throw new ServiceError(
        'NotImplemented',
        `the harness does not serve GET ?${Object.keys(query).join('&')}`,
        501,
      );
    return [{ action: 's3:GetObject', resource: objectArn }];
  }
  if (method === 'PUT') {
    const copy = headers['x-amz-copy-source'];
    const out = [{ action: 's3:PutObject', resource: objectArn }];
    if (copy) {
      const source = decodeURIComponent(String(copy).replace(/^\//, ''));
      out.push({ action: 's3:GetObject', resource: `arn:aws:s3:::${source}` });
    }
    return out;
  }
  if (method === 'POST' && ('uploads' in query || 'uploadId' in query))
    return [{ action: 's3:PutObject', resource: objectArn }];
  if (method === 'DELETE' && 'uploadId' in query)
    return [{ action: 's3:AbortMultipartUpload', resource: objectArn }];
  if (method === 'DELETE') return [{ action: 's3:DeleteObject', resource: objectArn }];
  throw new ServiceError('NotImplemented', `the harness does not serve ${method} on an object`, 501);
}

const LIST_PARAMS = new Set([
  'list-type',
  'prefix',
  'continuation-token',
  'delimiter',
  'max-keys',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'x-id',
]);
const READ_PARAMS = new Set([
  'x-id',
  'partNumber',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
  'x-amz-checksum-mode',
  'response-content-disposition',
]);

export class Gateway {
  /** S3 requests per caller (role logical id, or 'operator'). */
  readonly s3Counts = new Map<string, S3Counts>();
  /** Every request the gateway refused, with the reason. */
  readonly denied: { caller: string; action: string; resource: string; message: string }[] = [];

  private constructor(
    readonly endpoint: string,
    readonly admin: S3Client,
    private readonly server: S3rver,
    private readonly directory: string,
  ) {}

  static async start(o: GatewayOptions): Promise<Gateway> {
    const directory = await mkdtemp(join(tmpdir(), 'storepulse-aws-home-s3-'));
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: o.bucket, configs: [] }],
      // Signatures are made with the functions' own keys; the gateway checks who signed instead.
      allowMismatchedSignatures: true,
    });
    let gateway: Gateway | undefined;
    const front = async (ctx: KoaContext, next: Next) => {
      const { service, token } = signature(ctx);
      // A service acting for a caller (Athena) checks the caller's rights itself; counted apart.
      const actingService = token?.startsWith(SERVICE_TOKEN) ? token.slice(SERVICE_TOKEN.length) : undefined;
      const caller: Principal | undefined = token && !actingService ? { role: token } : undefined;
      let proceed: ((next: Next) => Promise<void>) | undefined;
      try {
        if (service && service !== 's3') {
          const handler = o.services[service];
          if (!handler) throw new ServiceError('UnknownService', `the harness does not serve ${service}`);
          if (!caller) throw new ServiceError('MissingAuthenticationToken', `${service} needs a caller`, 403);
          const out = await handler(caller, {
            target: ctx.get('x-amz-target'),
            body: await readBody(ctx.req),
            headers: ctx.req.headers,
          });
          ctx.status = out.status;
          ctx.type = out.contentType;
          for (const [k, v] of Object.entries(out.headers ?? {})) ctx.set(k, v);
          ctx.body = out.body;
          return;
        }
        proceed = await gateway!.s3(ctx, caller, o, actingService);
      } catch (err) {
        const e = err as Error & { code?: string; status?: number };
        const code =
          e instanceof ServiceError ? e.code : e.name === 'AccessDenied' ? 'AccessDenied' : 'InternalError';
        const status = e instanceof ServiceError ? e.status : code === 'AccessDenied' ? 403 : 500;
        if (service && service !== 's3') {
          // JSON 1.1 and query protocol errors, as the SDK parses them.
          if (ctx.get('x-amz-target')) {
            ctx.status = status === 403 ? 400 : status;
            ctx.set('x-amzn-ErrorType', code === 'AccessDenied' ? 'AccessDeniedException' : code);
            ctx.type = 'application/x-amz-json-1.1';
            ctx.body = JSON.stringify({
              __type: code === 'AccessDenied' ? 'AccessDeniedException' : code,
              message: e.message,
            });
          } else {
            ctx.status = status;
            ctx.type = 'text/xml';
            ctx.body = `<ErrorResponse><Error><Type>Sender</Type><Code>${code === 'AccessDenied' ? 'AuthorizationError' : code}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
          }
          return;
        }
        ctx.status = status;
        ctx.type = 'application/xml';
        ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(e.message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
        return;
      }
      // ListObjectsV2 is answered here: s3rver's continuation tokens use DES, which OpenSSL 3 (every
      // current Node) refuses, so any listing of more than 1,000 keys failed with a 500.
      if (ctx.method === 'GET' && ctx.query['list-type'] === '2') return gateway!.listObjectsV2(ctx);
      // s3rver's own answers (NoSuchKey, ...) pass through untouched.
      await proceed(next);
    };
    // s3rver is a Koa app: the gateway's middleware goes first, before s3rver's own routes.
    (server as unknown as { middleware: unknown[] }).middleware.unshift(front);
    const address = (await server.run()) as AddressInfo;
    const endpoint = `http://127.0.0.1:${address.port}`;
    const admin = loopbackS3Client(endpoint);
    gateway = new Gateway(endpoint, admin, server, directory);
    return gateway;
  }

  /** An S3 client for a harness service (counted under its name, not checked: it checks its callers). */
  serviceClient(name: string): S3Client {
    return loopbackS3Client(this.endpoint, `${SERVICE_TOKEN}${name}`);
  }

  private get store(): S3rverStore {
    return (this.server as unknown as { store: S3rverStore }).store;
  }

  counts(caller: string): S3Counts {
    const c = this.s3Counts.get(caller) ?? emptyCounts();
    this.s3Counts.set(caller, c);
    return c;
  }

  /** Checks and counts an S3 request; returns how to pass it on to s3rver. */
  private async s3(
    ctx: KoaContext,
    caller: Principal | undefined,
    o: GatewayOptions,
    service?: string,
  ): Promise<(next: Next) => Promise<void>> {
    const [, bucket, ...rest] = ctx.path.split('/');
    const key = rest.length ? rest.map((p) => decodeURIComponent(p)).join('/') : undefined;
    const who = caller && 'role' in caller ? caller.role : (service ?? 'operator');
    const query = ctx.query as Record<string, unknown>;
    const method = ctx.method;
    if (caller) {
      if (bucket !== o.bucket)
        throw new ServiceError('NoSuchBucket', `bucket ${bucket} is not the lake`, 404);
      for (const a of s3Access(method, bucket!, key, query, ctx.headers)) {
        try {
          await o.authorize(caller, a.action, a.resource, a.context);
        } catch (err) {
          this.denied.push({
            caller: who,
            action: a.action,
            resource: a.resource,
            message: (err as Error).message,
          });
          throw err;
        }
      }
    }
    // A missing object answers 404 only to a caller who may list the bucket; to others S3 says 403,
    // so that keys cannot be probed.
    if (
      caller &&
      key &&
      (method === 'GET' || method === 'HEAD') &&
      !(await this.store.existsObject(bucket!, key))
    ) {
      try {
        await o.authorize(caller, 's3:ListBucket', `arn:aws:s3:::${bucket}`, { 's3:prefix': key });
      } catch (err) {
        this.denied.push({
          caller: who,
          action: 's3:ListBucket',
          resource: key,
          message: (err as Error).message,
        });
        throw err;
      }
    }
    // S3 has honoured If-None-Match: * on PutObject since August 2024; s3rver does not.
    if (method === 'PUT' && key && ctx.get('if-none-match') === '*') {
      if (await this.store.existsObject(bucket!, key)) {
        throw new ServiceError(
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          412,
        );
      }
    }
    const counts = this.counts(who);
    if (!key) counts.list++;
    else if (method === 'GET') counts.get++;
    else if (method === 'HEAD') counts.head++;
    else if (method === 'DELETE') counts.delete++;
    else counts.put++;
    counts.bytesIn += Number(ctx.get('content-length') || 0);
    return async (next) => {
      await next();
      if (key && method === 'GET' && ctx.status < 300) counts.bytesOut += Number(ctx.response.length ?? 0);
      if (!key || ctx.status >= 300) return;
      const completesObject =
        (method === 'PUT' && !('partNumber' in query)) || (method === 'POST' && 'uploadId' in query);
      if (completesObject) {
        const size = Number(
          (await this.store.getMetadata(bucket!, key).catch((): Record<string, unknown> => ({})))[
            'content-length'
          ] ?? 0,
        );
        o.onObjectCreated?.(
          key,
          size,
          method === 'POST'
            ? 'ObjectCreated:CompleteMultipartUpload'
            : ctx.get('x-amz-copy-source')
              ? 'ObjectCreated:Copy'
              : 'ObjectCreated:Put',
        );
      } else if (method === 'DELETE' && !('uploadId' in query)) o.onObjectRemoved?.(key);
    };
  }

  /** ListObjectsV2 as S3 answers it: at most 1,000 keys a page, opaque continuation tokens. */
  private async listObjectsV2(ctx: KoaContext): Promise<void> {
    const bucket = ctx.path.split('/')[1]!;
    const q = ctx.query as Record<string, string | undefined>;
    const prefix = q.prefix ?? '';
    const token = q['continuation-token'];
    const startAfter = token ? Buffer.from(token, 'base64url').toString('utf8') : (q['start-after'] ?? '');
    const maxKeys = Math.min(1000, Number(q['max-keys'] ?? 1000));
    const r = await this.store.listObjects(bucket, {
      prefix,
      startAfter,
      maxKeys,
      delimiter: q.delimiter ?? '',
    });
    const last = r.objects.at(-1)?.key;
    const tag = (name: string, value: string | number | undefined) =>
      value === undefined ? '' : `<${name}>${xmlEscape(String(value))}</${name}>`;
    ctx.status = 200;
    ctx.type = 'application/xml';
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      tag('Name', bucket) +
      tag('Prefix', prefix) +
      tag('KeyCount', r.objects.length) +
      tag('MaxKeys', maxKeys) +
      tag('Delimiter', q.delimiter) +
      tag('IsTruncated', String(r.isTruncated)) +
      tag('ContinuationToken', token) +
      tag(
        'NextContinuationToken',
        r.isTruncated && last ? Buffer.from(last).toString('base64url') : undefined,
      ) +
      tag('StartAfter', token ? undefined : q['start-after']) +
      r.objects
        .map(
          (o) =>
            `<Contents>${tag('Key', o.key)}${tag('LastModified', o.lastModifiedDate.toISOString())}${tag('ETag', o.metadata.etag)}${tag('Size', o.size)}<StorageClass>STANDARD</StorageClass></Contents>`,
        )
        .join('') +
      r.commonPrefixes.map((p) => `<CommonPrefixes>${tag('Prefix', p)}</CommonPrefixes>`).join('') +
      '</ListBucketResult>';
  }

  resetCounts(): void {
    this.s3Counts.clear();
    this.denied.length = 0;
  }

  async stop(): Promise<void> {
    this.admin.destroy();
    await this.server.close();
    await rm(this.directory, { recursive: true, force: true });
  }
}

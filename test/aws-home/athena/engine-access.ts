/**
 * The S3 and Glue calls the engine makes for a query, each authorized as the query's caller; a denial
 * fails the query with the words Athena uses for it. Every request is counted in the stand-in's figures.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ACCOUNT, PARTITION, REGION } from '../cfn.ts';
import {
  type AthenaStandInOptions,
  type AthenaStats,
  type AuthorizeContext,
  isAccessDenied,
  type Principal,
} from './api.ts';
import { QueryFailure } from './query-failure.ts';
import type { QueryRecord } from './query-record.ts';

/** Athena reaches S3 and Glue with the caller's credentials (forward access sessions), over TLS. */
const ENGINE_CONTEXT: AuthorizeContext = {
  'aws:SecureTransport': 'true',
  'aws:CalledVia': ['athena.amazonaws.com'],
  'aws:ViaAWSService': 'true',
};

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3(uri: string): S3Location | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

export function glueArn(resource: string): string {
  return `arn:${PARTITION}:glue:${REGION}:${ACCOUNT}:${resource}`;
}

export class EngineAccess {
  constructor(
    private readonly o: AthenaStandInOptions,
    private readonly stats: AthenaStats,
  ) {}

  /** Engine-side authorization: a denial fails the query with Athena's words for it. */
  async authorize(
    p: Principal,
    action: string,
    resource: string,
    reason: (message: string) => string,
    context: AuthorizeContext = {},
  ): Promise<void> {
    try {
      await this.o.authorize(p, action, resource, { ...ENGINE_CONTEXT, ...context });
    } catch (e) {
      if (isAccessDenied(e)) throw new QueryFailure(reason(e.message));
      throw e;
    }
  }

  async glueAuthorize(r: QueryRecord, action: string, resources: string[]): Promise<void> {
    for (const resource of resources)
      await this.authorize(
        r.principal,
        action,
        resource,
        (m) =>
          `Insufficient permissions to execute the query. ${m} (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException)`,
      );
  }

  /** Lists every object under a prefix as the caller (s3:ListBucket with s3:prefix). */
  async listAll(
    p: Principal,
    bucket: string,
    prefix: string,
    denied: (m: string) => string,
    maxKeys?: number,
    counted = true,
  ): Promise<{ key: string; size: number; etag: string }[]> {
    await this.authorize(p, 's3:ListBucket', `arn:${PARTITION}:s3:::${bucket}`, denied, {
      's3:prefix': prefix,
    });
    const out: { key: string; size: number; etag: string }[] = [];
    let token: string | undefined;
    do {
      const page = await this.o.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ContinuationToken: token,
          ...(maxKeys ? { MaxKeys: maxKeys } : {}),
        }),
      );
      if (counted) this.stats.listRequests++;
      for (const o of page.Contents ?? [])
        out.push({ key: o.Key!, size: Number(o.Size ?? 0), etag: String(o.ETag ?? '') });
      token = maxKeys ? undefined : page.NextContinuationToken;
    } while (token);
    return out;
  }
}

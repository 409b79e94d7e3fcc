/**
 * The lake as an S3 bucket (and optional key prefix). Every S3 PUT is atomic: readers see the old
 * object or the new one. Large files go up as streaming multipart uploads.
 */
import { createReadStream } from 'node:fs';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { LakeError } from '../errors.ts';
import type { Lake } from './lake.ts';

const isMissing = (err: unknown): boolean =>
  err instanceof S3ServiceException &&
  (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404);

export class S3Lake implements Lake {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    prefix = '',
  ) {
    this.prefix = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
    this.location = `s3://${bucket}/${this.prefix}`;
  }

  private key(key: string): string {
    if (key.startsWith('/') || key.split('/').includes('..'))
      throw new LakeError(key, 'not a valid lake key');
    return this.prefix + key;
  }

  private async call<T>(key: string, what: string, run: () => Promise<T>): Promise<T> {
    this.key(key); // validates before any request
    try {
      return await run();
    } catch (cause) {
      throw new LakeError(key, `${what} failed on ${this.location}`, { cause });
    }
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.call(key, 'write', () =>
      this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: body })),
    );
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    // IfNoneMatch makes the create atomic on S3; the existence check serves stores that ignore it.
    for (let attempt = 1; ; attempt++) {
      if (await this.exists(key)) return false;
      try {
        await this.s3.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: body, IfNoneMatch: '*' }),
        );
        return true;
      } catch (cause) {
        const status = cause instanceof S3ServiceException ? cause.$metadata.httpStatusCode : undefined;
        if (status === 412) return false;
        // 409 ConditionalRequestConflict: another conditional write to the key is in flight; S3
        // asks the caller to retry, and the retry then sees whether that write created the key.
        if (status === 409 && attempt < 6) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        throw new LakeError(key, `conditional write failed on ${this.location}`, { cause });
      }
    }
  }

  async putFile(key: string, path: string): Promise<void> {
    await this.call(key, `upload of ${path}`, () =>
      new Upload({
        client: this.s3,
        params: { Bucket: this.bucket, Key: this.key(key), Body: createReadStream(path) },
        partSize: 16 * 1024 * 1024,
        queueSize: 4,
      }).done(),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
    } catch (cause) {
      if (isMissing(cause)) return undefined;
      throw new LakeError(key, `read failed on ${this.location}`, { cause });
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return true;
    } catch (cause) {
      if (isMissing(cause)) return false;
      throw new LakeError(key, `check failed on ${this.location}`, { cause });
    }
  }

  async modifiedAt(key: string): Promise<number> {
    const r = await this.call(key, 'check', () =>
      this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) })),
    );
    return r.LastModified?.getTime() ?? Date.now();
  }

  async list(prefix: string): Promise<string[]> {
    return [...(await this.sizes(prefix)).keys()];
  }

  async sizes(prefix: string): Promise<Map<string, number>> {
    const keys: [string, number][] = [];
    let token: string | undefined;
    do {
      const page = await this.call(prefix, 'list', () =>
        this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.key(prefix),
            ContinuationToken: token,
          }),
        ),
      );
      for (const o of page.Contents ?? [])
        if (o.Key) keys.push([o.Key.slice(this.prefix.length), o.Size ?? 0]);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return new Map(keys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  }

  async delete(key: string): Promise<void> {
    await this.call(key, 'delete', () =>
      this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) })),
    );
  }

  uri(keyOrPattern: string): string {
    return `s3://${this.bucket}/${this.prefix}${keyOrPattern}`;
  }
}

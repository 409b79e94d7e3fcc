/**
 * S3Lake.putIfAbsent against S3's answers to a conditional write: 412 (the key exists: not created)
 * and 409 ConditionalRequestConflict (another conditional write to the key is in flight: S3 asks
 * for a retry, which then sees whether that write created the key).
 */
import { HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { S3Lake } from '../../shared/lake/s3.ts';

const s3Error = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status } });

describe('S3Lake.putIfAbsent', () => {
  it('retries a 409 conflict and creates the key when the other write did not', async () => {
    const s3 = mockClient(S3Client);
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    s3.on(PutObjectCommand).rejectsOnce(s3Error('ConditionalRequestConflict', 409)).resolves({});
    expect(await new S3Lake(new S3Client({}), 'lake').putIfAbsent('k', 'v')).toBe(true);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.IfNoneMatch).toBe('*');
  });

  it('answers false after a 409 when the retry finds the other write created the key, and on 412', async () => {
    const s3 = mockClient(S3Client);
    s3.on(HeadObjectCommand).rejectsOnce(s3Error('NotFound', 404)).resolves({});
    s3.on(PutObjectCommand).rejects(s3Error('ConditionalRequestConflict', 409));
    expect(await new S3Lake(new S3Client({}), 'lake').putIfAbsent('k', 'v')).toBe(false);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);

    s3.reset();
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    expect(await new S3Lake(new S3Client({}), 'lake').putIfAbsent('k', 'v')).toBe(false);
  });
});

import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { withIdKeyFromSsm } from '../../functions/runtime.ts';
import { loadLambdaEnv } from '../../shared/aws/lambda-env.ts';

const base = () => loadLambdaEnv({ LAKE_BUCKET: 'lake' });

describe('the ingest Lambda reads its id key from SSM once', () => {
  it('uses the decrypted SecureString when the parameter is named', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand, { Name: '/storepulse/id-key', WithDecryption: true }).resolves({
      Parameter: { Value: 'a-long-enough-secret-key' },
    });
    const env = await withIdKeyFromSsm(
      base(),
      { STOREPULSE_ID_KEY_PARAMETER: '/storepulse/id-key' },
      new SSMClient({}),
    );
    expect(env.config.idKey).toBe('a-long-enough-secret-key');
    expect(ssm.calls()).toHaveLength(1);
    ssm.restore();
  });

  it('keeps the lake key without a parameter, and fails fast on a short or unreadable one', async () => {
    expect((await withIdKeyFromSsm(base(), {})).config.idKey).toBeUndefined();
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'short' } });
    await expect(
      withIdKeyFromSsm(base(), { STOREPULSE_ID_KEY_PARAMETER: 'k' }, new SSMClient({})),
    ).rejects.toThrow(/at least 16 characters/);
    ssm.on(GetParameterCommand).rejects(new Error('AccessDenied'));
    await expect(
      withIdKeyFromSsm(base(), { STOREPULSE_ID_KEY_PARAMETER: 'k' }, new SSMClient({})),
    ).rejects.toThrow(/cannot read the id key from SSM parameter k/);
    ssm.restore();
  });
});

describe('the report link in notifications', () => {
  it('is a presigned GET of the report key, valid without credentials', async () => {
    const { S3Client } = await import('@aws-sdk/client-s3');
    const { presignedUrl } = await import('../../functions/runtime.ts');
    const client = new S3Client({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const url = new URL(await presignedUrl(client, 'shop-lake', 'reports/dt=2026-11-23/index.html', 3600));
    expect(url.hostname).toBe('shop-lake.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/reports/dt%3D2026-11-23/index.html');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});

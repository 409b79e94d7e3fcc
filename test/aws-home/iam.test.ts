/**
 * The IAM model against the real synthesized template: what the deployed roles, bucket, queue, topic
 * and key policies allow, including what they do not allow today.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import type { TableSpec } from '../../shared/schemas/table.ts';
import { STAGES } from '../../shared/stages/registry.ts';
import { ACCOUNT, REGION, type ResolvedTemplate, synthDeployedShape } from './cfn.ts';
import { AccessDeniedError, IamModel, IamModelError, SNS_MANAGED_KEY_ARN } from './iam.ts';

let t: ResolvedTemplate;
let iam: IamModel;

/** The one resource of a type whose logical id starts with a construct path (hash suffixes vary). */
function only(type: string, prefix: string): string {
  const ids = t.ofType(type).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`${ids.length} ${type} resources start with ${prefix}`);
  return ids[0]!;
}

let bucket: string; // lake bucket ARN
let ingestRole: string;
let modelsRole: string;

beforeAll(async () => {
  t = await synthDeployedShape();
  iam = new IamModel(t);
  bucket = t.att(only('AWS::S3::Bucket', 'StorageLake'), 'Arn');
  ingestRole = iam.roleOf(only('AWS::Lambda::Function', 'IngestFunction'));
  // The RFM stage's function: it queries the committed order lines through Athena.
  modelsRole = iam.roleOf(only('AWS::Lambda::Function', 'DailyRunStagesrfmFunction'));
}, 120_000);

describe('identity policies of the function roles', () => {
  it('the ingest role may write curated partitions but not reports', async () => {
    const put = (key: string) =>
      iam.evaluate({ principal: { role: ingestRole }, action: 's3:PutObject', resource: `${bucket}/${key}` });
    const curated = await put('curated/order_lines/x.parquet');
    expect(curated).toMatchObject({ allowed: true, result: 'Allowed' });
    expect(curated.reason).toMatch(/^allowed by identity policy IngestFunctionServiceRoleDefaultPolicy/);
    const reports = await put('reports/x');
    expect(reports).toMatchObject({ allowed: false, result: 'ImplicitlyDenied' });
  });

  it('a model stage role may read curated/ (the grant missing at 4f18cd5) but not restricted/ contacts', async () => {
    // At 4f18cd5 the models function's role could read models/, alerts/ and athena/ only, though the
    // function reads curated order lines; 6409f49 granted curated/. Now each stage has its own role
    // (RFM's here), and reads no model table it does not declare. Restricted contacts stay out.
    const read = (key: string) =>
      iam.evaluate({ principal: { role: modelsRole }, action: 's3:GetObject', resource: `${bucket}/${key}` });
    expect((await read('curated/order_lines/dt=2026-11-23/part-0.parquet')).allowed).toBe(true);
    expect((await read('models/clv/dt=2026-11-23/part-0.parquet')).allowed).toBe(false);
    expect((await read('restricted/contacts/part-0.parquet')).allowed).toBe(false);
  });

  it('attaches the AWS managed AWSLambdaBasicExecutionRole (logs) and nothing the role was not given', async () => {
    const stream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/x:log-stream:s`;
    const logs = await iam.evaluate({
      principal: { role: ingestRole },
      action: 'logs:PutLogEvents',
      resource: stream,
    });
    expect(logs.allowed).toBe(true);
    expect(logs.reason).toContain('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole');
    const glue = await iam.evaluate({
      principal: { role: ingestRole },
      action: 'glue:GetTable',
      resource: `arn:aws:glue:${REGION}:${ACCOUNT}:table/storepulse/order_lines`,
    });
    expect(glue.allowed).toBe(false);
  });

  it('the state machine role may invoke the models function but not the ingest function', async () => {
    const role = iam.roleOf(only('AWS::StepFunctions::StateMachine', 'DailyRunStateMachine'));
    const invoke = (fn: string) =>
      iam.evaluate({ principal: { role }, action: 'lambda:InvokeFunction', resource: t.att(fn, 'Arn') });
    expect((await invoke(only('AWS::Lambda::Function', 'DailyRunModelsFunction'))).allowed).toBe(true);
    expect((await invoke(only('AWS::Lambda::Function', 'IngestFunction'))).allowed).toBe(false);
  });

  it('the schedule role may start the daily run', async () => {
    const role = iam.roleOf(only('AWS::Scheduler::Schedule', 'DailyRunSchedule'));
    expect(iam.roleArn(role)).toBe(`arn:aws:iam::${ACCOUNT}:role/${t.ref(role)}`);
    const machine = t.ref(only('AWS::StepFunctions::StateMachine', 'DailyRunStateMachine'));
    const start = await iam.evaluate({
      principal: { role },
      action: 'states:StartExecution',
      resource: machine,
    });
    expect(start.allowed).toBe(true);
    const asIngest = await iam.evaluate({
      principal: { role: ingestRole },
      action: 'states:StartExecution',
      resource: machine,
    });
    expect(asIngest.allowed).toBe(false);
  });
});

describe('resource policies', () => {
  it('the lake bucket policy denies a request without TLS even where the role allows it', async () => {
    const req = {
      principal: { role: ingestRole },
      action: 's3:PutObject',
      resource: `${bucket}/curated/order_lines/x.parquet`,
    };
    expect((await iam.evaluate(req)).allowed).toBe(true);
    const plain = await iam.evaluate({ ...req, context: { 'aws:SecureTransport': 'false' } });
    expect(plain.result).toBe('ExplicitlyDenied');
    expect(plain.reason).toMatch(/^explicitly denied by resource policy StorageLakePolicy/);
    await expect(iam.authorize({ ...req, context: { 'aws:SecureTransport': 'false' } })).rejects.toThrow(
      /with an explicit deny in a resource-based policy$/,
    );
  });

  it('S3 may send to the drops queue for the lake bucket only', async () => {
    const queue = t.ref(only('AWS::SQS::Queue', 'IngestDrops')); // the queue URL, resolved to its ARN
    const send = (sourceArn: string) =>
      iam.evaluate({
        principal: { service: 's3.amazonaws.com', sourceArn },
        action: 'sqs:SendMessage',
        resource: queue,
      });
    const fromLake = await send(bucket);
    expect(fromLake).toMatchObject({
      allowed: true,
      resourceArn: t.att(only('AWS::SQS::Queue', 'IngestDrops'), 'Arn'),
    });
    expect(fromLake.reason).toMatch(/^allowed by resource policy IngestDropsPolicy/);
    expect((await send('arn:aws:s3:::someone-elses-bucket')).allowed).toBe(false);
    // The dead-letter queue's policy only denies: nothing lets S3 send there.
    const dlq = t.ref(only('AWS::SQS::Queue', 'IngestDeadLetters'));
    const toDlq = await iam.evaluate({
      principal: { service: 's3.amazonaws.com', sourceArn: bucket },
      action: 'sqs:SendMessage',
      resource: dlq,
    });
    expect(toDlq.allowed).toBe(false);
  });

  it('alias/aws/sns: CloudWatch may not use the key; a role may only through SNS', async () => {
    // The stack's topics no longer use this key (6409f49); the model keeps it as AWS defines it.
    const alarm = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:dead-letters`;
    const viaSns = { 'kms:ViaService': `sns.${REGION}.amazonaws.com` };
    const cloudwatch = await iam.evaluate({
      principal: { service: 'cloudwatch.amazonaws.com', sourceArn: alarm },
      action: 'kms:GenerateDataKey',
      resource: 'alias/aws/sns',
      context: viaSns,
    });
    expect(cloudwatch).toMatchObject({ allowed: false, resourceArn: SNS_MANAGED_KEY_ARN });
    const role = { role: ingestRole };
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/sns`;
    const viaSnsByRole = await iam.evaluate({
      principal: role,
      action: 'kms:GenerateDataKey',
      resource: key,
      context: viaSns,
    });
    expect(viaSnsByRole.allowed).toBe(true);
    const direct = await iam.evaluate({ principal: role, action: 'kms:GenerateDataKey', resource: key });
    expect(direct.allowed).toBe(false);
    expect(direct.message).toMatch(/because no resource-based policy allows the kms:GenerateDataKey action$/);
  });

  it("the topic key and the failure topic take this account's alarms only", async () => {
    const key = String(
      t.resources[only('AWS::SNS::Topic', 'AlertsPipelineFailure')]!.Properties.KmsMasterKeyId,
    );
    const topic = t.ref(only('AWS::SNS::Topic', 'AlertsPipelineFailure'));
    const alarm = (account: string) => `arn:aws:cloudwatch:${REGION}:${account}:alarm:dead-letters`;
    const asAlarm = (account: string, action: string, resource: string) =>
      iam.evaluate({
        principal: { service: 'cloudwatch.amazonaws.com', sourceArn: alarm(account) },
        action,
        resource,
      });
    expect((await asAlarm(ACCOUNT, 'kms:GenerateDataKey', key)).reason).toMatch(
      /^allowed by resource policy AlertsTopicKey/,
    );
    expect((await asAlarm(ACCOUNT, 'sns:Publish', topic)).allowed).toBe(true);
    expect((await asAlarm('210987654321', 'kms:GenerateDataKey', key)).allowed).toBe(false);
    expect((await asAlarm('210987654321', 'sns:Publish', topic)).allowed).toBe(false);
    // The stockout topic's policy has no statement for alarms.
    expect(
      (await asAlarm(ACCOUNT, 'sns:Publish', t.ref(only('AWS::SNS::Topic', 'AlertsStockout')))).allowed,
    ).toBe(false);
  });

  it("the state machine may publish to the failure topic and use its key (CDK's SnsPublish task grants no key)", async () => {
    // SNS encrypts with the publisher's credentials, so a publisher to a topic under a customer key
    // needs kms:GenerateDataKey* on it. CDK's SnsPublish task grants sns:Publish only
    // (https://github.com/aws/aws-cdk/issues/32303) and the key policy leaves the rest to IAM: until
    // the daily-run construct granted it, the failure notification itself would have failed.
    const failure = only('AWS::SNS::Topic', 'AlertsPipelineFailure');
    const key = String(t.resources[failure]!.Properties.KmsMasterKeyId);
    const viaSns = { 'kms:ViaService': `sns.${REGION}.amazonaws.com` };
    const machine = { role: iam.roleOf(only('AWS::StepFunctions::StateMachine', 'DailyRunStateMachine')) };
    expect(
      (await iam.evaluate({ principal: machine, action: 'sns:Publish', resource: t.ref(failure) })).allowed,
    ).toBe(true);
    const encrypt = await iam.evaluate({
      principal: machine,
      action: 'kms:GenerateDataKey',
      resource: key,
      context: viaSns,
    });
    expect(encrypt.allowed, encrypt.reason).toBe(true);
    // The churn-recall function got the key with its topics' grantPublish: the same call is allowed.
    const recall = { role: iam.roleOf(only('AWS::Lambda::Function', 'DailyRunChurnRecallFunction')) };
    expect(
      (
        await iam.evaluate({
          principal: recall,
          action: 'kms:GenerateDataKey',
          resource: key,
          context: viaSns,
        })
      ).allowed,
    ).toBe(true);
  });
});

describe('the model stages’ roles, from their declarations', () => {
  it('each stage may write exactly the tables it declares, and read the partitions it declares', async () => {
    const written = [...new Set(STAGES.flatMap((s): readonly TableSpec[] => s.writes))];
    for (const stage of STAGES) {
      const role = iam.roleOf(
        only('AWS::Lambda::Function', `DailyRunStages${stage.name.replaceAll('_', '')}Function`),
      );
      const can = async (action: string, key: string) =>
        (await iam.evaluate({ principal: { role }, action, resource: `${bucket}/${key}` })).allowed;
      for (const table of written) {
        const key = `${table.zone}/${table.name}/dt=2026-11-23/part-0000.parquet`;
        expect(await can('s3:PutObject', key), `${stage.name} writing ${table.name}`).toBe(
          (stage.writes as readonly TableSpec[]).includes(table),
        );
      }
      for (const read of stage.reads) {
        const key = `${read.table.zone}/${read.table.name}/dt=2026-11-22/part-0000.parquet`;
        expect(await can('s3:GetObject', key), `${stage.name} reading ${read.table.name}`).toBe(true);
      }
      expect(await can('s3:GetObject', 'restricted/contacts/source=shopify/x.parquet')).toBe(false);
      expect(await can('s3:PutObject', 'curated/order_lines/source=shopify/dt=2026-11-23/x.parquet')).toBe(
        false,
      );
    }
  });
});

describe('authorize', () => {
  it('throws AccessDenied with AWS wording and records every decision', async () => {
    const before = iam.decisions.length;
    const req = {
      principal: { role: modelsRole, session: 'Storepulse-DailyRunModels' },
      action: 's3:GetObject',
      resource: `${bucket}/restricted/contacts/x.parquet`,
    };
    const err = await iam.authorize(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessDeniedError);
    expect((err as AccessDeniedError).name).toBe('AccessDenied');
    expect((err as AccessDeniedError).request).toBe(req);
    expect((err as Error).message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/${t.ref(modelsRole)}/Storepulse-DailyRunModels is not authorized to perform: s3:GetObject on resource: ${bucket}/restricted/contacts/x.parquet because no identity-based policy allows the s3:GetObject action`,
    );
    await iam.authorize({ ...req, resource: `${bucket}/curated/order_lines/x.parquet` });
    expect(iam.decisions.slice(before).map((d) => d.decision.allowed)).toEqual([false, true]);
  });

  it('passes s3:prefix for ListBucket, and refuses a key the action does not know', async () => {
    const list = (role: string) =>
      iam.evaluate({
        principal: { role },
        action: 's3:ListBucket',
        resource: bucket,
        context: { 's3:prefix': 'raw/' },
      });
    expect((await list(ingestRole)).allowed).toBe(true);
    expect((await list(iam.roleOf(only('AWS::Scheduler::Schedule', 'DailyRunSchedule')))).allowed).toBe(
      false,
    );
    await expect(
      iam.evaluate({
        principal: { role: ingestRole },
        action: 's3:GetObject',
        resource: `${bucket}/raw/x`,
        context: { 's3:prefix': 'raw/' },
      }),
    ).rejects.toThrow(/s3:prefix do not apply/);
  });
});

describe('what the model refuses to decide', () => {
  it('an action on the wrong resource type is an error, not a decision', async () => {
    await expect(
      iam.evaluate({ principal: { role: ingestRole }, action: 's3:GetObject', resource: bucket }),
    ).rejects.toThrow(IamModelError);
    await expect(
      iam.evaluate({ principal: { role: ingestRole }, action: 's3:Frobnicate', resource: `${bucket}/x` }),
    ).rejects.toThrow(/invalid\.action/);
  });

  it('an unknown managed policy ARN throws when the model is built', () => {
    const role = t.resources[ingestRole]!;
    const arn = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    const changed: ResolvedTemplate = {
      ...t,
      resources: {
        ...t.resources,
        [ingestRole]: { ...role, Properties: { ...role.Properties, ManagedPolicyArns: [arn] } },
      },
    };
    expect(() => new IamModel(changed)).toThrow(/AmazonS3ReadOnlyAccess is not known/);
  });

  it('the caller may not claim a principal key, and unknown roles and keys are errors', async () => {
    await expect(
      iam.evaluate({
        principal: { role: ingestRole },
        action: 's3:GetObject',
        resource: `${bucket}/raw/x`,
        context: { 'aws:PrincipalArn': iam.roleArn(modelsRole) },
      }),
    ).rejects.toThrow(/aws:PrincipalArn is arn:aws:iam::.* for this principal/);
    // A service is no caller of this account: kms:CallerAccount would open alias/aws/sns to it.
    await expect(
      iam.evaluate({
        principal: { service: 'cloudwatch.amazonaws.com' },
        action: 'kms:GenerateDataKey',
        resource: 'alias/aws/sns',
        context: { 'kms:CallerAccount': ACCOUNT },
      }),
    ).rejects.toThrow(/kms:CallerAccount is not set for this principal/);
    expect(() => iam.roleArn('NoSuchRole')).toThrow(IamModelError);
    await expect(
      iam.evaluate({
        principal: { role: ingestRole },
        action: 'kms:Decrypt',
        resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/nope`,
      }),
    ).rejects.toThrow(/not in the template/);
  });
});

/**
 * The AWS home, deployed on this machine: everything comes from the synthesized template (see
 * cfn.ts) and runs with real parts where they exist — S3 is s3rver behind an IAM-checking gateway,
 * the functions are their `cdk synth` bundles, the daily run is the state machine's definition in an
 * ASL interpreter, Athena is a DuckDB stand-in that reads what Athena would read. Every call a
 * function or a service makes on someone's behalf is evaluated against the template's policies with
 * an IAM policy simulator, and refused as AWS would refuse it.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { StorepulseSettings } from '../../infra/stack.ts';
import { S3Lake } from '../../shared/lake/s3.ts';
import { AthenaStandIn, type AthenaStats } from './athena.ts';
import { ACCOUNT, REGION, type ResolvedTemplate, synthDeployedShape, TemplateError } from './cfn.ts';
import { emptyCounts, Gateway, type S3Counts, ServiceError, type ServiceHandler } from './gateway.ts';
import { IamModel, type Principal } from './iam.ts';
import { functionSpecs, type InvokeResult, LambdaService } from './lambda.ts';
import { Alarms, Sns } from './notifications.ts';
import { bucketNotifications, eventSourceMappings, S3Notifier, Sqs, SqsPoller } from './queues.ts';
import { type ExecutionResult, StepFunctions } from './step-functions.ts';

export interface AwsHomeOptions {
  /** A template synthesized earlier (synthesis with bundling takes seconds); default: synthesize now. */
  template?: ResolvedTemplate;
  settings?: Partial<StorepulseSettings>;
  /** SSM parameters that exist in the account (name -> value). */
  ssmParameters?: Record<string, string>;
  /** The functions' POWERTOOLS_LOG_LEVEL (default WARN, or STOREPULSE_AWS_HOME_LOG_LEVEL). */
  logLevel?: string;
}

/** What one daily run (or delivery) cost, as the harness counted it. */
export interface RunFigures {
  /** S3 requests each role made itself (function and state machine roles, by logical id). */
  s3: Record<string, S3Counts>;
  /** All S3 requests of the run: the roles' own and those Athena made on their behalf. */
  s3Total: S3Counts;
  athena: Pick<AthenaStats, 'queries' | 'objectsRead' | 'bytesRead' | 'listRequests' | 'getRequests'>;
  objectsWritten: number;
}

export class AwsHome {
  readonly lake: S3Lake;
  /** The queues the functions' event source mappings read. */
  readonly dropQueues: string[];
  private readonly pendingNotifications: Promise<void>[] = [];
  private readonly notificationErrors: Error[] = [];

  private constructor(
    readonly template: ResolvedTemplate,
    readonly iam: IamModel,
    readonly gateway: Gateway,
    readonly bucket: string,
    readonly lambda: LambdaService,
    readonly sqs: Sqs,
    readonly notifier: S3Notifier,
    readonly pollers: SqsPoller[],
    readonly sns: Sns,
    readonly alarms: Alarms,
    readonly athena: AthenaStandIn,
    readonly stateMachine: StepFunctions,
  ) {
    this.lake = new S3Lake(gateway.admin, bucket);
    this.dropQueues = eventSourceMappings(template).map((m) => m.queueArn);
  }

  static async start(o: AwsHomeOptions = {}): Promise<AwsHome> {
    const template = o.template ?? (await synthDeployedShape(o.settings ?? {}));
    const iam = new IamModel(template);
    const authorize = (
      principal: Principal,
      action: string,
      resource: string,
      context?: Record<string, string | string[]>,
    ) => iam.authorize({ principal, action, resource, ...(context ? { context } : {}) });
    const lakeId = template.ofType('AWS::S3::Bucket').find((id) => id.startsWith('StorageLake'));
    if (!lakeId) throw new TemplateError('no lake bucket in the template');
    const bucket = template.ref(lakeId);

    const sqs = new Sqs(template, authorize);
    const sns = new Sns(template, authorize);
    const notifier = new S3Notifier(sqs, bucket, bucketNotifications(template, bucket));
    let home: AwsHome | undefined;
    let athena: AthenaStandIn | undefined;
    const services: Record<string, ServiceHandler> = {
      sns: sns.handler(),
      athena: (caller, req) => athenaEndpoint(athena!, caller, req.target, req.body),
      ssm: (caller, req) => ssmEndpoint(o.ssmParameters ?? {}, authorize, caller, req.target, req.body),
    };
    const gateway = await Gateway.start({
      bucket,
      authorize,
      services,
      onObjectCreated: (key, size, eventName) => home?.notify(key, size, eventName),
    });
    athena = new AthenaStandIn({ template, s3: gateway.serviceClient('athena'), authorize });
    const lambda = new LambdaService({
      functions: functionSpecs(template, (id) => iam.roleOf(id)),
      runtimeEnvironment: (fn) => ({
        // The execution role's temporary credentials: the session token names the role.
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_SESSION_TOKEN: fn.role,
        AWS_ENDPOINT_URL: gateway.endpoint,
        // s3rver predates the SDK's default CRC32 checksums on uploads.
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
        POWERTOOLS_LOG_LEVEL: o.logLevel ?? process.env.STOREPULSE_AWS_HOME_LOG_LEVEL ?? 'WARN',
      }),
    });
    const pollers = eventSourceMappings(template).map(
      (m) =>
        new SqsPoller(sqs, m, iam.roleOf(lambda.spec(m.functionName).logicalId), authorize, (fn, e) =>
          lambda.invoke(fn, e),
        ),
    );
    const machines = template.ofType('AWS::StepFunctions::StateMachine');
    if (machines.length !== 1)
      throw new TemplateError(`expected one state machine, found ${machines.length}`);
    const stateMachine = new StepFunctions(template, machines[0]!, (id) => iam.roleOf(id), {
      lambda,
      sns,
      authorize,
      athenaRunToCompletion: (principal, input) => athena!.runToCompletion(principal, input as never),
    });
    const alarms = new Alarms(template, sqs, sns);
    home = new AwsHome(
      template,
      iam,
      gateway,
      bucket,
      lambda,
      sqs,
      notifier,
      pollers,
      sns,
      alarms,
      athena,
      stateMachine,
    );
    // Deploying the notification configuration: S3 validates the queue and sends its test event.
    await notifier.configure();
    return home;
  }

  private notify(key: string, size: number, eventName: string): void {
    this.pendingNotifications.push(
      this.notifier.objectCreated(key, size, eventName).catch((err: Error) => {
        this.notificationErrors.push(err);
      }),
    );
  }

  /** Uploads an export as a shop's operator would (`aws s3 cp`), with optional user metadata. */
  async drop(key: string, body: Uint8Array | string, metadata?: Record<string, string>): Promise<void> {
    await this.gateway.admin.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ...(metadata ? { Metadata: metadata } : {}),
      }),
    );
  }

  /** Lets the queue's poller work until the queue is empty, then evaluates the alarms. */
  async deliver(concurrency = 1): Promise<{ batches: number; failedMessages: number; deadLettered: number }> {
    await Promise.all(this.pendingNotifications.splice(0));
    const errors = this.notificationErrors.splice(0);
    if (errors.length)
      throw new AggregateError(errors, `S3 could not deliver ${errors.length} notification(s)`);
    const total = { batches: 0, failedMessages: 0, deadLettered: 0 };
    for (const p of this.pollers) {
      const s = await p.drain(concurrency);
      total.batches += s.batches;
      total.failedMessages += s.failedMessages;
      total.deadLettered += s.deadLettered;
    }
    await this.alarms.evaluate();
    return total;
  }

  /** The scheduler's start of the daily run at `scheduledTime` (its role and input from the template). */
  async scheduledRun(scheduledTime: string, name?: string): Promise<ExecutionResult> {
    const { id, target } = this.schedule(this.stateMachine.arn);
    await this.iam.authorize({
      principal: { role: this.iam.roleOf(id) },
      action: 'states:StartExecution',
      resource: this.stateMachine.arn,
    });
    const input = JSON.parse(target.Input.replaceAll('<aws.scheduler.scheduled-time>', scheduledTime));
    return this.stateMachine.run(input, name);
  }

  /** The schedule whose target is `arn` (the state machine, a function). */
  private schedule(arn: string): { id: string; target: { Arn: string; RoleArn: string; Input: string } } {
    for (const id of this.template.ofType('AWS::Scheduler::Schedule')) {
      const target = (
        this.template.resources[id]!.Properties as { Target: { Arn: string; RoleArn: string; Input: string } }
      ).Target;
      if (target.Arn === arn) return { id, target };
    }
    throw new TemplateError(`no schedule targets ${arn}`);
  }

  /** The scheduler invoking a function on its schedule, with the input and role the template gives. */
  async scheduledInvoke(functionArn: string): Promise<InvokeResult> {
    const { id, target } = this.schedule(functionArn);
    await this.iam.authorize({
      principal: { role: this.iam.roleOf(id) },
      action: 'lambda:InvokeFunction',
      resource: functionArn,
    });
    return this.lambda.invoke(functionArn, JSON.parse(target.Input));
  }

  /** An operator's StartExecution with an explicit as-of date (a re-run). */
  run(asOf: string, name?: string): Promise<ExecutionResult> {
    return this.stateMachine.run({ asOf }, name);
  }

  /** Starts counting afresh (S3 requests, Athena reads). */
  resetFigures(): void {
    this.gateway.resetCounts();
    this.athena.resetStats();
  }

  /**
   * What the run asked of S3 and Athena: per caller role, and in total what the account pays for
   * (the roles' own requests plus those Athena makes on their behalf). The operator's requests and
   * the harness's own transfers for the stand-in (it fetches each object version once) are left out.
   */
  figures(): RunFigures {
    const s3 = Object.fromEntries(
      [...this.gateway.s3Counts].filter(([who]) => who !== 'athena' && who !== 'operator'),
    );
    const s3Total = emptyCounts();
    for (const c of Object.values(s3))
      for (const k of Object.keys(s3Total) as (keyof S3Counts)[]) s3Total[k] += c[k];
    const a = this.athena.stats;
    s3Total.get += a.getRequests;
    s3Total.list += a.listRequests;
    s3Total.put += a.objectsWritten;
    s3Total.bytesOut += a.bytesRead;
    return {
      s3,
      s3Total,
      athena: {
        queries: a.queries,
        objectsRead: a.objectsRead,
        bytesRead: a.bytesRead,
        listRequests: a.listRequests,
        getRequests: a.getRequests,
      },
      objectsWritten: s3Total.put,
    };
  }

  /** Log lines of a function (its CloudWatch log group). */
  logs(functionLogicalIdPrefix: string): string[] {
    return [...this.lambda.logs.entries()]
      .filter(([id]) => id.startsWith(functionLogicalIdPrefix))
      .flatMap(([, lines]) => lines);
  }

  async stop(): Promise<void> {
    await this.lambda.stop();
    await this.athena.close();
    await this.gateway.stop();
  }
}

/** A JSON 1.1 response; timestamps as epoch seconds, as the protocol has them. */
const json = (body: unknown) => ({
  status: 200,
  contentType: 'application/x-amz-json-1.1',
  // The replacer sees a Date after its toJSON ran: look at the holder's own value instead.
  body: JSON.stringify(body, function (this: Record<string, unknown>, k, v) {
    const raw = this[k];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  }),
});

/** Athena's JSON 1.1 API over the stand-in. */
async function athenaEndpoint(athena: AthenaStandIn, caller: Principal, target: string, body: string) {
  const input = JSON.parse(body || '{}');
  switch (target) {
    case 'AmazonAthena.StartQueryExecution':
      return json(await athena.start(caller, input));
    case 'AmazonAthena.GetQueryExecution':
      return json(await athena.get(caller, input.QueryExecutionId));
    case 'AmazonAthena.GetQueryResults':
      return json(await athena.results(caller, input.QueryExecutionId, input.NextToken, input.MaxResults));
    default:
      throw new ServiceError('InvalidRequestException', `the harness's Athena does not serve ${target}`);
  }
}

/** SSM GetParameter over the parameters the account has. */
async function ssmEndpoint(
  parameters: Record<string, string>,
  authorize: (p: Principal, action: string, resource: string) => Promise<void>,
  caller: Principal,
  target: string,
  body: string,
) {
  if (target !== 'AmazonSSM.GetParameter')
    throw new ServiceError('InvalidAction', `the harness's SSM does not serve ${target}`);
  const { Name } = JSON.parse(body) as { Name: string };
  const arn = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${Name.replace(/^\//, '')}`;
  await authorize(caller, 'ssm:GetParameter', arn);
  const value = parameters[Name];
  if (value === undefined) throw new ServiceError('ParameterNotFound', `Parameter ${Name} not found.`);
  return json({ Parameter: { Name, Type: 'SecureString', Value: value, Version: 1, ARN: arn } });
}

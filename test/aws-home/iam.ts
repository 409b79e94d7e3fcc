/**
 * IAM as the deployed stack would meet it: every AWS call the harness serves is checked against the
 * policies in the resolved template (role policies, bucket/queue/topic/key policies) by
 * @cloud-copilot/iam-simulate, which implements AWS's evaluation logic (explicit deny wins; same
 * account: an identity or a resource policy allow suffices; service principals: only the resource
 * policy; KMS keys: the key policy must allow, or delegate to the account, before IAM counts).
 *
 * What the template does not say is stated here with its source: the documents of the AWS managed
 * policies the roles attach, and the key policy of the AWS managed key alias/aws/sns. Anything else
 * the model does not know (an unknown managed policy, queue URL, KMS key or alias, an action/resource
 * pair the simulator rejects) throws instead of deciding: a stand-in must never be looser than AWS.
 */
import {
  type EvaluationResult,
  getDenialReasons,
  getGrantReasons,
  type RequestAnalysis,
  runSimulation,
} from '@cloud-copilot/iam-simulate';
import { ACCOUNT, PARTITION, REGION, type ResolvedTemplate } from './cfn.ts';

/**
 * Who calls: a role by its logical id in the template (`session`: the role session name, a Lambda's is
 * its function name), or an AWS service acting for a resource (`sourceArn`, e.g. the bucket whose
 * notification S3 sends).
 */
export type Principal =
  | { role: string; session?: string }
  | { service: string; sourceArn?: string; sourceAccount?: string };

/** How the harness's services ask whether a principal may do something (throws AccessDenied). */
export type Authorize = (
  principal: Principal,
  action: string,
  resource: string,
  context?: Record<string, string | string[]>,
) => Promise<void>;

export interface AccessRequest {
  principal: Principal;
  action: string;
  /** An ARN; an SQS queue URL or a KMS alias (name or ARN) is accepted and turned into its ARN. */
  resource: string;
  context?: Record<string, string | string[]>;
}

export interface Decision {
  allowed: boolean;
  /** Which statement decided, or why the deny is implicit. */
  reason: string;
  result: EvaluationResult;
  /** The principal as the simulator saw it (assumed-role session ARN or service principal). */
  principalArn: string;
  /** The resource ARN evaluated (after queue URL / alias resolution). */
  resourceArn: string;
  /** For a denial: AWS's AccessDenied message for it. */
  message?: string;
}

export class AccessDeniedError extends Error {
  override name = 'AccessDenied';
  constructor(
    message: string,
    readonly request: AccessRequest,
    readonly decision: Decision,
  ) {
    super(message);
  }
}

/** The model cannot decide: unknown resource, invalid action/resource pair, invalid policy. */
export class IamModelError extends Error {
  override name = 'IamModelError';
}

type PolicyDocument = Record<string, unknown>;
interface NamedPolicy {
  name: string;
  policy: PolicyDocument;
}

/**
 * AWS managed policies attached by ARN, by their name after `:iam::aws:policy/`. Only documents known
 * verbatim are listed; any other ARN makes the constructor throw.
 * AWSLambdaBasicExecutionRole: the document AWS publishes (AWS Managed Policy Reference Guide,
 * "AWSLambdaBasicExecutionRole"), the same one `aws iam get-policy-version` returns.
 */
const AWS_MANAGED_POLICIES: Record<string, PolicyDocument> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
};

/**
 * The AWS managed key behind alias/aws/sns (what a topic gets with KmsMasterKeyId alias/aws/sns). AWS
 * makes up its key id per account; the harness gives it a fixed one.
 */
export const SNS_MANAGED_KEY_ARN = `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/aws-managed-alias-aws-sns`;

/**
 * Key policy of the AWS managed key alias/aws/sns, as the KMS console shows it and public templates
 * copy it statement for statement (the Sids below are AWS's). Principals of the account may use the
 * key only through SNS (kms:ViaService, kms:CallerAccount); the account root gets metadata access
 * only, so no IAM policy can grant kms:GenerateDataKey/Decrypt on it. AWS states the consequence:
 * "the default AWS KMS key policy for Amazon SNS doesn't allow CloudWatch alarms to perform
 * kms:Decrypt and kms:GenerateDataKey API calls"
 * (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns). One public copy (Id
 * "auto-sns-2", perhaps a newer version) has a third statement for the sns.amazonaws.com service
 * principal; it is left out: the harness never calls KMS as SNS itself, and leaving it out can only
 * be stricter.
 */
const SNS_MANAGED_KEY_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Allow access through SNS for all principals in the account that are authorized to use SNS',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:ListGrants', 'kms:DescribeKey'],
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': `sns.${REGION}.amazonaws.com` },
      },
    },
    {
      Sid: 'Allow direct access to key metadata to the account',
      Effect: 'Allow',
      Principal: { AWS: `arn:${PARTITION}:iam::${ACCOUNT}:root` },
      Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
      Resource: '*',
    },
  ],
};

/**
 * What KMS attaches to a key created without a KeyPolicy: the account may use IAM policies for every
 * operation (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:${PARTITION}:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

const kmsArn = (resource: string) => `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:${resource}`;
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export class IamModel {
  /** Every decision made so far, in order (for reports and tests). */
  readonly decisions: { req: AccessRequest; decision: Decision }[] = [];
  readonly #t: ResolvedTemplate;
  /** Role logical id -> its identity policies. */
  readonly #identity = new Map<string, NamedPolicy[]>();
  /** Bucket / queue / topic / key ARN -> its resource policy (named by the policy's logical id). */
  readonly #resourcePolicies = new Map<string, NamedPolicy>();
  /** KMS alias ARN -> key ARN. */
  readonly #aliases = new Map<string, string>([[kmsArn('alias/aws/sns'), SNS_MANAGED_KEY_ARN]]);
  /** KMS key ARNs that exist (a request on any other key is an error, as KMS would answer NotFound). */
  readonly #keys = new Set<string>([SNS_MANAGED_KEY_ARN]);
  /** Bucket ARNs whose RestrictPublicBuckets is on. */
  readonly #restrictPublic = new Set<string>();

  constructor(template: ResolvedTemplate) {
    this.#t = template;
    this.#gatherIdentityPolicies();
    this.#gatherResourcePolicies();
  }

  /** Role logical id of a Lambda function, state machine or schedule (its Role / RoleArn property). */
  roleOf(resourceLogicalId: string): string {
    const r = this.#t.resources[resourceLogicalId];
    if (!r) throw new IamModelError(`no resource ${resourceLogicalId} in the template`);
    const p = r.Properties;
    const arn =
      r.Type === 'AWS::Lambda::Function'
        ? p.Role
        : r.Type === 'AWS::StepFunctions::StateMachine'
          ? p.RoleArn
          : r.Type === 'AWS::Scheduler::Schedule'
            ? (p.Target as { RoleArn?: unknown } | undefined)?.RoleArn
            : undefined;
    if (typeof arn !== 'string') throw new IamModelError(`${resourceLogicalId} (${r.Type}) names no role`);
    const roleId = [...this.#identity.keys()].find((id) => this.#t.att(id, 'Arn') === arn);
    if (!roleId)
      throw new IamModelError(`${resourceLogicalId} uses role ${arn}, which is not in the template`);
    return roleId;
  }

  roleArn(roleLogicalId: string): string {
    this.#policiesOf(roleLogicalId);
    return this.#t.att(roleLogicalId, 'Arn');
  }

  async evaluate(req: AccessRequest): Promise<Decision> {
    // The template's policies do not change: the same request always gets the same decision, and
    // a daily run asks the same questions thousands of times (Athena reads every object per query).
    const memoKey = JSON.stringify([req.principal, req.action, req.resource, req.context ?? {}]);
    const known = this.#memo.get(memoKey);
    if (known) {
      this.decisions.push({ req, decision: known });
      return known;
    }
    const decision = await this.#simulate(req);
    this.#memo.set(memoKey, decision);
    return decision;
  }

  async #simulate(req: AccessRequest): Promise<Decision> {
    const resourceArn = this.#canonical(req.resource);
    const principal = this.#principal(req.principal, req.action);
    const resourcePolicy = this.#resourcePolicyOf(resourceArn);
    const context = this.#context(req, principal.context);
    const identityPolicies = 'role' in req.principal ? this.#policiesOf(req.principal.role) : [];
    const bucket = /^arn:[^:]+:s3:::([^/]+)/.exec(resourceArn)?.[1];

    const out = await runSimulation(
      {
        request: {
          principal: principal.arn,
          action: req.action,
          // Every resource of the stack lives in the stack's account (S3 ARNs carry none).
          resource: { resource: resourceArn, accountId: ACCOUNT },
          contextVariables: context,
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: resourcePolicy?.policy,
        additionalSettings: {
          s3: {
            blockPublicAccess:
              bucket !== undefined && this.#restrictPublic.has(`arn:${PARTITION}:s3:::${bucket}`),
          },
        },
      },
      { simulationMode: 'Strict' },
    );
    const what = `${req.action} on ${resourceArn} by ${principal.arn}`;
    if (out.resultType === 'error') {
      throw new IamModelError(`cannot evaluate ${what}: ${JSON.stringify(out.errors)}`);
    }
    // A request names one resource; a pattern would be evaluated per matching statement resource.
    if (out.resultType !== 'single')
      throw new IamModelError(`cannot evaluate ${what}: the resource is a pattern`);
    const ignored = (out.result.ignoredContextKeys ?? []).filter((k) => req.context?.[k] !== undefined);
    if (ignored.length > 0) {
      // A key the action does not know (a typo, s3:prefix on GetObject) would silently skip a Deny.
      throw new IamModelError(`cannot evaluate ${what}: context keys ${ignored.join(', ')} do not apply`);
    }

    const result = out.overallResult;
    const explained = this.#explain(out.result.analysis, req, resourceArn, resourcePolicy);
    const decision: Decision = {
      allowed: result === 'Allowed',
      result,
      reason: explained.reason,
      principalArn: principal.arn,
      resourceArn,
      ...(explained.because && {
        message: `User: ${principal.arn} is not authorized to perform: ${req.action} on resource: ${resourceArn} ${explained.because}`,
      }),
    };
    this.decisions.push({ req, decision });
    return decision;
  }

  readonly #memo = new Map<string, Decision>();

  /** Evaluates, records the decision, and throws AccessDeniedError (with AWS's wording) when denied. */
  async authorize(req: AccessRequest): Promise<void> {
    const d = await this.evaluate(req);
    if (!d.allowed) throw new AccessDeniedError(d.message ?? d.reason, req, d);
  }

  #gatherIdentityPolicies(): void {
    const t = this.#t;
    const managed = new Map<string, NamedPolicy>(); // customer managed policy ARN -> document
    for (const id of t.ofType('AWS::IAM::ManagedPolicy')) {
      const p = t.resources[id]!.Properties;
      const doc = { name: id, policy: p.PolicyDocument as PolicyDocument };
      managed.set(
        `arn:${PARTITION}:iam::${ACCOUNT}:policy${p.Path ?? '/'}${p.ManagedPolicyName ?? t.ref(id)}`,
        doc,
      );
      managed.set(t.ref(id), doc); // cfn.ts's Ref of a ManagedPolicy, whatever shape it has
    }
    const managedPolicy = (arn: string): NamedPolicy => {
      const awsName = arn.split(':iam::aws:policy/')[1];
      const doc = awsName !== undefined ? AWS_MANAGED_POLICIES[awsName] : managed.get(arn)?.policy;
      if (!doc)
        throw new IamModelError(`managed policy ${arn} is not known to the harness: add its document`);
      return { name: managed.get(arn)?.name ?? arn, policy: doc };
    };

    for (const id of t.ofType('AWS::IAM::Role')) {
      const p = t.resources[id]!.Properties;
      const inline = asList(p.Policies).map((x) => {
        const { PolicyName, PolicyDocument } = x as { PolicyName: string; PolicyDocument: PolicyDocument };
        return { name: `${id}/${PolicyName}`, policy: PolicyDocument };
      });
      this.#identity.set(id, [
        ...inline,
        ...asList(p.ManagedPolicyArns).map((a) => managedPolicy(String(a))),
      ]);
    }

    // AWS::IAM::Policy and ManagedPolicy name the roles they attach to by role name (the role's Ref).
    const roleByName = new Map([...this.#identity.keys()].map((id) => [t.ref(id), id]));
    for (const id of [...t.ofType('AWS::IAM::Policy'), ...t.ofType('AWS::IAM::ManagedPolicy')]) {
      const p = t.resources[id]!.Properties;
      for (const name of asList(p.Roles)) {
        const roleId = roleByName.get(String(name));
        if (!roleId)
          throw new IamModelError(`${id} attaches to role ${String(name)}, which is not in the template`);
        const policies = this.#identity.get(roleId)!;
        // A managed policy both in Roles and in the role's ManagedPolicyArns is attached once.
        if (!policies.some((x) => x.name === id))
          policies.push({ name: id, policy: p.PolicyDocument as PolicyDocument });
      }
    }
  }

  #gatherResourcePolicies(): void {
    const t = this.#t;
    const set = (arn: string, policy: NamedPolicy) => {
      const other = this.#resourcePolicies.get(arn);
      // Two policy resources on one queue/topic overwrite each other in CloudFormation: ambiguous.
      if (other)
        throw new IamModelError(`${arn} has two resource policies: ${other.name} and ${policy.name}`);
      this.#resourcePolicies.set(arn, policy);
    };
    for (const id of t.ofType('AWS::S3::BucketPolicy')) {
      const p = t.resources[id]!.Properties;
      set(`arn:${PARTITION}:s3:::${String(p.Bucket)}`, {
        name: id,
        policy: p.PolicyDocument as PolicyDocument,
      });
    }
    for (const id of t.ofType('AWS::SQS::QueuePolicy')) {
      const p = t.resources[id]!.Properties;
      for (const url of asList(p.Queues))
        set(this.#queueArn(String(url)), { name: id, policy: p.PolicyDocument as PolicyDocument });
    }
    for (const id of t.ofType('AWS::SNS::TopicPolicy')) {
      const p = t.resources[id]!.Properties;
      for (const arn of asList(p.Topics))
        set(String(arn), { name: id, policy: p.PolicyDocument as PolicyDocument });
    }
    set(SNS_MANAGED_KEY_ARN, {
      name: 'key policy of the AWS managed key alias/aws/sns',
      policy: SNS_MANAGED_KEY_POLICY,
    });
    for (const id of t.ofType('AWS::KMS::Key')) {
      const p = t.resources[id]!.Properties;
      const arn = t.att(id, 'Arn');
      this.#keys.add(arn);
      const policy = p.KeyPolicy as PolicyDocument | undefined;
      set(
        arn,
        policy ? { name: id, policy } : { name: `${id} (default key policy)`, policy: DEFAULT_KEY_POLICY },
      );
    }
    for (const id of t.ofType('AWS::KMS::Alias')) {
      const p = t.resources[id]!.Properties;
      const target = String(p.TargetKeyId);
      const key = t.ofType('AWS::KMS::Key').find((k) => t.ref(k) === target || t.att(k, 'Arn') === target);
      if (!key) throw new IamModelError(`${id} points at key ${target}, which is not in the template`);
      this.#aliases.set(kmsArn(String(p.AliasName)), t.att(key, 'Arn'));
    }
    for (const id of t.ofType('AWS::S3::Bucket')) {
      const block = t.resources[id]!.Properties.PublicAccessBlockConfiguration as
        | { RestrictPublicBuckets?: unknown }
        | undefined;
      if (block?.RestrictPublicBuckets === true) this.#restrictPublic.add(t.att(id, 'Arn'));
    }
  }

  #queueArn(url: string): string {
    const id = this.#t.ofType('AWS::SQS::Queue').find((q) => this.#t.ref(q) === url);
    if (!id) throw new IamModelError(`queue ${url} is not in the template`);
    return this.#t.att(id, 'Arn');
  }

  #policiesOf(roleLogicalId: string): NamedPolicy[] {
    const policies = this.#identity.get(roleLogicalId);
    if (!policies) throw new IamModelError(`${roleLogicalId} is not an AWS::IAM::Role of the template`);
    return policies;
  }

  /** The ARN AWS authorizes against: queue URLs and KMS aliases resolved. */
  #canonical(resource: string): string {
    if (resource.startsWith('https://sqs.')) return this.#queueArn(resource);
    const alias = resource.startsWith('alias/') ? kmsArn(resource) : resource;
    if (/^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(alias)) {
      const key = this.#aliases.get(alias);
      if (!key) throw new IamModelError(`KMS alias ${alias} is not known to the harness`);
      return key;
    }
    return resource;
  }

  #resourcePolicyOf(arn: string): NamedPolicy | undefined {
    const bucket = /^arn:([^:]+):s3:::([^/]+)/.exec(arn);
    if (bucket) return this.#resourcePolicies.get(`arn:${bucket[1]}:s3:::${bucket[2]}`);
    if (/^arn:[^:]+:kms:[^:]*:[^:]*:key\//.test(arn) && !this.#keys.has(arn)) {
      throw new IamModelError(`KMS key ${arn} is not in the template`);
    }
    return this.#resourcePolicies.get(arn);
  }

  /**
   * The principal string the simulator takes, and the context keys AWS derives from it (undefined: a
   * key AWS does not set for this principal, which the caller may not set either).
   */
  #principal(p: Principal, action: string): { arn: string; context: Record<string, string | undefined> } {
    if ('role' in p) {
      this.#policiesOf(p.role);
      const arn = `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${this.#t.ref(p.role)}/${p.session ?? 'storepulse-harness'}`;
      const context: Record<string, string> = {
        // For a role session aws:PrincipalArn is the role's ARN, not the session's.
        'aws:PrincipalArn': this.roleArn(p.role),
        'aws:PrincipalAccount': ACCOUNT,
        'aws:PrincipalType': 'AssumedRole',
        'aws:PrincipalIsAWSService': 'false',
      };
      if (action.toLowerCase().startsWith('kms:')) context['kms:CallerAccount'] = ACCOUNT;
      return { arn, context };
    }
    // A service principal is no principal of our account. Were kms:CallerAccount ours, the
    // alias/aws/sns policy would let CloudWatch use the key, which AWS says it does not.
    const context: Record<string, string | undefined> = {
      'aws:PrincipalServiceName': p.service,
      'aws:PrincipalIsAWSService': 'true',
      'aws:PrincipalArn': undefined,
      'aws:PrincipalAccount': undefined,
      'kms:CallerAccount': undefined,
    };
    if (p.sourceArn !== undefined) {
      context['aws:SourceArn'] = p.sourceArn;
      // S3 bucket ARNs carry no account; the stack's buckets are owned by the stack's account.
      context['aws:SourceAccount'] = p.sourceAccount ?? (p.sourceArn.split(':')[4] || ACCOUNT);
    } else if (p.sourceAccount !== undefined) {
      context['aws:SourceAccount'] = p.sourceAccount;
    }
    return { arn: p.service, context };
  }

  /**
   * Defaults AWS sets for an SDK call (TLS, the region), then the caller's keys, then the keys the
   * principal determines, which the caller may not contradict.
   */
  #context(
    req: AccessRequest,
    fromPrincipal: Record<string, string | undefined>,
  ): Record<string, string | string[]> {
    const context: Record<string, string | string[]> = {
      'aws:SecureTransport': 'true',
      'aws:RequestedRegion': REGION,
      ...req.context,
    };
    for (const [k, v] of Object.entries(fromPrincipal)) {
      const given = req.context?.[k];
      if (given !== undefined && given !== v) {
        throw new IamModelError(
          `context key ${k} is ${v ?? 'not set'} for this principal; the caller gave ${String(given)}`,
        );
      }
      if (v === undefined) delete context[k];
      else context[k] = v;
    }
    return context;
  }

  /** Which statements decided and, for a denial, the "because" of AWS's AccessDenied message. */
  #explain(
    a: RequestAnalysis,
    req: AccessRequest,
    resourceArn: string,
    rp: NamedPolicy | undefined,
  ): { reason: string; because?: string } {
    const stmt = (i: number, sid: string | undefined) => `statement ${i}${sid ? ` (${sid})` : ''}`;
    const rpName = rp?.name ?? 'none';
    const policy = (type: string, name: string | undefined) =>
      type === 'resource' ? `resource policy ${rpName}` : `${type} policy ${name ?? ''}`;
    if (a.result === 'Allowed') {
      const grants = getGrantReasons(a).map(
        (g) =>
          `${policy(g.policyType, 'policyIdentifier' in g ? g.policyIdentifier : undefined)} ${stmt(g.statementIndex, g.statementId)}`,
      );
      return { reason: `allowed by ${grants.join('; ')}` };
    }
    const explicit = getDenialReasons(a).flatMap((d) => (d.denialType === 'Explicit' ? [d] : []));
    if (explicit.length > 0) {
      const where = explicit[0]!.policyType === 'resource' ? 'a resource-based' : 'an identity-based';
      return {
        reason: `explicitly denied by ${explicit.map((d) => `${policy(d.policyType, d.policyIdentifier)} ${stmt(d.statementIndex, d.statementId)}`).join('; ')}`,
        because: `with an explicit deny in ${where} policy`,
      };
    }
    const noResourceAllow = `because no resource-based policy allows the ${req.action} action`;
    if ('service' in req.principal) {
      return {
        reason: `implicitly denied: a service principal needs an allow in the resource policy, and ${rpName} has none for ${req.principal.service}`,
        because: noResourceAllow,
      };
    }
    if (this.#keys.has(resourceArn)) {
      return {
        reason: `implicitly denied: the key policy (${rpName}) neither allows ${req.action} for this principal nor lets the account's IAM policies grant it`,
        because: noResourceAllow,
      };
    }
    return {
      reason: `implicitly denied: no identity policy of ${req.principal.role} (nor the resource policy: ${rpName}) allows ${req.action} on ${resourceArn}`,
      because: `because no identity-based policy allows the ${req.action} action`,
    };
  }
}

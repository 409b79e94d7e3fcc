/**
 * The deployed shape, read from what `cdk synth` writes: the stack is synthesized with its real
 * bundling (esbuild, as `cdk deploy` would upload it) into a cloud assembly, and the template's
 * intrinsic functions are resolved to the names and ARNs CloudFormation would give the resources in
 * one account and region. Everything the harness runs comes from this resolved template.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { DEFAULT_SETTINGS, type StorepulseSettings, StorepulseStack } from '../../infra/stack.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface ResolvedTemplate {
  /** Resources with every intrinsic function resolved. */
  resources: Record<string, CfnResource>;
  /** Folder of the cloud assembly (bundles live under it). */
  assemblyDir: string;
  /** Physical name / Ref value of each resource. */
  ref(logicalId: string): string;
  /** `Fn::GetAtt` of a resource. */
  att(logicalId: string, attribute: string): string;
  /** Logical ids of resources of a type. */
  ofType(type: string): string[];
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Synthesizes the stack with real bundling into a fresh cloud assembly and resolves its template. */
export async function synthDeployedShape(
  settings: Partial<StorepulseSettings> = {},
  context: Record<string, unknown> = {},
): Promise<ResolvedTemplate> {
  const outdir = await mkdtemp(join(tmpdir(), 'storepulse-cdk-out-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true, ...context } });
  const stack = new StorepulseStack(app, 'Storepulse', { ...DEFAULT_SETTINGS, ...settings });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, CfnResource>;
  };
  return resolveTemplate(template.Resources, assembly.directory);
}

const lower = (id: string) =>
  id
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, 50);

/** What CloudFormation's Ref gives for a resource of a type (physical names are made up, stable). */
function refValue(id: string, r: CfnResource, names: (id: string) => string): string {
  const p = r.Properties ?? {};
  const arn = (service: string, resource: string) =>
    `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${resource}`;
  switch (r.Type) {
    case 'AWS::S3::Bucket':
      return `storepulse-${lower(id)}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${names(id)}`;
    case 'AWS::SNS::Topic':
      return arn('sns', names(id));
    case 'AWS::StepFunctions::StateMachine':
      return arn('states', `stateMachine:${names(id)}`);
    case 'AWS::KMS::Key':
      return `key-${lower(id)}`;
    case 'AWS::Athena::WorkGroup':
      return String(p.Name);
    case 'AWS::Glue::Database':
      return String((p.DatabaseInput as { Name: string }).Name);
    default:
      return names(id);
  }
}

function attValue(
  id: string,
  r: CfnResource,
  att: string,
  ref: (id: string) => string,
  names: (id: string) => string,
): string {
  const a = (service: string, resource: string, region = REGION) =>
    `arn:${PARTITION}:${service}:${region}:${ACCOUNT}:${resource}`;
  if (att === 'Arn') {
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return `arn:${PARTITION}:s3:::${ref(id)}`;
      case 'AWS::SQS::Queue':
        return a('sqs', names(id));
      case 'AWS::SNS::Topic':
        return ref(id);
      case 'AWS::IAM::Role':
        return `arn:${PARTITION}:iam::${ACCOUNT}:role/${names(id)}`;
      case 'AWS::Lambda::Function':
        return a('lambda', `function:${names(id)}`);
      case 'AWS::Logs::LogGroup':
        return a('logs', `log-group:${names(id)}:*`);
      case 'AWS::KMS::Key':
        return a('kms', `key/${ref(id)}`);
      case 'AWS::StepFunctions::StateMachine':
        return ref(id);
      case 'AWS::Scheduler::Schedule':
        return a('scheduler', `schedule/default/${names(id)}`);
    }
  }
  if (att === 'QueueName' && r.Type === 'AWS::SQS::Queue') return names(id);
  if (att === 'QueueUrl' && r.Type === 'AWS::SQS::Queue') return ref(id);
  if (att === 'TopicName' && r.Type === 'AWS::SNS::Topic') return names(id);
  if (att === 'Name' && r.Type === 'AWS::StepFunctions::StateMachine') return names(id);
  if (att === 'RegionalDomainName' && r.Type === 'AWS::S3::Bucket')
    return `${ref(id)}.s3.${REGION}.amazonaws.com`;
  if (att === 'DomainName' && r.Type === 'AWS::S3::Bucket') return `${ref(id)}.s3.amazonaws.com`;
  throw new TemplateError(`GetAtt ${id}.${att} (${r.Type}) is not known to the harness`);
}

export function resolveTemplate(raw: Record<string, CfnResource>, assemblyDir: string): ResolvedTemplate {
  const names = (id: string) => `Storepulse-${id}`.slice(0, 64);
  const ref = (id: string): string => {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': ACCOUNT,
      'AWS::Region': REGION,
      'AWS::Partition': PARTITION,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'Storepulse',
      'AWS::NoValue': '',
    };
    if (pseudo[id] !== undefined) return pseudo[id];
    const r = raw[id];
    if (!r) throw new TemplateError(`Ref to unknown resource ${id}`);
    return refValue(id, r, names);
  };
  const att = (id: string, attribute: string): string => {
    const r = raw[id];
    if (!r) throw new TemplateError(`GetAtt of unknown resource ${id}`);
    return attValue(id, r, attribute, ref, names);
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const k = keys[0]!;
      const arg = o[k];
      switch (k) {
        case 'Ref':
          return ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, a] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
          return att(String(id), String(a));
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (resolve(parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [i, list] = arg as [number, unknown];
          return (resolve(list) as unknown[])[Number(i)];
        }
        case 'Fn::Split': {
          const [sep, s] = arg as [string, unknown];
          return String(resolve(s)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (vars[name] !== undefined) return String(resolve(vars[name]));
            const [id, a] = name.split('.');
            return a ? att(id!, a) : ref(id!);
          });
        }
        case 'Fn::If':
        case 'Fn::GetAZs':
        case 'Fn::ImportValue':
          throw new TemplateError(`${k} is not used by the stack and not known to the harness`);
      }
    }
    return Object.fromEntries(keys.map((key) => [key, resolve(o[key])]));
  };
  const resources = Object.fromEntries(
    Object.entries(raw).map(([id, r]) => [
      id,
      { ...r, Properties: resolve(r.Properties ?? {}) as Record<string, unknown> },
    ]),
  );
  return {
    resources,
    assemblyDir,
    ref,
    att,
    ofType: (type) => Object.keys(resources).filter((id) => resources[id]!.Type === type),
  };
}

/** A copy of a resolved template with some resources changed (to show what a missing grant does). */
export function editTemplate(
  t: ResolvedTemplate,
  edit: (resources: Record<string, CfnResource>) => void,
): ResolvedTemplate {
  const resources = structuredClone(t.resources);
  edit(resources);
  return {
    ...t,
    resources,
    ofType: (type) => Object.keys(resources).filter((id) => resources[id]!.Type === type),
  };
}

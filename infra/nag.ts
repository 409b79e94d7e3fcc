/**
 * cdk-nag: the AwsSolutions rule pack checks the app at synth (CDK's policy-validation plugins).
 * The findings that remain by design are acknowledged here one by one, each with its reason, so a
 * new wildcard anywhere else fails `npm run synth` and the infra tests.
 */
import { type App, type CfnElement, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StorepulseStack } from './stack.ts';

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/** Lake prefixes some role reads or writes; each grant is scoped to one of them. */
export const GRANTED_PREFIXES = [
  'raw',
  'curated',
  'curated/fx_rates',
  'curated/products',
  'models/demand_forecast',
  'models/abc',
  'alerts/stockout',
  'reports',
  'staging',
  'restricted',
  'restricted/contacts',
  'quarantine',
  'models',
  'alerts',
  'athena',
  '_manifests',
  '_config',
] as const;

export function acknowledgeNagFindings(stack: StorepulseStack): void {
  const ack = (finding: string, reason: string) =>
    Validations.of(stack).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });
  const logicalId = (c: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(c.node.defaultChild as CfnElement);

  ack(
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AWSLambdaBasicExecutionRole (CloudWatch Logs only) is the managed policy Lambda documents for writing logs.',
  );
  ack(
    'IAM5[Resource::*]',
    "X-Ray trace segments and Step Functions log delivery accept only '*' resources (AWS design).",
  );
  for (const action of ['s3:List*', 's3:GetObject*', 's3:GetBucket*', 's3:Abort*', 's3:DeleteObject*']) {
    ack(
      `IAM5[Action::${action}]`,
      `CDK's bucket grant methods use the ${action} action family; the resources are scoped to one key prefix.`,
    );
  }
  const lake = logicalId(stack.storage.bucket);
  for (const prefix of GRANTED_PREFIXES) {
    ack(
      `IAM5[Resource::<${lake}.Arn>/${prefix}/*]`,
      `Object access scoped to the lake's ${prefix}/ prefix, the zone this role reads or writes.`,
    );
  }
  ack(
    'IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/storepulse/*]',
    "Athena reads the storepulse database's tables, and only those.",
  );
  ack(
    'IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:userDefinedFunction/storepulse/*]',
    "Granted by the Step Functions Athena integration for the storepulse database's functions.",
  );
  for (const fn of [
    stack.dailyRun.plan.fn,
    stack.dailyRun.models.fn,
    stack.dailyRun.report.fn,
    stack.dailyRun.churnRecall.fn,
  ]) {
    ack(
      `IAM5[Resource::<${logicalId(fn)}.Arn>:*]`,
      'The state machine may invoke any version of its own stage functions.',
    );
  }
}

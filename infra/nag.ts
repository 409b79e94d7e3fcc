/**
 * cdk-nag: the AwsSolutions rule pack checks the app at synth (CDK's policy-validation plugins).
 * The findings that remain by design are acknowledged here one by one, each with its reason, so a
 * new wildcard anywhere else fails `npm run synth` and the infra tests.
 */

import { type App, type CfnElement, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { stageNamed } from '../shared/pipeline/stage-invocation.ts';
import type { StorepulseStack } from './stack.ts';

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

export function acknowledgeNagFindings(stack: StorepulseStack): void {
  const ack = (scope: IConstruct, finding: string, reason: string) =>
    Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });
  const logicalId = (c: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(c.node.defaultChild as CfnElement);

  ack(
    stack,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AWSLambdaBasicExecutionRole (CloudWatch Logs only) is the managed policy Lambda documents for writing logs.',
  );
  // Lake object grants are acknowledged where they are made (constructs/lake-access.ts). What is
  // left is acknowledged on the one construct that needs it, never stack-wide.
  const { dailyRun } = stack;
  const functions = [
    stack.ingest.function,
    dailyRun.compact,
    dailyRun.plan,
    dailyRun.models,
    ...dailyRun.stages.functions.values(),
    dailyRun.report,
    dailyRun.churnRecall,
    stack.forget.function,
  ];
  for (const f of functions)
    ack(f.fn, 'IAM5[Resource::*]', "X-Ray trace segments accept only '*' resources (AWS design).");
  ack(
    dailyRun.stateMachine,
    'IAM5[Resource::*]',
    "X-Ray trace segments and Step Functions log delivery accept only '*' resources (AWS design).",
  );
  // The model stages that query (stageNamed(..).queries), as their construct granted.
  const querying = [...dailyRun.stages.functions]
    .filter(([name]) => stageNamed(name).queries.length > 0)
    .map(([, f]) => f.fn);
  for (const scope of [...querying, dailyRun.churnRecall.fn, dailyRun.stateMachine]) {
    ack(
      scope,
      'IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/storepulse/*]',
      "Athena reads the storepulse database's tables and views, and only those.",
    );
    ack(
      scope,
      'IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/storepulse_files/*]',
      'Athena reads the batch tables under the storepulse views with the caller’s rights, and only those.',
    );
  }
  for (const scope of [stack.ingest.function.fn, dailyRun.churnRecall.fn, dailyRun.stateMachine]) {
    ack(
      scope,
      'IAM5[Action::kms:GenerateDataKey*]',
      "Publishing to the encrypted topics: CDK's grant on the topics' own key, and only that key.",
    );
  }
  // The scheduler's role (one per stack, made by the target) may invoke the forget function's
  // versions: the finding names that one function, so it is acknowledged by its exact id.
  ack(
    stack,
    `IAM5[Resource::<${logicalId(stack.forget.function.fn)}.Arn>:*]`,
    'The daily sweep schedule may invoke any version of the forget function.',
  );
  for (const f of [
    dailyRun.compact,
    dailyRun.plan,
    dailyRun.models,
    dailyRun.report,
    dailyRun.churnRecall,
    ...dailyRun.stages.functions.values(),
  ]) {
    ack(
      dailyRun.stateMachine,
      `IAM5[Resource::<${logicalId(f.fn)}.Arn>:*]`,
      'The state machine may invoke any version of its own stage functions.',
    );
  }
}

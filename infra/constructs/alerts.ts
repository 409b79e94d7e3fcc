/**
 * Where notifications go: churn recall, stockout warnings and pipeline failures; encrypted, TLS-only.
 *
 * The topics are encrypted with a key of the stack's own, not the AWS-managed `alias/aws/sns`: that
 * key's policy cannot be changed and does not let CloudWatch encrypt, so an alarm (the dead-letter
 * alarm) could never notify through an encrypted topic. CloudWatch is allowed to use the key and to
 * publish to the failure topic for alarms of this account only.
 */
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertsProps {
  /** E-mail addresses subscribed to every topic (each must confirm the subscription). */
  emails: readonly string[];
}

export class Alerts extends Construct {
  readonly key: Key;
  readonly recallTopic: Topic;
  readonly stockoutTopic: Topic;
  readonly failureTopic: Topic;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const alarmsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
      },
    };
    this.key = new Key(this, 'TopicKey', {
      description: 'storepulse: encrypts the notification topics',
      enableKeyRotation: true,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: alarmsOfThisAccount,
      }),
    );
    const topic = (tid: string, displayName: string) =>
      new Topic(this, tid, { displayName, masterKey: this.key, enforceSSL: true });
    this.recallTopic = topic('ChurnRecall', 'storepulse churn recall');
    this.stockoutTopic = topic('Stockout', 'storepulse stockout warnings');
    this.failureTopic = topic('PipelineFailure', 'storepulse pipeline failure');
    this.failureTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.failureTopic.topicArn],
        conditions: alarmsOfThisAccount,
      }),
    );
    for (const email of props.emails) {
      for (const t of [this.recallTopic, this.stockoutTopic, this.failureTopic])
        t.addSubscription(new EmailSubscription(email));
    }
  }
}

/** Where notifications go: churn recall, stockout warnings and pipeline failures; encrypted, TLS-only. */
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertsProps {
  /** E-mail addresses subscribed to every topic (each must confirm the subscription). */
  emails: readonly string[];
}

export class Alerts extends Construct {
  readonly recallTopic: Topic;
  readonly stockoutTopic: Topic;
  readonly failureTopic: Topic;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const masterKey = Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns');
    this.recallTopic = new Topic(this, 'ChurnRecall', {
      displayName: 'storepulse churn recall',
      masterKey,
      enforceSSL: true,
    });
    this.stockoutTopic = new Topic(this, 'Stockout', {
      displayName: 'storepulse stockout warnings',
      masterKey,
      enforceSSL: true,
    });
    this.failureTopic = new Topic(this, 'PipelineFailure', {
      displayName: 'storepulse pipeline failure',
      masterKey,
      enforceSSL: true,
    });
    for (const email of props.emails) {
      this.recallTopic.addSubscription(new EmailSubscription(email));
      this.stockoutTopic.addSubscription(new EmailSubscription(email));
      this.failureTopic.addSubscription(new EmailSubscription(email));
    }
  }
}

/**
 * Who reads and writes which prefix of the lake, granted in one place. Each grant is acknowledged
 * to cdk-nag on the grantee's own policy, for exactly the prefixes it was given, so a wildcard that
 * no grant explains (a `*` resource, another role's prefix) still fails synth.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

export interface LakeAccess {
  /** Prefixes (no trailing slash) whose objects the grantee reads; reading includes listing. */
  read?: readonly string[];
  /** Prefixes the grantee writes (PutObject and aborting its multipart uploads). */
  write?: readonly string[];
  /** Prefixes whose objects the grantee may delete (moving files out of the way). */
  remove?: readonly string[];
}

// CDK's bucket grants use these action families on the bucket and the prefix.
const GRANT_ACTIONS = ['s3:List*', 's3:GetObject*', 's3:GetBucket*', 's3:Abort*', 's3:DeleteObject*'];

/**
 * Grants `access` and acknowledges the resulting IAM5 findings on `scope` (the grantee's construct:
 * its role and policy are children of it).
 */
/** A grant's prefix from a declared key prefix (`curated/batch_commits/` -> `curated/batch_commits`). */
export const lakePrefix = (keyPrefix: string): string => keyPrefix.replace(/\/+$/, '');

export function grantLake(bucket: Bucket, grantee: IGrantable & IConstruct, access: LakeAccess): void {
  const stack = Stack.of(bucket);
  const lake = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
  const prefixes = new Set<string>();
  for (const prefix of access.read ?? []) {
    bucket.grantRead(grantee, `${prefix}/*`);
    prefixes.add(prefix);
  }
  for (const prefix of access.write ?? []) {
    bucket.grantPut(grantee, `${prefix}/*`);
    prefixes.add(prefix);
  }
  for (const prefix of access.remove ?? []) {
    bucket.grantDelete(grantee, `${prefix}/*`);
    prefixes.add(prefix);
  }
  const ack = (finding: string, reason: string) =>
    Validations.of(grantee).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason });
  for (const prefix of prefixes) {
    ack(
      `Resource::<${lake}.Arn>/${prefix}/*`,
      `Object access scoped to the lake's ${prefix}/ prefix, the zone this role ${access.write?.includes(prefix) ? 'writes' : access.remove?.includes(prefix) ? 'tidies' : 'reads'}.`,
    );
  }
  for (const action of GRANT_ACTIONS)
    ack(`Action::${action}`, `CDK's bucket grants use the ${action} action family, on one key prefix.`);
}

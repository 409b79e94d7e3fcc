/** The lake bucket (and its access-log bucket): private, encrypted, TLS-only, versioned, with lifecycles. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StorageProps {
  /** Days raw exports are kept (they can be re-ingested from here). */
  rawRetentionDays: number;
  /** Days quarantined rows and files are kept. */
  quarantineRetentionDays: number;
  /** Keep the buckets when the stack is deleted. */
  retain: boolean;
}

export class Storage extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removal = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: removal,
      autoDeleteObjects: !props.retain,
    });
    this.bucket = new Bucket(this, 'Lake', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        { id: 'raw', prefix: 'raw/', expiration: Duration.days(props.rawRetentionDays) },
        { id: 'quarantine', prefix: 'quarantine/', expiration: Duration.days(props.quarantineRetentionDays) },
        { id: 'athena-scratch', prefix: 'athena/', expiration: Duration.days(7) },
        // Query output with contact details (the recall list's join) is scratch too.
        { id: 'restricted-athena-scratch', prefix: 'restricted/athena/', expiration: Duration.days(7) },
        {
          id: 'old-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(2),
        },
      ],
      removalPolicy: removal,
      autoDeleteObjects: !props.retain,
    });
  }
}

/**
 * The AWS home of storepulse: storage, catalog, alerts, the ingest drop trigger and the daily run.
 * Parameters come from cdk.json context (README "Deploy"); cdk-nag findings that remain are
 * acknowledged in nag.ts with their reasons.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { loadConfig } from '../shared/config.ts';
import { functionEnvironment } from '../shared/settings.ts';
import { Alerts } from './constructs/alerts.ts';
import { Catalog } from './constructs/catalog.ts';
import { DailyRun } from './constructs/daily-run.ts';
import { Forget } from './constructs/forget.ts';
import { Ingest } from './constructs/ingest.ts';
import { Storage } from './constructs/storage.ts';

export interface StorepulseSettings {
  timeZone: string;
  reportingCurrency: string;
  alertEmails: string[];
  dailyRunHour: number;
  dailyRunMinute: number;
  cooldownDays: number;
  athenaBytesScannedCutoff: number;
  rawRetentionDays: number;
  quarantineRetentionDays: number;
  logRetentionDays: RetentionDays;
  retainData: boolean;
  /** SSM SecureString parameter (name) holding the key for pseudonymous customer ids. */
  idKeyParameter: string | undefined;
}

export const DEFAULT_SETTINGS: StorepulseSettings = {
  timeZone: 'UTC',
  reportingCurrency: 'USD',
  alertEmails: [],
  dailyRunHour: 6,
  dailyRunMinute: 0,
  cooldownDays: 30,
  athenaBytesScannedCutoff: 10 * 1024 ** 3,
  rawRetentionDays: 400,
  quarantineRetentionDays: 90,
  logRetentionDays: RetentionDays.ONE_MONTH,
  retainData: true,
  idKeyParameter: undefined,
};

export class StorepulseStack extends Stack {
  readonly storage: Storage;
  readonly catalog: Catalog;
  readonly alerts: Alerts;
  readonly ingest: Ingest;
  readonly dailyRun: DailyRun;
  readonly forget: Forget;

  constructor(scope: Construct, id: string, settings: StorepulseSettings, props?: StackProps) {
    super(scope, id, props);
    // The same validation the CLI applies: a bad time zone or currency fails at synth, not at 6 a.m.
    loadConfig(
      {},
      {
        timeZone: settings.timeZone,
        reportingCurrency: settings.reportingCurrency,
        cooldownDays: settings.cooldownDays,
      },
    );

    this.storage = new Storage(this, 'Storage', {
      rawRetentionDays: settings.rawRetentionDays,
      quarantineRetentionDays: settings.quarantineRetentionDays,
      retain: settings.retainData,
    });
    const bucket = this.storage.bucket;
    this.catalog = new Catalog(this, 'Catalog', {
      bucket,
      bytesScannedCutoff: settings.athenaBytesScannedCutoff,
      reportingCurrency: settings.reportingCurrency,
    });
    this.alerts = new Alerts(this, 'Alerts', { emails: settings.alertEmails });
    const environment = {
      LAKE_BUCKET: bucket.bucketName,
      ATHENA_WORKGROUP: this.catalog.workGroup.ref,
      GLUE_DATABASE: this.catalog.databaseName,
      // Every setting the AWS home takes, from context `storepulse:<key>` with the local home's parsers
      // (shared/settings.ts); the stack's own time zone, currency and cooldown win, so the functions
      // agree with the schedule.
      ...functionEnvironment((key) => this.node.tryGetContext(key), {
        timeZone: settings.timeZone,
        reportingCurrency: settings.reportingCurrency,
        cooldownDays: settings.cooldownDays,
      }),
    };
    this.ingest = new Ingest(this, 'Ingest', {
      bucket,
      environment: settings.idKeyParameter
        ? { ...environment, STOREPULSE_ID_KEY_PARAMETER: settings.idKeyParameter }
        : environment,
      logRetention: settings.logRetentionDays,
      failureTopic: this.alerts.failureTopic,
      stockoutTopic: this.alerts.stockoutTopic,
      idKeyParameter: settings.idKeyParameter,
    });
    this.dailyRun = new DailyRun(this, 'DailyRun', {
      bucket,
      catalog: this.catalog,
      environment,
      logRetention: settings.logRetentionDays,
      recallTopic: this.alerts.recallTopic,
      stockoutTopic: this.alerts.stockoutTopic,
      failureTopic: this.alerts.failureTopic,
      timeZone: settings.timeZone,
      hour: settings.dailyRunHour,
      minute: settings.dailyRunMinute,
    });
    this.forget = new Forget(this, 'Forget', {
      bucket,
      environment,
      logRetention: settings.logRetentionDays,
    });
  }
}

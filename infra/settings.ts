/**
 * Stack settings from CDK context (`cdk.json` or `-c key=value`), validated before anything is built.
 * Two kinds: the settings declared in shared/settings.ts (every one the AWS home takes is
 * `storepulse:<key>`, parsed here by the same parser the functions' loadConfig uses, and passed to
 * the functions by the stack with functionEnvironment), and the stack's own (alert e-mails, schedule,
 * retention, Athena cutoff, the SSM key parameter, retainData), read below.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { loadConfig } from '../shared/config.ts';
import { ConfigError } from '../shared/errors.ts';
import { functionEnvironment, SETTINGS } from '../shared/settings.ts';
import { DEFAULT_SETTINGS, type StorepulseSettings } from './stack.ts';

type Context = (key: string) => unknown;

function int(name: string, v: unknown, min: number, max: number): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(
      `storepulse:${name} must be a whole number from ${min} to ${max}, got ${String(v)}`,
    );
  return n;
}

export function settingsFromContext(get: Context): StorepulseSettings {
  const s = { ...DEFAULT_SETTINGS };
  const v = (k: string) => get(`storepulse:${k}`);
  // Every declared setting in context, read as a function will read it: a bad value fails here.
  const environment = functionEnvironment(get);
  const config = loadConfig(environment);
  if (environment[SETTINGS.timeZone.env] !== undefined) s.timeZone = config.timeZone;
  if (environment[SETTINGS.reportingCurrency.env] !== undefined)
    s.reportingCurrency = config.reportingCurrency;
  if (environment[SETTINGS.cooldownDays.env] !== undefined) s.cooldownDays = config.cooldownDays;
  const emails = v('alertEmails');
  if (emails !== undefined) {
    s.alertEmails = (Array.isArray(emails) ? emails : String(emails).split(','))
      .map((e) => String(e).trim())
      .filter(Boolean);
    for (const e of s.alertEmails)
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e))
        throw new ConfigError(`storepulse:alertEmails: "${e}" is not an e-mail address`);
  }
  if (v('dailyRunHour') !== undefined) s.dailyRunHour = int('dailyRunHour', v('dailyRunHour'), 0, 23);
  if (v('dailyRunMinute') !== undefined) s.dailyRunMinute = int('dailyRunMinute', v('dailyRunMinute'), 0, 59);
  if (v('athenaBytesScannedCutoff') !== undefined) {
    s.athenaBytesScannedCutoff = int(
      'athenaBytesScannedCutoff',
      v('athenaBytesScannedCutoff'),
      10_000_000,
      Number.MAX_SAFE_INTEGER,
    );
  }
  if (v('rawRetentionDays') !== undefined)
    s.rawRetentionDays = int('rawRetentionDays', v('rawRetentionDays'), 1, 36500);
  if (v('quarantineRetentionDays') !== undefined)
    s.quarantineRetentionDays = int('quarantineRetentionDays', v('quarantineRetentionDays'), 1, 36500);
  if (v('logRetentionDays') !== undefined) {
    const days = int('logRetentionDays', v('logRetentionDays'), 1, 3653);
    if (!Object.values(RetentionDays).includes(days as RetentionDays))
      throw new ConfigError(`storepulse:logRetentionDays ${days} is not a CloudWatch retention period`);
    s.logRetentionDays = days as RetentionDays;
  }
  if (v('idKeyParameter') !== undefined) {
    const name = String(v('idKeyParameter'));
    if (!/^\/?[A-Za-z0-9_.\-/]+$/.test(name))
      throw new ConfigError(`storepulse:idKeyParameter "${name}" is not an SSM parameter name`);
    s.idKeyParameter = name;
  }
  if (v('retainData') !== undefined) s.retainData = String(v('retainData')) !== 'false';
  return s;
}

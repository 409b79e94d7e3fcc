/**
 * Every setting of the local home reaches the AWS home: a CDK context value `storepulse:<key>` is
 * validated at synth by the setting's own parser and lands in every function's environment, where
 * loadConfig reads what the local home reads from the same variable. The README's table is the
 * declarations' (shared/settings.ts).
 */

import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { settingsFromContext } from '../../infra/settings.ts';
import { DEFAULT_SETTINGS, type StorepulseSettings, StorepulseStack } from '../../infra/stack.ts';
import { DEFAULT_CONFIG, loadConfig } from '../../shared/config.ts';
import {
  contextText,
  functionEnvironment,
  SETTING_LIST,
  type SettingKey,
  settingsTable,
} from '../../shared/settings.ts';
import { STAGES } from '../../shared/stages/registry.ts';

const AWS = SETTING_LIST.filter((s) => !s.localOnly);
const LOCAL_ONLY = SETTING_LIST.filter((s) => s.localOnly);

type AwsKey = Exclude<SettingKey, 'idKey' | 'ingestWorkers' | 'ingestParallelMinBytes'>;

/** A context value, not the default, for each setting the AWS home takes, in the shapes cdk.json gives. */
const SAMPLES: Record<AwsKey, unknown> = {
  language: 'zh',
  timeZone: 'Europe/Berlin',
  reportingCurrency: 'EUR',
  shopCurrency: 'THB',
  sourceTimeZones: { tiktok: 'Asia/Bangkok', ebay: 'America/New_York' },
  cooldownDays: 14,
  recallTopShare: 0.25,
  recallPAliveThreshold: '0.4',
  clvMonthlyDiscountRate: 0.02,
  assortmentWindowDays: 60,
  bcgGrowthThreshold: -0.05,
  bcgShareThreshold: 0.8,
  forecastHorizonDays: 42,
  defaultLeadTimeDays: 21,
  serviceLevels: { A: 0.99, C: 0.85 },
  basketWindowDays: '365',
  basketMinSupport: 0.002,
  basketMinConfidence: 0.3,
  basketMinLift: 1.5,
  basketMaxLength: 4,
  ingestFlushRows: 250_000,
  ingestBytePath: 0,
};

/** A value each parser refuses. */
const BAD: Record<AwsKey, unknown> = {
  language: 'fr',
  timeZone: 'Mars/Olympus',
  reportingCurrency: 'euros',
  shopCurrency: 'thb',
  sourceTimeZones: { tiktok: 'Mars/Base' },
  cooldownDays: 'soon',
  recallTopShare: 1.5,
  recallPAliveThreshold: -0.1,
  clvMonthlyDiscountRate: 'low',
  assortmentWindowDays: 6,
  bcgGrowthThreshold: 101,
  bcgShareThreshold: -1,
  forecastHorizonDays: 400,
  defaultLeadTimeDays: 0,
  serviceLevels: { A: 1.2 },
  basketWindowDays: 2.5,
  basketMinSupport: 0,
  basketMinConfidence: 2,
  basketMinLift: 'high',
  basketMaxLength: 11,
  ingestFlushRows: 10,
  ingestBytePath: true,
};

const sample = (key: SettingKey): unknown => SAMPLES[key as AwsKey];

/** The app as infra/app.ts builds it (settings from context), without bundling the functions. */
function synth(context: Record<string, unknown>, settings?: Partial<StorepulseSettings>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new StorepulseStack(
    app,
    'Storepulse',
    settings ? { ...DEFAULT_SETTINGS, ...settings } : settingsFromContext((k) => app.node.tryGetContext(k)),
  );
  return Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
}

/** Environment.Variables of every storepulse function. */
function functionVariables(template: ReturnType<typeof synth>): Record<string, string>[] {
  const fns = Object.values(template.Resources).filter(
    (r) =>
      r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description ?? '').startsWith('storepulse'),
  );
  expect(fns).toHaveLength(7 + STAGES.length); // one per model stage
  return fns.map(
    (f) => (f.Properties.Environment as { Variables: Record<string, string> } | undefined)?.Variables ?? {},
  );
}

const storepulseVars = (vars: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(vars).filter(([k]) => k.startsWith('STOREPULSE_') && k !== 'STOREPULSE_ID_KEY_PARAMETER'),
  );

describe('settings for the AWS home', () => {
  it('have a sample and a bad value for each setting the AWS home takes', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(AWS.map((s) => s.key).sort());
    expect(Object.keys(BAD).sort()).toEqual(AWS.map((s) => s.key).sort());
    expect(LOCAL_ONLY.map((s) => s.key).sort()).toEqual(['idKey', 'ingestParallelMinBytes', 'ingestWorkers']);
  });

  it('reach every function from context, read as the local home reads the same variable', () => {
    const context = Object.fromEntries(AWS.map((s) => [s.contextKey, sample(s.key)]));
    const all = functionVariables(synth(context));
    for (const vars of all) {
      const inLambda = loadConfig(vars);
      for (const s of AWS) {
        const local = contextText(sample(s.key), s.contextKey)!;
        expect(vars[s.env], s.env).toBe(local);
        const value = loadConfig({ [s.env]: local })[s.key];
        expect(inLambda[s.key], s.env).toEqual(value);
        expect(value, `${s.env}: the sample is not the default`).not.toEqual(DEFAULT_CONFIG[s.key]);
      }
      // Nothing but the declared variables: the local-only ones (the id key above all) stay out.
      expect(Object.keys(storepulseVars(vars)).sort()).toEqual(AWS.map((s) => s.env).sort());
    }
  });

  it('derive each variable from its own context key alone', () => {
    for (const s of AWS) {
      const environment = functionEnvironment((k) => (k === s.contextKey ? sample(s.key) : undefined));
      expect(environment, s.contextKey).toEqual({ [s.env]: contextText(sample(s.key), s.contextKey) });
    }
  });

  it('leave the functions the local defaults when context gives none (the shop currency follows the reporting one)', () => {
    const [vars] = functionVariables(synth({}));
    expect(storepulseVars(vars!)).toEqual({
      STOREPULSE_TIME_ZONE: 'UTC',
      STOREPULSE_REPORTING_CURRENCY: 'USD',
      STOREPULSE_COOLDOWN_DAYS: '30',
    });
    expect(loadConfig(vars!)).toEqual(loadConfig({}));
    const [eur] = functionVariables(synth({ 'storepulse:reportingCurrency': 'EUR' }));
    expect(loadConfig(eur!).shopCurrency).toBe('EUR');
  });

  it("give the stack's own time zone, currency and cooldown to the functions, so they agree with the schedule", () => {
    const [vars] = functionVariables(
      synth(
        { 'storepulse:timeZone': 'Europe/Berlin', 'storepulse:language': 'zh' },
        { timeZone: 'Asia/Tokyo' },
      ),
    );
    expect(vars).toMatchObject({ STOREPULSE_TIME_ZONE: 'Asia/Tokyo', STOREPULSE_LANGUAGE: 'zh' });
  });

  it('fail the synth on a bad context value, naming the context key', () => {
    for (const s of AWS) {
      const bad = { [s.contextKey]: BAD[s.key as AwsKey] };
      // As infra/app.ts builds it: settingsFromContext refuses it before anything is built ...
      expect(() => synth(bad), s.contextKey).toThrow(s.contextKey);
      // ... and a stack built with settings of its own refuses it too.
      if (!['timeZone', 'reportingCurrency', 'cooldownDays'].includes(s.key))
        expect(() => synth(bad, {}), s.contextKey).toThrow(s.contextKey);
    }
    expect(() => synth({ 'storepulse:sourceTimeZones': [['tiktok']] })).toThrow(
      /storepulse:sourceTimeZones must be a string, a number, or a list or object of them/,
    );
  }, 120_000);

  it('refuse a local-only setting given as context, saying why', () => {
    expect(() => synth({ 'storepulse:idKey': 'a-secret-of-at-least-16-chars' })).toThrow(
      /storepulse:idKey cannot be set for the AWS home: .*storepulse:idKeyParameter/,
    );
    expect(() => synth({ 'storepulse:ingestWorkers': 2 }, {})).toThrow(
      /storepulse:ingestWorkers cannot be set/,
    );
    expect(() => synth({ 'storepulse:ingestParallelMinBytes': 1 })).toThrow(
      /storepulse:ingestParallelMinBytes/,
    );
  });

  it('keep reading the stack settings from context with the declared ones', () => {
    const s = settingsFromContext(
      (k) =>
        ({
          'storepulse:timeZone': 'Asia/Shanghai',
          'storepulse:reportingCurrency': 'CNY',
          'storepulse:cooldownDays': '7',
          'storepulse:dailyRunHour': 5,
          'storepulse:retainData': 'false',
        })[k],
    );
    expect(s).toMatchObject({
      timeZone: 'Asia/Shanghai',
      reportingCurrency: 'CNY',
      cooldownDays: 7,
      dailyRunHour: 5,
      retainData: false,
    });
  });

  it("cdk.json's context is valid, and every storepulse key in it is one the app reads", () => {
    const cdk = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
      context: Record<string, unknown>;
    };
    const read = new Set<string>();
    settingsFromContext((k) => {
      read.add(k);
      return cdk.context[k];
    });
    const unread = Object.keys(cdk.context).filter((k) => k.startsWith('storepulse:') && !read.has(k));
    expect(unread).toEqual([]);
  });
});

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('lists every declared setting with its variable and, for the AWS home, its context key', () => {
    for (const s of SETTING_LIST) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${s.env}\` |`));
      expect(row, `README has no row for ${s.env}`).toBeDefined();
      expect(row).toContain(s.localOnly ? 'local only' : `\`${s.contextKey}\``);
    }
  });

  it("configuration table is the declarations' (regenerate: settingsTable() in shared/settings.ts)", () => {
    expect(readme, `README's configuration table should read:\n${settingsTable()}`).toContain(
      settingsTable(),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig } from '../../shared/config.ts';
import { ConfigError } from '../../shared/errors.ts';
import { SETTING_LIST } from '../../shared/settings.ts';

describe('configuration', () => {
  it('reads the environment and lets flags win', () => {
    const c = loadConfig(
      {
        STOREPULSE_TIME_ZONE: 'Asia/Shanghai',
        STOREPULSE_RECALL_TOP_SHARE: '0.1',
        STOREPULSE_COOLDOWN_DAYS: '7',
      },
      { reportingCurrency: 'CNY' },
    );
    expect(c).toMatchObject({
      timeZone: 'Asia/Shanghai',
      recallTopShare: 0.1,
      cooldownDays: 7,
      reportingCurrency: 'CNY',
    });
  });

  it('fails fast, naming the setting, on a bad value', () => {
    expect(() => loadConfig({ STOREPULSE_TIME_ZONE: 'Mars/Base' })).toThrow(ConfigError);
    expect(() => loadConfig({ STOREPULSE_TIME_ZONE: 'Mars/Base' })).toThrow(/unknown time zone "Mars\/Base"/);
    expect(() => loadConfig({ STOREPULSE_RECALL_TOP_SHARE: '1.5' })).toThrow(
      /STOREPULSE_RECALL_TOP_SHARE must be a number from 0 to 1/,
    );
    expect(() => loadConfig({ STOREPULSE_COOLDOWN_DAYS: 'soon' })).toThrow(/STOREPULSE_COOLDOWN_DAYS/);
    expect(() => loadConfig({}, { reportingCurrency: 'dollars' })).toThrow(/ISO 4217/);
    expect(() => loadConfig({ STOREPULSE_ID_KEY: 'short' })).toThrow(/at least 16/);
  });

  it('keeps the ranges the models need, from the environment and from overrides alike', () => {
    expect(() => loadConfig({ STOREPULSE_BASKET_MAX_LENGTH: '11' })).toThrow(
      'STOREPULSE_BASKET_MAX_LENGTH must be a whole number from 2 to 10, got "11"',
    );
    expect(() => loadConfig({}, { basketMaxLength: 1 })).toThrow(/basketMaxLength must be a whole number/);
    expect(() => loadConfig({ STOREPULSE_ASSORTMENT_WINDOW_DAYS: '6' })).toThrow(/>= 7/);
    expect(() => loadConfig({ STOREPULSE_FORECAST_HORIZON_DAYS: '367' })).toThrow(/from 1 to 366/);
    expect(() => loadConfig({ STOREPULSE_INGEST_FLUSH_ROWS: '999' })).toThrow(/>= 1000/);
    expect(() => loadConfig({ STOREPULSE_INGEST_WORKERS: '3' })).toThrow(/from 1 to 2/);
    expect(() => loadConfig({ STOREPULSE_SERVICE_LEVELS: 'A=1.2' })).toThrow(
      /STOREPULSE_SERVICE_LEVELS: service level A=1.2 must be between 0.5 and 1/,
    );
    expect(loadConfig({ STOREPULSE_SERVICE_LEVELS: 'B=0.9' }).serviceLevels).toEqual({
      A: 0.98,
      B: 0.9,
      C: 0.9,
    });
    expect(loadConfig({ STOREPULSE_INGEST_BYTE_PATH: '0' }).ingestBytePath).toBe(false);
    expect(loadConfig({ STOREPULSE_LANGUAGE: 'ZH' }).language).toBe('zh');
  });

  it('takes the shop currency from the reporting currency unless it is set itself', () => {
    expect(loadConfig({ STOREPULSE_REPORTING_CURRENCY: 'EUR' }).shopCurrency).toBe('EUR');
    expect(loadConfig({}, { reportingCurrency: 'GBP' }).shopCurrency).toBe('GBP');
    expect(loadConfig({ STOREPULSE_SHOP_CURRENCY: 'THB' }, { reportingCurrency: 'GBP' }).shopCurrency).toBe(
      'THB',
    );
    expect(loadConfig({}, { reportingCurrency: 'GBP', shopCurrency: 'THB' }).shopCurrency).toBe('THB');
  });
});

describe('the declarations (shared/settings.ts)', () => {
  it('give every setting its own variable and a default its parser reads back', () => {
    expect(new Set(SETTING_LIST.map((s) => s.env)).size).toBe(SETTING_LIST.length);
    expect(Object.keys(DEFAULT_CONFIG)).toEqual(SETTING_LIST.map((s) => s.key));
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
    for (const s of SETTING_LIST) {
      if (s.default === undefined) continue;
      expect(s.parse(s.format(s.default), s.env), s.env).toEqual(s.default);
    }
  });

  it('read every variable, and reject a bad one naming the variable and the value (never a secret)', () => {
    for (const s of SETTING_LIST) {
      let message = '';
      try {
        loadConfig({ [s.env]: 'not a value!' });
      } catch (e) {
        expect(e, s.env).toBeInstanceOf(ConfigError);
        message = (e as Error).message;
      }
      expect(message, s.env).toContain(s.env);
      if (s.key === 'idKey') expect(message).not.toContain('not a value!');
      else expect(message, s.env).toContain('"not a value!"');
    }
  });
});

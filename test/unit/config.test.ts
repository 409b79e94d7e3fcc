import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { ConfigError } from '../../shared/errors.ts';

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
});

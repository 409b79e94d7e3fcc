/**
 * Configuration, read and validated once at start-up so a bad value fails before any work is done.
 * Sources, later wins: defaults, environment (STOREPULSE_*), explicit overrides (CLI flags). Every
 * setting, its variable, parser and default is declared once, in shared/settings.ts.
 */
import { type Config, SETTING_LIST, SETTINGS } from './settings.ts';

export type { Config } from './settings.ts';

export const DEFAULT_CONFIG: Config = Object.fromEntries(
  SETTING_LIST.map((s) => [s.key, s.default]),
) as unknown as Config;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  // An empty variable is not set.
  for (const s of SETTING_LIST) {
    const text = env[s.env];
    if (text) config[s.key] = s.parse(text, s.env);
  }
  // Overrides go through the same parsers (a bad one is named by its config key).
  for (const s of SETTING_LIST) {
    const value = overrides[s.key];
    if (value !== undefined) config[s.key] = s.parse(s.format(value), s.key);
  }
  // The shop currency is the reporting currency unless it is set itself.
  if (!env[SETTINGS.shopCurrency.env] && overrides.shopCurrency === undefined)
    config.shopCurrency = config.reportingCurrency;
  return Object.freeze(config as Config);
}

/**
 * Every setting of storepulse, declared once: config key, STOREPULSE_* environment variable, CDK
 * context key (`storepulse:<key>`), parser, default, one-line doc, and whether the AWS home takes it.
 * Derived from this table: loadConfig's environment reading (shared/config.ts), the functions'
 * environment the CDK stack builds from context with the same parsers (functionEnvironment), and the
 * README's configuration table (settingsTable; test/infra/settings.test.ts compares).
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from './errors.ts';
import { LANGUAGES, type Language } from './report/labels.ts';
import { assertTimeZone } from './time.ts';

/** How one kind of value is read from text and written back as text. */
export interface Kind<T> {
  /**
   * Text (an environment variable, a CDK context value) -> value. Throws a ConfigError naming `name`
   * (the variable or the context key) and the bad text (never a secret's).
   */
  parse(text: string, name: string): T;
  /** Value -> the text `parse` reads back as the same value. */
  format(value: T): string;
}

export interface Setting<T> extends Kind<T> {
  readonly env: `STOREPULSE_${string}`;
  readonly default: NoInfer<T>;
  /** README's default column, when the value alone does not say it. */
  readonly defaultDoc?: string;
  /** README's meaning column. */
  readonly doc: string;
  /** The storepulse command's flag that overrides it (documentation; cli/context.ts reads the flags). */
  readonly flag?: `--${string}`;
  /** Why the AWS home does not take it; absent: context key `storepulse:<key>` sets it for every function. */
  readonly localOnly?: string;
}

const setting = <T>(s: Setting<T>): Setting<T> => s;

const must = (name: string, what: string, text: string): ConfigError =>
  new ConfigError(`${name} must be ${what}, got "${text}"`);

function wholeNumber(min: number, max?: number): Kind<number> {
  const what = max === undefined ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
  return {
    parse(text, name) {
      const v = Number(text);
      if (text.trim() === '' || !Number.isSafeInteger(v) || v < min || (max !== undefined && v > max))
        throw must(name, what, text);
      return v;
    },
    format: String,
  };
}

function decimal(min: number, max: number): Kind<number> {
  return {
    parse(text, name) {
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max)
        throw must(name, `a number from ${min} to ${max}`, text);
      return v;
    },
    format: String,
  };
}

const fraction = decimal(0, 1);

function checkZone(zone: string, name: string, where = ''): void {
  try {
    assertTimeZone(zone);
  } catch (cause) {
    throw new ConfigError(
      `${name}: unknown time zone "${zone}"${where} (use an IANA name such as Asia/Shanghai)`,
      { cause },
    );
  }
}

const timeZone: Kind<string> = {
  parse(text, name) {
    checkZone(text, name);
    return text;
  },
  format: (v) => v,
};

const currency: Kind<string> = {
  parse(text, name) {
    if (!/^[A-Z]{3}$/.test(text)) throw must(name, 'an ISO 4217 code such as USD', text);
    return text;
  },
  format: (v) => v,
};

const language: Kind<Language> = {
  parse(text, name) {
    const lang = text.toLowerCase();
    if (!LANGUAGES.includes(lang as Language)) throw must(name, `one of ${LANGUAGES.join(', ')}`, text);
    return lang as Language;
  },
  format: (v) => v,
};

/** `taobao=Asia/Shanghai,tiktok=Asia/Bangkok` -> { taobao: 'Asia/Shanghai', tiktok: 'Asia/Bangkok' }. */
const zonePerSource: Kind<Readonly<Record<string, string>>> = {
  parse(text, name) {
    const out: Record<string, string> = {};
    if (text.trim() === '') return out;
    for (const part of text.split(',')) {
      const m = /^\s*([a-z0-9-]+)\s*=\s*(\S+)\s*$/.exec(part);
      if (!m)
        throw new ConfigError(
          `${name} must look like "taobao=Asia/Shanghai,tiktok=Asia/Bangkok", got "${text}"`,
        );
      checkZone(m[2]!, name, ` for ${m[1]}`);
      out[m[1]!] = m[2]!;
    }
    return out;
  },
  format: (v) =>
    Object.entries(v)
      .map(([source, zone]) => `${source}=${zone}`)
      .join(','),
};

type AbcClass = 'A' | 'B' | 'C';
const DEFAULT_SERVICE_LEVELS: Readonly<Record<AbcClass, number>> = { A: 0.98, B: 0.95, C: 0.9 };

/** `A=0.98,B=0.95,C=0.90`; a class left out keeps its default. */
const serviceLevels: Kind<Readonly<Record<AbcClass, number>>> = {
  parse(text, name) {
    const levels = { ...DEFAULT_SERVICE_LEVELS };
    for (const part of text.split(',')) {
      const m = /^\s*([ABC])\s*=\s*(\S+)\s*$/.exec(part);
      if (!m) throw new ConfigError(`${name} must look like "A=0.98,B=0.95,C=0.90", got "${text}"`);
      const v = Number(m[2]);
      if (!(v > 0.5 && v < 1))
        throw new ConfigError(
          `${name}: service level ${m[1]}=${m[2]} must be between 0.5 and 1, got "${text}"`,
        );
      levels[m[1] as AbcClass] = v;
    }
    return levels;
  },
  format: (v) =>
    Object.entries(v)
      .map(([abc, level]) => `${abc}=${level}`)
      .join(','),
};

const zeroOrOne: Kind<boolean> = {
  parse(text, name) {
    if (text !== '0' && text !== '1') throw must(name, '0 or 1', text);
    return text === '1';
  },
  format: (v) => (v ? '1' : '0'),
};

/** A secret: its value never appears in a message. */
const secretKey: Kind<string | undefined> = {
  parse(text, name) {
    if (text.length < 16) throw new ConfigError(`${name} must be at least 16 characters`);
    return text;
  },
  format: (v) => v ?? '',
};

/** The table. Its order is the README's. */
export const SETTINGS = {
  language: setting({
    env: 'STOREPULSE_LANGUAGE',
    ...language,
    default: 'en',
    doc: 'language of the report: `en` or `zh`',
  }),
  timeZone: setting({
    env: 'STOREPULSE_TIME_ZONE',
    flag: '--time-zone',
    ...timeZone,
    default: 'UTC',
    doc: 'shop time zone (IANA name): order dates, as-of cut-off, timestamps without an offset; in AWS also the daily run schedule',
  }),
  reportingCurrency: setting({
    env: 'STOREPULSE_REPORTING_CURRENCY',
    flag: '--currency',
    ...currency,
    default: 'USD',
    doc: "currency of `net_amount_rc` and every model's money",
  }),
  shopCurrency: setting({
    env: 'STOREPULSE_SHOP_CURRENCY',
    ...currency,
    // loadConfig: unless set itself, the reporting currency.
    default: 'USD',
    defaultDoc: 'the reporting currency',
    doc: "currency of exports that name none (TikTok Shop, WooCommerce, eBay's `$`)",
  }),
  sourceTimeZones: setting({
    env: 'STOREPULSE_SOURCE_TIME_ZONES',
    ...zonePerSource,
    default: {},
    defaultDoc: '(none)',
    doc: 'time zone per source for timestamps without an offset, e.g. `tiktok=Asia/Bangkok,ebay=America/New_York`; Taobao, JD, Pinduoduo and Douyin default to `Asia/Shanghai`',
  }),
  idKey: setting({
    env: 'STOREPULSE_ID_KEY',
    ...secretKey,
    default: undefined,
    defaultDoc: 'a random key kept in `lake/_config/id-key`',
    doc: 'secret for pseudonymous customer ids (at least 16 characters)',
    localOnly:
      'a secret stays out of function environments; in AWS name an SSM SecureString with `storepulse:idKeyParameter` (Deploy)',
  }),
  cooldownDays: setting({
    env: 'STOREPULSE_COOLDOWN_DAYS',
    ...wholeNumber(0),
    default: 30,
    doc: 'days before an alerted customer can be alerted again',
  }),
  recallTopShare: setting({
    env: 'STOREPULSE_RECALL_TOP_SHARE',
    ...fraction,
    default: 0.2,
    doc: 'share of customers, by expected 12-month value, that counts as valuable for churn recall',
  }),
  recallPAliveThreshold: setting({
    env: 'STOREPULSE_RECALL_P_ALIVE_THRESHOLD',
    ...fraction,
    default: 0.5,
    doc: 'churn recall fires when P(alive) falls below this',
  }),
  clvMonthlyDiscountRate: setting({
    env: 'STOREPULSE_CLV_MONTHLY_DISCOUNT_RATE',
    ...fraction,
    default: 0.01,
    doc: 'monthly discount rate of `clv_12m`',
  }),
  assortmentWindowDays: setting({
    env: 'STOREPULSE_ASSORTMENT_WINDOW_DAYS',
    ...wholeNumber(7),
    default: 90,
    doc: 'window of ABC-XYZ, the Boston matrix and channel mix (growth: against the window before)',
  }),
  bcgGrowthThreshold: setting({
    env: 'STOREPULSE_BCG_GROWTH_THRESHOLD',
    ...decimal(-1, 100),
    default: 0.1,
    doc: 'Boston matrix: growth at or above this is high',
  }),
  bcgShareThreshold: setting({
    env: 'STOREPULSE_BCG_SHARE_THRESHOLD',
    ...decimal(0, 100),
    default: 1,
    doc: 'Boston matrix: relative share at or above this is high',
  }),
  forecastHorizonDays: setting({
    env: 'STOREPULSE_FORECAST_HORIZON_DAYS',
    ...wholeNumber(1, 366),
    default: 28,
    doc: 'days the demand forecast covers',
  }),
  defaultLeadTimeDays: setting({
    env: 'STOREPULSE_DEFAULT_LEAD_TIME_DAYS',
    ...wholeNumber(1),
    default: 14,
    doc: 'lead time of SKUs whose products row gives none',
  }),
  serviceLevels: setting({
    env: 'STOREPULSE_SERVICE_LEVELS',
    ...serviceLevels,
    default: DEFAULT_SERVICE_LEVELS,
    doc: 'service level per ABC class, for safety stock (each above 0.5 and below 1; a class left out keeps its default)',
  }),
  basketWindowDays: setting({
    env: 'STOREPULSE_BASKET_WINDOW_DAYS',
    ...wholeNumber(1),
    default: 180,
    doc: 'basket rules mine the orders of this many days',
  }),
  basketMinSupport: setting({
    env: 'STOREPULSE_BASKET_MIN_SUPPORT',
    ...decimal(1e-9, 1),
    default: 0.001,
    doc: 'basket rules: minimum support',
  }),
  basketMinConfidence: setting({
    env: 'STOREPULSE_BASKET_MIN_CONFIDENCE',
    ...fraction,
    default: 0.1,
    doc: 'basket rules: minimum confidence',
  }),
  basketMinLift: setting({
    env: 'STOREPULSE_BASKET_MIN_LIFT',
    ...decimal(0, 1e9),
    default: 1,
    doc: 'basket rules: minimum lift',
  }),
  basketMaxLength: setting({
    env: 'STOREPULSE_BASKET_MAX_LENGTH',
    ...wholeNumber(2, 10),
    default: 3,
    doc: 'basket rules: most items in a rule (2 to 10)',
  }),
  ingestFlushRows: setting({
    env: 'STOREPULSE_INGEST_FLUSH_ROWS',
    ...wholeNumber(1000),
    default: 1_000_000,
    doc: "order lines ingest buffers before writing (bounds memory; in AWS within the ingest function's memory)",
  }),
  ingestWorkers: setting({
    env: 'STOREPULSE_INGEST_WORKERS',
    ...wholeNumber(1, 2),
    default: Math.min(2, availableParallelism()),
    defaultDoc: '`2` (1 on one core)',
    doc: "threads a large file is read with: about half its lines on ingest's own thread, the rest on a worker thread, in parallel (files whose rows stand alone: generic CSV with `line_id`; see Performance)",
    localOnly:
      'only files in a local lake folder are split over threads; the ingest function reads each S3 object on one thread',
  }),
  ingestParallelMinBytes: setting({
    env: 'STOREPULSE_INGEST_PARALLEL_MIN_BYTES',
    ...wholeNumber(0),
    default: 32 * 1024 * 1024,
    doc: 'smaller files are read on one thread',
    localOnly: 'it only gates the split over threads, which the ingest function never does',
  }),
  ingestBytePath: setting({
    env: 'STOREPULSE_INGEST_BYTE_PATH',
    ...zeroOrOne,
    default: true,
    doc: '`0` reads generic UTF-8 files field by field like every other format (same results, slower; see Performance)',
  }),
};

export type SettingKey = keyof typeof SETTINGS;

/** Configuration: one value per declared setting. */
export type Config = { readonly [K in SettingKey]: (typeof SETTINGS)[K]['default'] };

export interface DeclaredSetting extends Setting<unknown> {
  readonly key: SettingKey;
  /** `storepulse:<key>`: sets it in the AWS home, unless localOnly. */
  readonly contextKey: `storepulse:${SettingKey}`;
}

/** The table as a list, in declaration order. */
export const SETTING_LIST: readonly DeclaredSetting[] = (
  Object.entries(SETTINGS) as [SettingKey, Setting<unknown>][]
).map(([key, s]) => ({ ...s, key, contextKey: `storepulse:${key}` }));

/**
 * A CDK context value as the text its setting's parser reads. cdk.json gives strings, numbers,
 * booleans, lists (joined with commas) and objects (`key=value` pairs joined with commas, for the
 * per-source time zones and the service levels); `-c key=value` gives strings. Undefined, null and
 * the empty string mean "not set", as an empty environment variable does.
 */
export function contextText(value: unknown, contextKey: string): string | undefined {
  const scalar = (v: unknown): string => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new ConfigError(
      `${contextKey} must be a string, a number, or a list or object of them, got ${JSON.stringify(value)}`,
    );
  };
  if (value === undefined || value === null) return undefined;
  const text = Array.isArray(value)
    ? value.map(scalar).join(',')
    : typeof value === 'object'
      ? Object.entries(value)
          .map(([k, v]) => `${k}=${scalar(v)}`)
          .join(',')
      : scalar(value);
  return text === '' ? undefined : text;
}

/**
 * The functions' environment in the AWS home: each setting that applies there and is given in CDK
 * context (`get('storepulse:<key>')`), validated by its parser (a bad value throws naming the context
 * key, so `cdk synth` fails) and passed as its STOREPULSE_* variable in the text the parser read, so
 * a function's loadConfig reads the value the local home reads from the same variable. A setting not
 * given is left out, and the function takes its default. `given` values win over context, and are
 * always passed (the stack's own time zone, currency and cooldown). A local-only setting in context
 * is refused rather than ignored.
 */
export function functionEnvironment(
  get: (contextKey: string) => unknown,
  given: Partial<Config> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of SETTING_LIST) {
    const text = contextText(get(s.contextKey), s.contextKey);
    const value = given[s.key];
    if (s.localOnly) {
      if (text !== undefined || value !== undefined)
        throw new ConfigError(`${s.contextKey} cannot be set for the AWS home: ${s.localOnly}`);
      continue;
    }
    if (text !== undefined) {
      s.parse(text, s.contextKey);
      out[s.env] = text;
    }
    if (value !== undefined) out[s.env] = s.format(s.parse(s.format(value), s.key));
  }
  return out;
}

/** The README's configuration table, rendered from the declarations. */
export function settingsTable(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = SETTING_LIST.map((s) =>
    [
      `\`${s.env}\``,
      s.localOnly ? 'local only' : `\`${s.contextKey}\``,
      s.flag ? `\`${s.flag}\`` : '',
      cell(s.defaultDoc ?? `\`${s.format(s.default)}\``),
      cell(s.localOnly ? `${s.doc}. Local only: ${s.localOnly}` : s.doc),
    ].join(' | '),
  );
  return [
    '| environment variable | CDK context key (AWS home) | flag | default | meaning |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

/**
 * Configuration, read and validated once at start-up so a bad value fails before any work is done.
 * Sources, later wins: defaults, environment (STOREPULSE_*), explicit overrides (CLI flags).
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from './errors.ts';
import { LANGUAGES, type Language } from './report/labels.ts';
import { assertTimeZone } from './time.ts';

export interface Config {
  /** Language of the report (en or zh). */
  readonly language: Language;
  /** Shop time zone: order dates, as-of cut-off, bare timestamps in exports. */
  readonly timeZone: string;
  /** ISO 4217 code the models report money in. */
  readonly reportingCurrency: string;
  /** Currency of exports that name none (TikTok Shop, WooCommerce, eBay's `$`); defaults to the reporting currency. */
  readonly shopCurrency: string;
  /**
   * Time zone per source for exports whose timestamps carry no offset, overriding the format's own
   * default (Chinese platforms: Asia/Shanghai) and the shop time zone.
   */
  readonly sourceTimeZones: Readonly<Record<string, string>>;
  /** Secret for pseudonymous customer ids; undefined: a per-lake key kept in the lake. */
  readonly idKey: string | undefined;
  /** Days during which a customer already alerted is not alerted again. */
  readonly cooldownDays: number;
  /** Share of customers, by expected 12-month value, that counts as valuable for churn recall. */
  readonly recallTopShare: number;
  /** Churn recall fires when P(alive) falls below this. */
  readonly recallPAliveThreshold: number;
  /** Monthly discount rate of the 12-month customer value. */
  readonly clvMonthlyDiscountRate: number;
  /** Basket rules: orders of the last this many days are mined. */
  readonly basketWindowDays: number;
  readonly basketMinSupport: number;
  readonly basketMinConfidence: number;
  readonly basketMinLift: number;
  readonly basketMaxLength: number;
  /** ABC-XYZ, Boston matrix and channel mix look at this many days (and the same before, for growth). */
  readonly assortmentWindowDays: number;
  /** Boston matrix: growth and relative share at or above these are "high". */
  readonly bcgGrowthThreshold: number;
  readonly bcgShareThreshold: number;
  /** Days the demand forecast covers. */
  readonly forecastHorizonDays: number;
  /** Lead time of SKUs the products table gives none for. */
  readonly defaultLeadTimeDays: number;
  /** Service level per ABC class, for safety stock. */
  readonly serviceLevels: Readonly<Record<'A' | 'B' | 'C', number>>;
  /** Order lines ingest buffers before it writes partition files (bounds memory). */
  readonly ingestFlushRows: number;
  /** Threads a large export is read with (1 or 2): two halves of the file in parallel. */
  readonly ingestWorkers: number;
  /** Files smaller than this are read on one thread: starting workers costs more than it saves. */
  readonly ingestParallelMinBytes: number;
  /**
   * Generic UTF-8 files are read from their bytes (fast path); lines it cannot take go through the
   * record parser either way. Off (`STOREPULSE_INGEST_BYTE_PATH=0`): every line is parsed field by field.
   */
  readonly ingestBytePath: boolean;
}

export const DEFAULT_CONFIG: Config = {
  language: 'en',
  timeZone: 'UTC',
  reportingCurrency: 'USD',
  shopCurrency: 'USD',
  sourceTimeZones: {},
  idKey: undefined,
  cooldownDays: 30,
  recallTopShare: 0.2,
  recallPAliveThreshold: 0.5,
  clvMonthlyDiscountRate: 0.01,
  basketWindowDays: 180,
  basketMinSupport: 0.001,
  basketMinConfidence: 0.1,
  basketMinLift: 1,
  basketMaxLength: 3,
  assortmentWindowDays: 90,
  bcgGrowthThreshold: 0.1,
  bcgShareThreshold: 1,
  forecastHorizonDays: 28,
  defaultLeadTimeDays: 14,
  serviceLevels: { A: 0.98, B: 0.95, C: 0.9 },
  ingestFlushRows: 1_000_000,
  ingestWorkers: Math.min(2, availableParallelism()),
  ingestParallelMinBytes: 32 * 1024 * 1024,
  ingestBytePath: true,
};

function positiveInt(name: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0)
    throw new ConfigError(`${name} must be a whole number >= 0, got "${raw}"`);
  return v;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const fromEnv: { -readonly [K in keyof Config]?: Config[K] } = {};
  if (env.STOREPULSE_TIME_ZONE) fromEnv.timeZone = env.STOREPULSE_TIME_ZONE;
  if (env.STOREPULSE_REPORTING_CURRENCY) fromEnv.reportingCurrency = env.STOREPULSE_REPORTING_CURRENCY;
  if (env.STOREPULSE_LANGUAGE) {
    const lang = env.STOREPULSE_LANGUAGE.toLowerCase();
    if (!LANGUAGES.includes(lang as Language)) {
      throw new ConfigError(
        `STOREPULSE_LANGUAGE must be one of ${LANGUAGES.join(', ')}, got "${env.STOREPULSE_LANGUAGE}"`,
      );
    }
    fromEnv.language = lang as Language;
  }
  if (env.STOREPULSE_SHOP_CURRENCY) fromEnv.shopCurrency = env.STOREPULSE_SHOP_CURRENCY;
  else if (env.STOREPULSE_REPORTING_CURRENCY) fromEnv.shopCurrency = env.STOREPULSE_REPORTING_CURRENCY;
  if (env.STOREPULSE_SOURCE_TIME_ZONES) {
    fromEnv.sourceTimeZones = sourceZones(env.STOREPULSE_SOURCE_TIME_ZONES);
  }
  if (env.STOREPULSE_ID_KEY) fromEnv.idKey = env.STOREPULSE_ID_KEY;
  if (env.STOREPULSE_COOLDOWN_DAYS)
    fromEnv.cooldownDays = positiveInt('STOREPULSE_COOLDOWN_DAYS', env.STOREPULSE_COOLDOWN_DAYS);
  if (env.STOREPULSE_INGEST_FLUSH_ROWS) {
    fromEnv.ingestFlushRows = positiveInt('STOREPULSE_INGEST_FLUSH_ROWS', env.STOREPULSE_INGEST_FLUSH_ROWS);
  }
  if (env.STOREPULSE_INGEST_WORKERS) {
    fromEnv.ingestWorkers = positiveInt('STOREPULSE_INGEST_WORKERS', env.STOREPULSE_INGEST_WORKERS);
  }
  if (env.STOREPULSE_INGEST_PARALLEL_MIN_BYTES) {
    fromEnv.ingestParallelMinBytes = positiveInt(
      'STOREPULSE_INGEST_PARALLEL_MIN_BYTES',
      env.STOREPULSE_INGEST_PARALLEL_MIN_BYTES,
    );
  }
  if (env.STOREPULSE_INGEST_BYTE_PATH) {
    const v = env.STOREPULSE_INGEST_BYTE_PATH;
    if (v !== '0' && v !== '1')
      throw new ConfigError(`STOREPULSE_INGEST_BYTE_PATH must be 0 or 1, got "${v}"`);
    fromEnv.ingestBytePath = v === '1';
  }
  const fraction = (name: string, raw: string): number => {
    const v = Number(raw);
    if (!Number.isFinite(v) || v < 0 || v > 1)
      throw new ConfigError(`${name} must be a number from 0 to 1, got "${raw}"`);
    return v;
  };
  if (env.STOREPULSE_RECALL_TOP_SHARE)
    fromEnv.recallTopShare = fraction('STOREPULSE_RECALL_TOP_SHARE', env.STOREPULSE_RECALL_TOP_SHARE);
  if (env.STOREPULSE_RECALL_P_ALIVE_THRESHOLD) {
    fromEnv.recallPAliveThreshold = fraction(
      'STOREPULSE_RECALL_P_ALIVE_THRESHOLD',
      env.STOREPULSE_RECALL_P_ALIVE_THRESHOLD,
    );
  }
  if (env.STOREPULSE_CLV_MONTHLY_DISCOUNT_RATE) {
    fromEnv.clvMonthlyDiscountRate = fraction(
      'STOREPULSE_CLV_MONTHLY_DISCOUNT_RATE',
      env.STOREPULSE_CLV_MONTHLY_DISCOUNT_RATE,
    );
  }
  const number = (name: string, raw: string, min: number, max: number): number => {
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max)
      throw new ConfigError(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
    return v;
  };
  if (env.STOREPULSE_BASKET_WINDOW_DAYS)
    fromEnv.basketWindowDays = positiveInt(
      'STOREPULSE_BASKET_WINDOW_DAYS',
      env.STOREPULSE_BASKET_WINDOW_DAYS,
    );
  if (env.STOREPULSE_BASKET_MIN_SUPPORT)
    fromEnv.basketMinSupport = number(
      'STOREPULSE_BASKET_MIN_SUPPORT',
      env.STOREPULSE_BASKET_MIN_SUPPORT,
      1e-9,
      1,
    );
  if (env.STOREPULSE_BASKET_MIN_CONFIDENCE) {
    fromEnv.basketMinConfidence = fraction(
      'STOREPULSE_BASKET_MIN_CONFIDENCE',
      env.STOREPULSE_BASKET_MIN_CONFIDENCE,
    );
  }
  if (env.STOREPULSE_BASKET_MIN_LIFT)
    fromEnv.basketMinLift = number('STOREPULSE_BASKET_MIN_LIFT', env.STOREPULSE_BASKET_MIN_LIFT, 0, 1e9);
  if (env.STOREPULSE_BASKET_MAX_LENGTH)
    fromEnv.basketMaxLength = positiveInt('STOREPULSE_BASKET_MAX_LENGTH', env.STOREPULSE_BASKET_MAX_LENGTH);
  if (env.STOREPULSE_ASSORTMENT_WINDOW_DAYS) {
    fromEnv.assortmentWindowDays = positiveInt(
      'STOREPULSE_ASSORTMENT_WINDOW_DAYS',
      env.STOREPULSE_ASSORTMENT_WINDOW_DAYS,
    );
  }
  if (env.STOREPULSE_BCG_GROWTH_THRESHOLD) {
    fromEnv.bcgGrowthThreshold = number(
      'STOREPULSE_BCG_GROWTH_THRESHOLD',
      env.STOREPULSE_BCG_GROWTH_THRESHOLD,
      -1,
      100,
    );
  }
  if (env.STOREPULSE_BCG_SHARE_THRESHOLD) {
    fromEnv.bcgShareThreshold = number(
      'STOREPULSE_BCG_SHARE_THRESHOLD',
      env.STOREPULSE_BCG_SHARE_THRESHOLD,
      0,
      100,
    );
  }
  if (env.STOREPULSE_FORECAST_HORIZON_DAYS) {
    fromEnv.forecastHorizonDays = positiveInt(
      'STOREPULSE_FORECAST_HORIZON_DAYS',
      env.STOREPULSE_FORECAST_HORIZON_DAYS,
    );
  }
  if (env.STOREPULSE_DEFAULT_LEAD_TIME_DAYS) {
    fromEnv.defaultLeadTimeDays = positiveInt(
      'STOREPULSE_DEFAULT_LEAD_TIME_DAYS',
      env.STOREPULSE_DEFAULT_LEAD_TIME_DAYS,
    );
  }
  if (env.STOREPULSE_SERVICE_LEVELS) {
    // "A=0.98,B=0.95,C=0.90"
    const levels = { ...DEFAULT_CONFIG.serviceLevels };
    for (const part of env.STOREPULSE_SERVICE_LEVELS.split(',')) {
      const m = /^\s*([ABC])\s*=\s*(\S+)\s*$/.exec(part);
      if (!m)
        throw new ConfigError(
          `STOREPULSE_SERVICE_LEVELS must look like "A=0.98,B=0.95,C=0.90", got "${env.STOREPULSE_SERVICE_LEVELS}"`,
        );
      const v = Number(m[2]);
      if (!(v > 0.5 && v < 1))
        throw new ConfigError(`service level ${m[1]}=${m[2]} must be between 0.5 and 1`);
      levels[m[1] as 'A' | 'B' | 'C'] = v;
    }
    fromEnv.serviceLevels = levels;
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  if (defined.reportingCurrency && !defined.shopCurrency && !env.STOREPULSE_SHOP_CURRENCY) {
    defined.shopCurrency = defined.reportingCurrency;
  }
  const config: Config = { ...DEFAULT_CONFIG, ...fromEnv, ...defined };
  for (const tz of [config.timeZone, ...Object.values(config.sourceTimeZones)]) {
    try {
      assertTimeZone(tz);
    } catch (cause) {
      throw new ConfigError(`unknown time zone "${tz}" (use an IANA name such as Asia/Shanghai)`, { cause });
    }
  }
  for (const [what, code] of [
    ['reporting currency', config.reportingCurrency],
    ['shop currency', config.shopCurrency],
  ]) {
    if (!/^[A-Z]{3}$/.test(code ?? '')) {
      throw new ConfigError(`${what} must be an ISO 4217 code such as USD, got "${code}"`);
    }
  }
  if (config.idKey !== undefined && config.idKey.length < 16) {
    throw new ConfigError('STOREPULSE_ID_KEY must be at least 16 characters');
  }
  if (config.basketMaxLength < 2 || config.basketMaxLength > 10)
    throw new ConfigError('STOREPULSE_BASKET_MAX_LENGTH must be from 2 to 10 items');
  if (config.basketWindowDays < 1) throw new ConfigError('STOREPULSE_BASKET_WINDOW_DAYS must be at least 1');
  if (config.forecastHorizonDays < 1 || config.forecastHorizonDays > 366)
    throw new ConfigError('STOREPULSE_FORECAST_HORIZON_DAYS must be from 1 to 366');
  if (config.defaultLeadTimeDays < 1)
    throw new ConfigError('STOREPULSE_DEFAULT_LEAD_TIME_DAYS must be at least 1');
  if (config.assortmentWindowDays < 7)
    throw new ConfigError('STOREPULSE_ASSORTMENT_WINDOW_DAYS must be at least 7');
  if (config.ingestFlushRows < 1000) throw new ConfigError('ingest flush size must be at least 1000 rows');
  if (config.ingestWorkers < 1 || config.ingestWorkers > 2)
    throw new ConfigError('ingest workers must be 1 or 2');
  return Object.freeze(config);
}

/** `taobao=Asia/Shanghai,tiktok=Asia/Bangkok` -> { taobao: 'Asia/Shanghai', tiktok: 'Asia/Bangkok' }. */
function sourceZones(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const m = /^\s*([a-z0-9-]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) {
      throw new ConfigError(
        `STOREPULSE_SOURCE_TIME_ZONES must look like "taobao=Asia/Shanghai,tiktok=Asia/Bangkok", got "${raw}"`,
      );
    }
    out[m[1]!] = m[2]!;
  }
  return out;
}

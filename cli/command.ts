import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './io.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  /** Full help text shown by `storepulse <command> --help`. */
  help: string;
  options: Options;
  /** Returns the process exit code: 0 done, 1 failed, 2 usage error. */
  run(values: Values, positionals: string[], io: CliIo): Promise<number>;
}

/** Flags every command that touches a lake takes. */
export const LAKE_OPTIONS: Options = {
  lake: { type: 'string', default: './lake' },
  'time-zone': { type: 'string' },
  currency: { type: 'string' },
};

export const LAKE_HELP = `  --lake DIR           the lake folder (default ./lake)
  --time-zone TZ       shop time zone, IANA name (default STOREPULSE_TIME_ZONE or UTC)
  --currency CODE      reporting currency (default STOREPULSE_REPORTING_CURRENCY or USD)`;

export const str = (v: Values[string]): string | undefined => (typeof v === 'string' ? v : undefined);

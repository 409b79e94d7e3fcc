/** Builds what every command needs from its flags: validated config and the lake. */
import { type Config, loadConfig } from '../shared/config.ts';
import type { Lake } from '../shared/lake/lake.ts';
import { LocalLake } from '../shared/lake/local.ts';
import type { TableSpec } from '../shared/schemas/table.ts';
import { DuckDbEngine } from '../shared/sql/duckdb.ts';
import type { SqlEngine } from '../shared/sql/engine.ts';
import { str, type Values } from './command.ts';

export interface LakeContext {
  config: Config;
  lake: Lake;
  openEngine(tables?: readonly TableSpec[]): Promise<SqlEngine>;
}

export function lakeContext(values: Values): LakeContext {
  const config = loadConfig(process.env, {
    timeZone: str(values['time-zone']),
    reportingCurrency: str(values.currency)?.toUpperCase(),
  });
  const lake = new LocalLake(str(values.lake) ?? './lake');
  return {
    config,
    lake,
    openEngine: (tables) =>
      DuckDbEngine.open(lake, { reportingCurrency: config.reportingCurrency, ...(tables ? { tables } : {}) }),
  };
}

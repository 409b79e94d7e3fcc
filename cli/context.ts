/** Builds what every command needs from its flags: validated config and the lake. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, loadConfig } from '../shared/config.ts';
import { StorepulseError } from '../shared/errors.ts';
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

/** The folders a lake has once anything was ingested or run (shared/lake/keys.ts). */
const LAKE_ZONES = ['curated', 'models', 'alerts', 'raw', '_manifests'];

/**
 * Refuses a --lake that is no lake (a typo answers every query with 0 rows otherwise): the folder
 * must hold at least one of the lake's zones.
 */
export function requireLake(values: Values): void {
  const dir = str(values.lake) ?? './lake';
  if (!existsSync(dir))
    throw new StorepulseError(
      `no lake at ${dir}: the folder does not exist (pass --lake DIR, or run \`storepulse ingest\` or \`storepulse demo\` first)`,
    );
  if (!LAKE_ZONES.some((z) => existsSync(join(dir, z))))
    throw new StorepulseError(
      `no lake at ${dir}: the folder holds none of ${LAKE_ZONES.join(', ')} (pass --lake DIR, or ingest into it first)`,
    );
}

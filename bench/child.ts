/**
 * One measured stage, run in its own process so its peak memory (maxRSS) is its own.
 * Prints one JSON line: { seconds, peakMb, ... }. Used by bench/run.ts.
 */
import { mkdir, rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../shared/config.ts';
import { commitRecords, historyBounds } from '../shared/lake/commits.ts';
import { LocalLake } from '../shared/lake/local.ts';
import { mineRules } from '../shared/models/basket.ts';
import { basketParams } from '../shared/pipeline/basket-run.ts';
import { runDaily } from '../shared/pipeline/daily-run.ts';
import { ingestFile } from '../shared/pipeline/ingest.ts';
import { silentLog } from '../shared/pipeline/log.ts';
import { orderLines } from '../shared/schemas/tables.ts';
import { DuckDbEngine } from '../shared/sql/duckdb.ts';
import { shapedEngine } from '../shared/stages/engine-boundary.ts';
import { STAGES } from '../shared/stages/registry.ts';
import { runStage } from '../shared/stages/run-stages.ts';
import { duckDbBudget, type Stage } from '../shared/stages/stage.ts';
import { synthOrders } from '../shared/synth/orders.ts';

const [stage, a, b] = process.argv.slice(2);
/** The memory the snapshot step asks for, as a stage declares it (in AWS it is Athena's UNLOAD). */
const SNAPSHOT_MEMORY_MB = 3072;
const peakMb = () => process.resourceUsage().maxRSS / 1024;
const config = loadConfig({ ...process.env, STOREPULSE_ID_KEY: 'bench-key-0123456789abcdef' });
// Restarted by a stage after it clears the previous run's output: removing 1,000 files is not ingest.
let started = performance.now();
let extra: Record<string, unknown> = {};

switch (stage) {
  case 'duckdb-copy': {
    // The reference: DuckDB's own CSV reader and Parquet writer, one thread, same file.
    await rm(b!, { force: true });
    started = performance.now();
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const c = await db.connect();
    await c.run(`COPY (SELECT * FROM read_csv('${a}')) TO '${b}' (FORMAT parquet)`);
    break;
  }
  case 'ingest': {
    await rm(b!, { recursive: true, force: true });
    await mkdir(b!, { recursive: true });
    started = performance.now();
    const report = await ingestFile(
      { lake: new LocalLake(b!), config, log: silentLog },
      { path: a!, exportedAt: Date.UTC(2026, 10, 24) },
    );
    extra = { rows: report.rowsLanded, files: report.filesWritten };
    break;
  }
  case 'run': {
    const lake = new LocalLake(a!);
    const summary = await runDaily(
      {
        lake,
        config,
        log: silentLog,
        openEngine: (tables) =>
          DuckDbEngine.open(lake, {
            reportingCurrency: config.reportingCurrency,
            ...(tables ? { tables } : {}),
          }),
      },
      b!,
    );
    extra = {
      customers: summary.summaries.rfm.customers,
      alerts: summary.summaries.churn_recall.alerts,
      productSeconds: summary.summaries.product.product.seconds,
      forecastSeries: summary.summaries.product.product.forecastSeries,
      basketSeconds: summary.summaries.basket.seconds,
      funnelSeconds: summary.summaries.funnel.seconds,
      baskets: summary.summaries.basket.baskets,
    };
    break;
  }
  case 'snapshot': {
    // The run's order-history snapshot, made once for the stage processes below (in AWS the SQL
    // stage's UNLOAD): the rows of order_lines up to the as-of date, as one Parquet file.
    const [lakeDir, asOf, run] = [a!, b!, process.argv[5]!];
    const lake = new LocalLake(lakeDir);
    // As a stage declaring SNAPSHOT_MEMORY_MB would: DuckDB gets half (shared/stages/stage.ts, duckDbBudget).
    const engine = await DuckDbEngine.open(lake, {
      reportingCurrency: config.reportingCurrency,
      memoryLimit: duckDbBudget({ memoryMb: SNAPSHOT_MEMORY_MB }),
    });
    const bounds = historyBounds(await commitRecords(lake), orderLines.name);
    await engine.makeRunSnapshot(asOf, run, bounds);
    await engine.close();
    break;
  }
  case 'stage': {
    // One model stage in its own process, as a Lambda would run it: the engine reads the run's
    // snapshot, the stage reads what earlier stages wrote to the lake.
    const [lakeDir, asOf, name, run] = [a!, b!, process.argv[5]!, process.argv[6]!];
    const stage = STAGES.find((s) => s.name === name) as Stage | undefined;
    if (!stage) throw new Error(`no stage ${name}`);
    const lake = new LocalLake(lakeDir);
    const engine = await DuckDbEngine.open(lake, {
      reportingCurrency: config.reportingCurrency,
      memoryLimit: duckDbBudget(stage),
    });
    const records = await commitRecords(lake);
    await engine.pinOrderLines(asOf, run, { made: true });
    await runStage(stage, {
      lake,
      config,
      log: silentLog,
      engine: shapedEngine(engine),
      asOf,
      bounds: (t) => historyBounds(records, t.name),
    });
    await engine.close();
    break;
  }
  case 'basket-groceries': {
    // arules' Groceries at the published thresholds (5,668 rules).
    const { readBasketFile } = await import('../cli/commands/basket.ts');
    const { readFile } = await import('node:fs/promises');
    const baskets = readBasketFile(await readFile(a!, 'utf8'));
    const t0 = performance.now();
    const r = await mineRules(baskets, { minSupport: 0.001, minConfidence: 0.5, minLift: 0, maxLength: 10 });
    extra = { rules: r.rules.length, baskets: r.transactions, mineSeconds: (performance.now() - t0) / 1000 };
    break;
  }
  case 'basket-synth': {
    // N synthetic orders' SKU baskets, mined with the daily run's default thresholds.
    const n = Number(a);
    const baskets: string[][] = [];
    for (const o of synthOrders({
      seed: 42,
      customers: n,
      start: '2025-11-23',
      end: '2026-11-23',
      catalogVariants: 10,
    })) {
      baskets.push(o.lines.map((l) => l.product.sku));
      if (baskets.length >= n) break;
    }
    const t0 = performance.now();
    const r = await mineRules(baskets, basketParams(config));
    extra = { rules: r.rules.length, baskets: r.transactions, mineSeconds: (performance.now() - t0) / 1000 };
    break;
  }
  default:
    throw new Error(`unknown stage ${stage}`);
}
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, peakMb: peakMb(), ...extra }));

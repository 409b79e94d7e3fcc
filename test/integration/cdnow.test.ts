import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDaily } from '../../shared/pipeline/daily-run.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { fixture, ingest, sql, tempDir, tempLake, testConfig } from '../helpers.ts';

/** CDNOW as a generic orders CSV: one order per purchase record (several on a day are one transaction). */
function cdnowAsGenericCsv(): string {
  const lines = ['order_id,line_id,customer_id,order_ts,sku,quantity,unit_price,currency,status'];
  readFileSync(fixture('cdnow', 'CDNOW_sample.txt'), 'utf8')
    .trim()
    .split('\n')
    .forEach((line, i) => {
      const [, id, d, , amount] = line.trim().split(/\s+/);
      lines.push(
        `R${i},1,${id},${d!.slice(0, 4)}-${d!.slice(4, 6)}-${d!.slice(6, 8)},CD,1,${amount},USD,completed`,
      );
    });
  return `${lines.join('\n')}\n`;
}

describe('CDNOW through the whole pipeline (ingest -> run --date 1997-09-30)', () => {
  it('reproduces the published BG/NBD and Gamma-Gamma parameters within 1 %', async () => {
    const dir = await tempDir();
    const path = join(dir, 'cdnow.csv');
    await writeFile(path, cdnowAsGenericCsv());
    const lake = await tempLake();
    const report = await ingest(lake, path);
    expect(report.rowsLanded).toBe(6919);
    await runDaily(
      {
        lake,
        config: testConfig(),
        log: silentLog,
        openEngine: (tables) => DuckDbEngine.open(lake, tables ? { tables } : {}),
      },
      '1997-09-30',
    );
    const rows = await sql(lake, "select metric, value from diagnostics where dt = '1997-09-30'");
    const m = Object.fromEntries(rows.map((r) => [r.metric, r.value as number]));
    const within1pct = (got: number | undefined, want: number) =>
      expect(Math.abs(got! / want - 1)).toBeLessThan(0.01);
    within1pct(m.bgnbd_r, 0.243);
    within1pct(m.bgnbd_alpha, 4.414 * 7); // days: 30.90
    within1pct(m.bgnbd_a, 0.793);
    within1pct(m.bgnbd_b, 2.426);
    within1pct(m.gg_p, 6.25);
    within1pct(m.gg_q, 3.74);
    within1pct(m.gg_gamma, 15.44);
    expect(m.bgnbd_customers).toBe(2357);
    expect(m.gg_customers).toBe(946);
    const clv = await sql(
      lake,
      "select count(*)::int as n, min(p_alive) as lo, max(p_alive) as hi, sum(expected_purchases_90d) as e90 from clv where dt = '1997-09-30'",
    );
    expect(clv[0]).toMatchObject({ n: 2357 });
    expect(clv[0]!.lo as number).toBeGreaterThanOrEqual(0);
    expect(clv[0]!.hi).toBe(1);
  });
});

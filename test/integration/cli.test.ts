import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../shared/csv/parser.ts';
import { SETTING_LIST } from '../../shared/settings.ts';
import { cli, fixture, tempDir } from '../helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/storepulse.js', import.meta.url));
const PACKAGE_VERSION = (
  JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('storepulse CLI', () => {
  it('prints help for the program and each command', async () => {
    const main = await cli(['--help']);
    expect(main.code).toBe(0);
    expect(main.out).toMatch(/Commands:\n {2}ingest/);
    // Every setting's variable, from the one declaration (it listed four of them by hand before).
    for (const s of SETTING_LIST) expect(main.out).toContain(s.env);
    for (const cmd of ['ingest', 'run', 'query', 'demo']) {
      const r = await cli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: storepulse ${cmd}`));
    }
  });

  it('answers wrong usage with exit code 2 and the help', async () => {
    expect((await cli([])).code).toBe(2);
    const unknown = await cli(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.err).toMatch(/unknown command "frobnicate"/);
    const noFile = await cli(['ingest']);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toMatch(/needs at least one FILE[\s\S]*Usage: storepulse ingest/);
    expect((await cli(['run', '--date', '2026-02-30'])).err).toMatch(/calendar date/);
    expect((await cli(['query', '--bogus', 'select 1'])).code).toBe(2);
    expect((await cli(['query', '--format', 'xml', 'select 1'])).err).toMatch(
      /--format must be one of table, csv, json/,
    );
  });

  it('ingests, runs and queries end to end in a temp folder', async () => {
    const dir = await tempDir();
    const lake = join(dir, 'lake');
    const orders = join(dir, 'orders.csv');
    await copyFile(fixture('rfm', 'orders.csv'), orders);

    const ing = await cli([
      'ingest',
      orders,
      fixture('dirty', 'dirty_orders.csv'),
      fixture('dirty', 'unknown_layout.csv'),
      '--lake',
      lake,
    ]);
    // One file could not be read at all: exit 1, but the others landed.
    expect(ing.code).toBe(1);
    expect(ing.out).toMatch(
      /orders\.csv: generic -> order_lines, 21 rows landed in \d+ partition\(s\), 0 quarantined/,
    );
    expect(ing.out).toMatch(/dirty_orders\.csv: generic -> order_lines, 5 rows landed .*, 9 quarantined/);
    expect(ing.out).toMatch(/1 x quantity: not a whole number of units/);
    expect(ing.err).toMatch(/error: unknown_layout\.csv: unknown export format/);

    const again = await cli(['ingest', orders, '--lake', lake]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/already ingested .*nothing changed/);

    const run = await cli(['run', '--lake', lake, '--date', '2026-03-31']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/As of 2026-03-31: 11 customers/);
    expect(run.out).toMatch(/important_retention +重要保持客户/);
    expect(run.out).toMatch(/Churn recall: \d+ alert\(s\)/);

    const json = await cli([
      'query',
      '--lake',
      lake,
      '--format',
      'json',
      'select segment, count(*)::int as n from rfm group by 1 order by 1',
    ]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.out) as { segment: string; n: number }[];
    expect(parsed.reduce((a, r) => a + r.n, 0)).toBe(11);
    expect(Object.keys(parsed[0]!)).toEqual(['segment', 'n']);

    const csv = await cli([
      'query',
      '--lake',
      lake,
      '--format',
      'csv',
      "select 'a,b' as x, 1 as y union all select 'say \"hi\"', 2 order by y",
    ]);
    expect(csv.out).toBe('x,y\r\n"a,b",1\r\n"say ""hi""",2\r\n');
    expect(csv.err).toBe('');

    const table = await cli([
      'query',
      '--lake',
      lake,
      'select segment, count(*) as customers from rfm group by 1 order by 1',
    ]);
    expect(table.out).toMatch(/^segment +customers\n-+ +-+\n/);
    expect(table.out).toMatch(/\(\d+ rows\)\n$/);

    const bad = await cli(['query', '--lake', lake, 'select nope from rfm']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/Referenced column "nope" not found/);
    // DuckDB's message once, not again as the cause.
    expect(bad.err.match(/Referenced column "nope" not found/g)).toHaveLength(1);

    // A second run adds a partition: rfm holds both runs, rfm_latest the second.
    expect((await cli(['run', '--lake', lake, '--date', '2026-04-01'])).code).toBe(0);
    const count = async (table: string) =>
      JSON.parse(
        (await cli(['query', '--lake', lake, '--format', 'json', `select count(*)::int as n from ${table}`]))
          .out,
      )[0].n as number;
    expect(await count('rfm')).toBe(22);
    expect(await count('rfm_latest')).toBe(11);
    expect((await cli(['query', '--help'])).out).toMatch(/\n {2}rfm_latest +the latest run of rfm\n/);

    // A --lake that is no lake is refused, not answered with 0.
    const typo = await cli(['query', '--lake', join(dir, 'lkae'), 'select count(*) from rfm']);
    expect(typo).toMatchObject({ code: 1, out: '' });
    expect(typo.err).toMatch(/no lake at .*lkae: the folder does not exist/);
    const notALake = await cli(['query', '--lake', dir, 'select count(*) from rfm']);
    expect(notALake.err).toMatch(/no lake at .*: the folder holds none of curated, models/);
  });

  it('synth writes the exchange rates its currencies need: every line converts', async () => {
    const dir = await tempDir();
    const out = join(dir, 'synth');
    const lake = join(dir, 'lake');
    const synth = await cli(['synth', '--lines', '3000', '--out', out]);
    expect(synth.code).toBe(0);
    expect(synth.out).toMatch(/fx_rates\.csv: exchange rates CSV, [\d,]+ lines/);
    const rates = await cli(['ingest', join(out, 'fx_rates.csv'), '--lake', lake]);
    expect(rates.code).toBe(0);
    const orders = await cli(['ingest', join(out, 'orders.csv'), '--lake', lake]);
    expect(orders.code).toBe(0);
    expect(orders.err).not.toMatch(/no exchange rate/);
    const q = await cli([
      'query',
      '--lake',
      lake,
      '--format',
      'json',
      'select count(distinct currency)::int as currencies, count(*)::int as lines, count(net_amount_rc)::int as converted from order_lines',
    ]);
    const [row] = JSON.parse(q.out) as { currencies: number; lines: number; converted: number }[];
    expect(row!.currencies).toBe(5);
    // Whole orders: the last one may take the file a few lines past --lines.
    expect(row!.lines).toBeGreaterThanOrEqual(3000);
    expect(row!.converted).toBe(row!.lines);
  });

  it('says its version and what a mistyped command or option probably meant', async () => {
    const version = await cli(['--version']);
    expect(version).toMatchObject({ code: 0, out: `storepulse ${PACKAGE_VERSION}\n` });
    const typo = await cli(['injest', 'x.csv']);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/^storepulse: unknown command "injest" \(did you mean "ingest"\?\)/);
    expect((await cli(['qeury'])).err).toMatch(/did you mean "query"/);
    expect((await cli(['frobnicate'])).err).not.toMatch(/did you mean/);
    const option = await cli(['run', '--dtae', '2026-11-23']);
    expect(option.code).toBe(2);
    expect(option.err).toMatch(/^storepulse run: unknown option --dtae \(did you mean --date\?\)\n/);
    expect(option.err).not.toMatch(/positional argument/);
    expect((await cli(['run', '--date'])).err).toMatch(/^storepulse run: --date needs a value/);
    expect((await cli(['report', '--open=yes'])).err).toMatch(/^storepulse report: --open takes no value/);
  });

  it('runs as the installed bin through the TypeScript loader', async () => {
    const dir = await tempDir();
    // An empty lake (one zone folder, no files) answers with 0 rows.
    await mkdir(join(dir, 'lake', 'curated'), { recursive: true });
    const r = spawnSync(
      process.execPath,
      [BIN, 'query', '--lake', join(dir, 'lake'), '--format', 'csv', 'select count(*) as n from order_lines'],
      {
        encoding: 'utf8',
        env: { ...process.env, STOREPULSE_ID_KEY: 'test-key-0123456789abcdef' },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('n\r\n0\r\n');
    expect(r.status).toBe(0);
  });

  it('runs the demo: exports from five platforms (one in GBK), segments and a non-empty recall list', async () => {
    const dir = await tempDir();
    const r = await cli(['demo', '--lake', join(dir, 'lake'), '--exports', join(dir, 'exports')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/orders_export_1\.csv: shopify -> order_lines, [\d,]+ rows landed/);
    expect(r.out).toMatch(/pos_orders\.csv: generic -> order_lines, [\d,]+ rows landed/);
    expect(r.out).toMatch(/amazon_all_orders\.txt: amazon -> order_lines, [\d,]+ rows landed/);
    expect(r.out).toMatch(/ExportOrderList\d+\.csv: taobao -> order_lines, [\d,]+ rows landed/);
    expect(r.out).toMatch(/tiktok_orders\.csv: tiktok -> order_lines, [\d,]+ rows landed/);
    expect(r.out).toMatch(
      /Left out of the customer models \(no buyer id in the export\): [\d,]+ amazon order/,
    );
    // Yuan converted with the rates file: no Taobao line lacks its dollar amount.
    expect(r.err).not.toMatch(/no exchange rate/);
    expect(r.out).toMatch(/important_value +重要价值客户 +\d+/);
    const alerts = Number(/Churn recall: (\d+) alert/.exec(r.out)?.[1]);
    expect(alerts).toBeGreaterThan(10);
    const list = parseCsv(
      await readFile(join(dir, 'lake', 'restricted', 'recall_lists', 'dt=2026-11-23', 'recall.csv'), 'utf8'),
    );
    expect(list).toHaveLength(alerts + 1);
    // Every alerted customer has a way to be reached: the platform's buyer reference (a TikTok or
    // Taobao user name, messaged in-app), and e-mail or phone where the export has them.
    for (const row of list.slice(1)) expect(row.fields[1]).not.toBe('');
    expect(list[0]!.fields.slice(0, 5)).toEqual([
      'customer_id',
      'source_customer_ref',
      'name',
      'email',
      'phone',
    ]);
    expect(list.some((row) => row.fields[3]?.endsWith('@example.com'))).toBe(true);
    // The re-export's refunds replaced the first export's statuses; the demo compacts before its
    // run, so the versions they superseded are in the archive, not in the files queries read.
    const archive = join(dir, 'lake', 'curated', 'archive', 'order_lines', '*', '*', '*.parquet');
    const refunds = await cli([
      'query',
      '--lake',
      join(dir, 'lake'),
      '--format',
      'json',
      `select count(*)::int as n from read_parquet('${archive}', hive_partitioning = true) v join order_lines l using (source, order_id, line_id) where v.status = 'shipped' and l.status = 'refunded'`,
    ]);
    expect((JSON.parse(refunds.out) as { n: number }[])[0]!.n).toBeGreaterThan(0);
  });
});

import { relative } from 'node:path';
import { UsageError } from '../../shared/errors.ts';
import { writeSynthExports } from '../../shared/synth/bench-exports.ts';
import { type Command, str } from '../command.ts';

export const synthCommand: Command = {
  name: 'synth',
  summary: 'write realistic synthetic exports of a chosen size (seeded)',
  help: `Usage: storepulse synth --lines N [--out DIR] [--seed S]

Writes invented but realistic exports: fx_rates.csv (daily rates of CAD, GBP, AUD and EUR into
USD), orders.csv (generic layout, N order lines, several marketplaces and currencies, Zipf SKU
popularity, repeat and lapsed buyers, a November peak), orders_export_1.csv (Shopify layout, part of
the US orders), products.csv and inventory.csv. Ingest fx_rates.csv first (ingest converts each
line with the rates it has), then the rest:
  storepulse synth --lines 100000 --out synth
  storepulse ingest synth/fx_rates.csv && storepulse ingest synth/*.csv
The same seed gives the same files. Streams to disk: any N fits in memory.

Options:
  --lines N      order lines to write (required)
  --out DIR      output folder (default ./synth)
  --seed S       random seed (default 42)
  -h, --help     this help
`,
  options: {
    lines: { type: 'string' },
    out: { type: 'string', default: './synth' },
    seed: { type: 'string', default: '42' },
  },
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`synth takes no arguments (got "${positionals.join(' ')}")`);
    const lines = Number(str(values.lines)?.replaceAll('_', ''));
    if (!Number.isInteger(lines) || lines < 1) throw new UsageError('--lines must be a whole number >= 1');
    const seed = Number(str(values.seed));
    if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
    const out = str(values.out) ?? './synth';
    const started = Date.now();
    const result = await writeSynthExports(out, lines, {
      seed,
      onProgress: (n) => io.err(`${n.toLocaleString('en-US')} of ${lines.toLocaleString('en-US')} lines\n`),
    });
    for (const f of result.files) {
      io.out(`${relative('.', f.path) || f.path}: ${f.layout}, ${f.lines.toLocaleString('en-US')} lines\n`);
    }
    io.err(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  },
};

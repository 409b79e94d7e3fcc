/** The storepulse command: parses flags, calls the pipeline, prints. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, StorepulseError, UsageError } from '../shared/errors.ts';
import { SETTING_LIST } from '../shared/settings.ts';
import type { Command } from './command.ts';
import { basketCommand } from './commands/basket.ts';
import { batchesCommand } from './commands/batches.ts';
import { compactCommand } from './commands/compact.ts';
import { demoCommand } from './commands/demo.ts';
import { forgetCommand } from './commands/forget.ts';
import { ingestCommand } from './commands/ingest.ts';
import { queryCommand } from './commands/query.ts';
import { reportCommand } from './commands/report.ts';
import { runCommand } from './commands/run.ts';
import { synthCommand } from './commands/synth.ts';
import { type CliIo, processIo } from './io.ts';

const COMMANDS: readonly Command[] = [
  ingestCommand,
  batchesCommand,
  forgetCommand,
  compactCommand,
  runCommand,
  queryCommand,
  basketCommand,
  reportCommand,
  demoCommand,
  synthCommand,
];

/** The version in package.json (the CLI runs from sources: no build step stamps it). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/** The closest of `candidates` to a mistyped word, when it is close (a typo, not another word). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** parseArgs' error, said as a person would: which option, and the one probably meant. */
function usageMessage(err: Error & { code?: string }, options: Command['options']): string {
  const flag = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1];
  const names = [...Object.keys(options).map((o) => `--${o}`), '--help'];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const guess = flag?.startsWith('--') ? closest(flag, names) : undefined;
      return `unknown option ${flag ?? ''}${guess ? ` (did you mean ${guess}?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return flag && options[flag.replace(/^-+/, '')]?.type === 'boolean'
        ? `${flag} takes no value`
        : `${flag ?? 'an option'} needs a value`;
    default:
      return err.message;
  }
}

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.join('\n');
}

const MAIN_HELP = `storepulse: e-commerce exports -> canonical Parquet -> operating models and alerts

Usage: storepulse <command> [options]
       storepulse --version

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Run "storepulse <command> --help" for a command's options.
Configuration (environment; the README's "Configuration" table says what each one does):
${wrap(SETTING_LIST.map((s) => s.env).join(', '), 100)}
`;

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(MAIN_HELP);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`storepulse ${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const guess = closest(
      name,
      COMMANDS.map((c) => c.name),
    );
    io.err(
      `storepulse: unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}\n\n${MAIN_HELP}`,
    );
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.err(`storepulse ${name}: ${usageMessage(err as Error, command.options)}\n\n${command.help}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`storepulse ${name}: ${err.message}\n\n${command.help}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(`storepulse ${name}: configuration: ${err.message}\n`);
      return 2;
    }
    if (err instanceof StorepulseError) {
      // A message that already quotes its cause (a query error names DuckDB's text) says it once.
      const cause =
        err.cause instanceof Error && !err.message.includes(err.cause.message)
          ? ` (${err.cause.message})`
          : '';
      io.err(`storepulse ${name}: ${err.message}${cause}\n`);
      return 1;
    }
    throw err;
  }
}

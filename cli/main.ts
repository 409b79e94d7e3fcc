/** The storepulse command: parses flags, calls the pipeline, prints. */
import { parseArgs } from 'node:util';
import { ConfigError, StorepulseError, UsageError } from '../shared/errors.ts';
import { SETTING_LIST } from '../shared/settings.ts';
import type { Command } from './command.ts';
import { basketCommand } from './commands/basket.ts';
import { batchesCommand } from './commands/batches.ts';
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
  runCommand,
  queryCommand,
  basketCommand,
  reportCommand,
  demoCommand,
  synthCommand,
];

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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`storepulse: unknown command "${name}"\n\n${MAIN_HELP}`);
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
    io.err(`storepulse ${name}: ${(err as Error).message}\n\n${command.help}`);
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
      const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
      io.err(`storepulse ${name}: ${err.message}${cause}\n`);
      return 1;
    }
    throw err;
  }
}

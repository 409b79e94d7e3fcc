/** Where the CLI writes: results to stdout, progress and logs to stderr (so results can be piped). */
import type { Log } from '../shared/pipeline/log.ts';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress then rewrites one line instead of adding lines. */
  interactive: boolean;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  interactive: Boolean(process.stderr.isTTY),
};

export const stderrLog = (io: CliIo): Log => ({
  info: (m) => io.err(`${m}\n`),
  warn: (m) => io.err(`warning: ${m}\n`),
});

import { UsageError } from '../../shared/errors.ts';
import { compactLake } from '../../shared/lake/compaction.ts';
import { type Command, LAKE_HELP, LAKE_OPTIONS } from '../command.ts';
import { lakeContext } from '../context.ts';
import { describeCompaction } from '../sweep.ts';

export const compactCommand: Command = {
  name: 'compact',
  summary: 'rewrite each partition of the ingested tables as one file (run does this first)',
  help: `Usage: storepulse compact [options]

Rewrites every partition of the ingested tables that holds more than one file as one file, keeps the
latest version of each order line there (earlier versions a later export superseded move to
curated/archive/, where no query reads them; raw/ keeps the exports themselves), and merges the
commit records into one object. Readers see the same rows before, during and after: the new files
count from the moment one record object is written. "storepulse run" compacts first; run this after
a large backfill, or to measure. One compaction or forget runs at a time.

Options:
${LAKE_HELP}
  -h, --help           this help
`,
  options: { ...LAKE_OPTIONS },
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError('compact takes no arguments');
    const { lake } = lakeContext(values);
    const started = performance.now();
    const report = await compactLake(lake, {
      onProgress: (done, total) => {
        if (done === total || done % 500 === 0) io.err(`compacting: ${done}/${total} partitions\n`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    io.out(describeCompaction(report, seconds) || `lake: nothing to compact in ${lake.location}\n`);
    return 0;
  },
};

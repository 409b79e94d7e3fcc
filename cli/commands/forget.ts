import { UsageError } from '../../shared/errors.ts';
import { forgetBatch, resolveBatchId, UnknownBatchError } from '../../shared/pipeline/batches.ts';
import { type Command, LAKE_HELP, LAKE_OPTIONS, str } from '../command.ts';
import { lakeContext } from '../context.ts';

export const forgetCommand: Command = {
  name: 'forget',
  summary: 'remove one batch (an ingested file) from the lake, to ingest a corrected one',
  help: `Usage: storepulse forget BATCH [options]

Removes one batch from the lake, so a wrong file can be taken back and a corrected one ingested (or
the same file ingested again): its manifest first (from then on no reader counts the batch, and
ingesting the file again is no longer skipped), then its rows in every curated table, its contacts,
its quarantined rows or file, its staged half of a Taobao pair and the stockout warnings its stock
count raised. The raw copy under raw/ is kept unless --raw is given. Prints what it removed (data
files counted per table, anything else by key).
Models and alerts already computed keep their values until the next "storepulse run".

BATCH is a batch id as "storepulse batches" lists it, or the start of one when no other id starts so.

Options:
  --raw                also remove the raw copy of the file
${LAKE_HELP}
  -h, --help           this help
`,
  options: { ...LAKE_OPTIONS, raw: { type: 'boolean', default: false } },
  async run(values, positionals, io) {
    if (positionals.length !== 1) throw new UsageError('forget takes exactly one BATCH id');
    const { lake } = lakeContext(values);
    const lakeFlag = str(values.lake) ?? './lake';
    let batchId: string;
    try {
      batchId = await resolveBatchId(lake, positionals[0]!);
    } catch (err) {
      if (!(err instanceof UnknownBatchError)) throw err;
      throw new UsageError(`${err.message}; "storepulse batches --lake ${lakeFlag}" lists the batch ids`);
    }
    const r = await forgetBatch(lake, batchId, { raw: values.raw === true });
    const b = r.batch;
    const what = b?.file
      ? `${b.file}${b.source ? `, ${b.source} -> ${b.table}` : ''}${b.rowsLanded !== null ? `, ${b.rowsLanded.toLocaleString('en-US')} rows` : ''}`
      : 'stray files only';
    const lines = [`forgot batch ${batchId} (${what}): removed ${r.removed.length} object(s)`];
    // Data files are many (one per partition and flush): counted per table, where the table's first
    // one was removed; anything else by key.
    const tables = new Map<string, { at: number; files: number; partitions: Set<string> }>();
    for (const key of r.removed) {
      const table = /^((?:curated|restricted)\/[^/]+\/)(.*\/)?[^/]+\.parquet$/.exec(key);
      if (!table || key.startsWith('curated/batch_commits/')) {
        lines.push(`  removed ${key}`);
        continue;
      }
      let t = tables.get(table[1]!);
      if (!t) {
        t = { at: lines.push('') - 1, files: 0, partitions: new Set<string>() };
        tables.set(table[1]!, t);
      }
      t.files++;
      t.partitions.add(table[2] ?? '');
    }
    for (const [prefix, t] of tables) {
      lines[t.at] = `  removed ${prefix}: ${t.files} file(s) in ${t.partitions.size} partition(s)`;
    }
    for (const key of r.rawKept) lines.push(`  kept ${key} (--raw removes it)`);
    for (const note of r.notes) lines.push(`  note: ${note}`);
    if (b?.rowsLanded) lines.push('  models and alerts keep their values until the next "storepulse run"');
    io.out(`${lines.join('\n')}\n`);
    return 0;
  },
};

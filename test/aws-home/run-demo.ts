/**
 * `npm run aws:local`: the demo through the AWS home as deployed, on this machine (see home.ts).
 * Synthesizes the stack, drops the demo's exports under raw/ one by one, runs the daily run for the
 * demo date through the state machine, and prints what happened: every drop, the run's states, the
 * notifications, any request IAM refused, and what the run cost in S3 requests and Athena reads.
 *
 *   npm run aws:local                 # the demo, 3,000 customers
 *   npm run aws:local -- --customers 500 --keep
 *   npm run aws:local -- --synth-lines 1000000   # `storepulse synth`'s 18 months instead of the demo
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { readableError } from '../../shared/pipeline/stage-invocation.ts';
import { writeSynthExports } from '../../shared/synth/bench-exports.ts';
import { DEMO_AS_OF, writeDemoExports } from '../../shared/synth/demo.ts';
import { AwsHome } from './home.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '3000' },
    'synth-lines': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const synthLines = values['synth-lines'] === undefined ? undefined : Number(values['synth-lines']);
if (synthLines !== undefined && (!Number.isInteger(synthLines) || synthLines < 1000))
  throw new Error('--synth-lines must be a whole number >= 1000');
const customers = Number(values.customers);
if (!Number.isInteger(customers) || customers < 10)
  throw new Error('--customers must be a whole number >= 10');

const say = (line: string) => process.stdout.write(`${line}\n`);
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const dir = await mkdtemp(join(tmpdir(), 'storepulse-aws-local-'));
say('Synthesizing the stack with its bundles (cdk synth) ...');
const home = await AwsHome.start({
  settings: { idKeyParameter: '/storepulse/id-key' },
  ssmParameters: { '/storepulse/id-key': 'aws-local-demo-key-0123456789' },
});
try {
  say(`Lake bucket ${home.bucket} on ${home.gateway.endpoint} (s3rver behind the IAM gateway), ${seconds()}`);
  const files = synthLines
    ? await synthFiles(join(dir, 'synth'), synthLines)
    : await writeDemoExports(join(dir, 'exports'), customers);
  for (const f of files) {
    const key = `raw/${synthLines ? 'synth' : 'demo'}/${basename(f.path)}`;
    await home.drop(key, await readFile(f.path), { 'exported-at': f.exportedAt.toISOString() });
    const d = await home.deliver();
    say(`  dropped ${key}: ${d.batches} batch(es), ${d.failedMessages} failed message(s)  [${seconds()}]`);
  }
  home.resetFigures();
  // The synth's data ends on the demo's date too (shared/synth/bench-exports.ts).
  say(`Daily run for ${DEMO_AS_OF} (Step Functions definition from the template) ...`);
  const run = await home.run(DEMO_AS_OF, 'aws-local');
  say(
    `  ${run.status}: ${run.tasks.join(' -> ')}${run.error ? ` (${run.error}: ${run.cause})` : ''}  [${seconds()}]`,
  );
  const f = home.figures();
  say(
    `  S3: ${f.s3Total.get} GET, ${f.s3Total.list} LIST, ${f.objectsWritten} objects written; ` +
      `Athena: ${f.athena.queries} queries read ${f.athena.objectsRead} objects, ${(f.athena.bytesRead / 1e6).toFixed(1)} MB, ` +
      `${f.athena.listRequests} LIST`,
  );
  const curated = (await home.lake.list('curated/order_lines/')).length;
  say(
    `  curated order-line files: ${curated}${synthLines ? ` (${Math.round((curated / synthLines) * 1e6)} per million lines)` : ''}`,
  );
  for (const [caller, c] of Object.entries(f.s3))
    say(`    ${caller}: ${c.get} GET, ${c.list} LIST, ${c.put} PUT`);
  say('Notifications:');
  for (const p of home.sns.published) {
    say(`  [${p.topicId}] ${p.subject ?? '(no subject)'}  (from ${p.publisher})`);
    // A failure notification (the state machine's failure event, JSON) carries the error: what
    // failed, as the operator's e-mail would say. The alerts are plain text.
    const cause = failureCause(p.message);
    if (cause) say(`    ${readableError(cause)}`);
  }
  say(`Requests IAM refused: ${home.gateway.denied.length}`);
  for (const d of home.gateway.denied) say(`  ${d.caller}: ${d.action} ${d.resource}`);
  say(`Done in ${seconds()}.`);
  process.exitCode = run.status === 'SUCCEEDED' && home.gateway.denied.length === 0 ? 0 : 1;
} finally {
  await home.stop();
  if (values.keep) say(`Exports kept in ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

/** The error of a failure event's message; undefined for any other notification. */
function failureCause(message: string): string | undefined {
  try {
    return (JSON.parse(message) as { error?: { Cause?: string } } | null)?.error?.Cause;
  } catch {
    return undefined;
  }
}

/** `storepulse synth`'s exports, the rates first (ingest converts with the rates it has). */
async function synthFiles(out: string, lines: number): Promise<{ path: string; exportedAt: Date }[]> {
  await writeSynthExports(out, lines);
  const exportedAt = new Date(`${DEMO_AS_OF}T23:00:00Z`);
  return ['fx_rates.csv', 'products.csv', 'orders.csv', 'orders_export_1.csv', 'inventory.csv'].map((f) => ({
    path: join(out, f),
    exportedAt,
  }));
}

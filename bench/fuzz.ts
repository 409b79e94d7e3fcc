/**
 * `npm run bench:fuzz`: the property tests of issue 22 (test/fuzz/) with many more cases than CI runs
 * and a fresh seed each time (`--runs N` per layout, default 20,000; `--seed S` to replay one; `--only
 * shopify,jd`). Prints cases, time and the seed; a failure prints the smallest damaged export found.
 * Not a test: CI runs the same properties with a fixed seed (test/integration/formats-fuzz-*.test.ts).
 */
import { LAYOUTS } from '../test/fuzz/layouts.ts';
import { fuzzLayout } from '../test/fuzz/suite.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('runs') ?? 20_000);
const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
const only = arg('only')?.split(',');
let failed = 0;
console.log(`fuzz: ${runs} case(s) per layout, seed ${seed}`);
for (const layout of LAYOUTS.filter((l) => !only || only.includes(l.format))) {
  const started = performance.now();
  try {
    await fuzzLayout(layout, { numRuns: runs, seed });
    console.log(
      `${layout.format.padEnd(14)} ${runs} cases ok in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (err) {
    failed++;
    console.log(
      `${layout.format.padEnd(14)} FAILED after ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    console.log(String(err instanceof Error ? err.message : err));
  }
}
process.exitCode = failed ? 1 : 0;

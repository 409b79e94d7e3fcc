/**
 * Property tests of issue 22 over the second half of the order layouts (the first half is in
 * formats-fuzz-a, so the two run on two cores): generated valid exports, damaged, read as ingest
 * reads them and compared with the undamaged file (test/fuzz/properties.ts says what must hold).
 * Fixed seed; `npm run bench:fuzz` runs many more cases with any seed.
 */
import { describe, it } from 'vitest';
import { FUZZ_CI, fuzzLayout, layoutsNamed } from '../fuzz/suite.ts';

describe.each(
  layoutsNamed(['woocommerce', 'ebay', 'taobao-items', 'taobao-orders', 'generic']).map(
    (l) => [l.format, l] as const,
  ),
)('%s exports, damaged', (_name, layout) => {
  it(`${FUZZ_CI.numRuns} cases: whole orders land or are quarantined whole, good ones all land`, async () => {
    await fuzzLayout(layout, FUZZ_CI);
  }, 120_000);
});

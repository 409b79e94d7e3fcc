/**
 * The property suites of issue 22, shared by the CI tests (a fixed seed, a few thousand cases per
 * format) and the bench's longer run (bench/fuzz.ts, any seed and count).
 */
import fc from 'fast-check';
import { layoutNamed, type OrderLayout } from './layouts.ts';
import { caseArb, checkCase, Reader } from './properties.ts';

export interface FuzzOptions {
  numRuns: number;
  seed: number;
}

/** Mapping-level property over one layout: every damaged export read as the oracle says. */
export async function fuzzLayout(layout: OrderLayout, opts: FuzzOptions): Promise<void> {
  const reader = new Reader();
  try {
    await fc.assert(
      fc.asyncProperty(caseArb(layout), async (c) => {
        await checkCase(reader, layout, c);
      }),
      { numRuns: opts.numRuns, seed: opts.seed, endOnFailure: false },
    );
  } finally {
    reader.close();
  }
}

export const layoutsNamed = (names: readonly string[]): OrderLayout[] => names.map(layoutNamed);

/** What CI runs: a fixed seed, so a failure is the same failure on every machine. */
export const FUZZ_CI: FuzzOptions = { numRuns: Number(process.env.STOREPULSE_FUZZ_RUNS ?? 2000), seed: 22 };

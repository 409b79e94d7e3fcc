/**
 * Ingest asks for a full collection after each flush (the main thread's heap otherwise grew with the
 * file). The check: an object only a WeakRef still points to is gone after the call.
 */
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../shared/pipeline/collect-garbage.ts';

function unreferenced(): WeakRef<object> {
  return new WeakRef({ rows: Array.from({ length: 10_000 }, (_, i) => ({ i })) });
}

describe('collectGarbage', () => {
  it('runs a full collection: an object nothing references is gone', async () => {
    const ref = unreferenced();
    expect(ref.deref()).toBeDefined();
    // A WeakRef target lives to the end of the job that made or read it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const ms = collectGarbage();
    expect(ref.deref()).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(0);
  });
});

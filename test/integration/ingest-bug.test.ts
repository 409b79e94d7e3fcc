/**
 * A bug that gets past the mappers (issue 22): a line that cannot be stored reaching the lander, or a
 * mapper that throws after part of the file was written. The file fails cleanly: exit-1 error, what
 * it wrote taken back, the file kept whole in quarantine with its reason, no temporary file left, and
 * the next file ingests as usual.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnreadableFileError } from '../../shared/errors.ts';
import type { MappedOrderLine, OrderLineSink, OrderRowMapper } from '../../shared/formats/format.ts';
import { jdOrders } from '../../shared/formats/platforms/jd-orders.ts';
import { CuratedWriter } from '../../shared/pipeline/curated-writer.ts';
import { fixture, ingest, tempLake, testConfig } from '../helpers.ts';

afterEach(() => vi.restoreAllMocks());

/** The JD mapper, with `bug` applied to the lines it hands over after the first. */
function buggyJd(bug: (m: MappedOrderLine) => MappedOrderLine) {
  const open = jdOrders.open.bind(jdOrders);
  vi.spyOn(jdOrders, 'open').mockImplementation((header, ctx, sink): OrderRowMapper => {
    const mapper = open(header, ctx, sink);
    let n = 0;
    const buggy = (s: OrderLineSink): OrderLineSink => ({ ...s, accept: (m) => s.accept(n++ ? bug(m) : m) });
    return {
      groupsRows: true,
      row: (fields, line, s, end) => mapper.row(fields, line, buggy(s), end),
      finish: (s) => mapper.finish(buggy(s)),
    };
  });
}

describe('a bug past the mappers fails the file cleanly', () => {
  it.each([
    [
      'an Infinity price reaches the lander',
      (m: MappedOrderLine) => ({ ...m, unit_price: Number.POSITIVE_INFINITY }),
    ],
    [
      'a null discount reaches the lander',
      (m: MappedOrderLine) => ({ ...m, discount: null as unknown as number }),
    ],
    [
      'a mapper throws',
      (): MappedOrderLine => {
        throw new TypeError('a mapper bug');
      },
    ],
    ['the Parquet writer refuses its input after writing a file', undefined],
  ])('%s', async (_what, bug) => {
    if (bug) buggyJd(bug);
    else {
      // The writer's own check, as issue 22 met it, after the flush wrote its files.
      const flush = CuratedWriter.prototype.flush;
      vi.spyOn(CuratedWriter.prototype, 'flush').mockImplementation(async function (this: CuratedWriter) {
        await flush.call(this);
        if (this.written.length) throw new Error('order_lines.discount: 2 null(s) in a required column');
      });
    }
    const lake = await tempLake();
    const config = testConfig();
    const err = await ingest(lake, fixture('formats', 'jd_orders.csv'), { config }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreadableFileError);
    expect((err as Error).message).toMatch(/could not be read: .*storepulse bug/);
    const kept = (await lake.list('quarantine/files/')).sort();
    expect(kept).toHaveLength(2);
    expect(kept[1]).toMatch(/reason\.txt$/);
    expect(
      Buffer.from((await lake.get(kept[0]!))!).equals(readFileSync(fixture('formats', 'jd_orders.csv'))),
    ).toBe(true);
    expect(await lake.list('curated/')).toEqual([]);
    expect(await lake.list('restricted/')).toEqual([]);
    expect(await lake.list('_manifests/')).toEqual([]);
    const tmp = join(lake.localRoot!, '.tmp');
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
    // Nothing else is lost: the next file lands.
    vi.restoreAllMocks();
    const next = await ingest(lake, fixture('formats', 'pinduoduo_orders.csv'), { config });
    expect(next.rowsLanded).toBeGreaterThan(0);
  });
});

/**
 * The byte path remembers a bounded number of customers (pseudonym, contact details); past the bound
 * it starts over. Starting over must change nothing: same pseudonyms, same latest contact details.
 */
import { describe, expect, it } from 'vitest';
import { GenericByteRows } from '../../shared/formats/generic-bytes.ts';
import { Pseudonymiser } from '../../shared/identity.ts';
import { ColumnarBuffer } from '../../shared/parquet/columnar-buffer.ts';
import { RateBook } from '../../shared/pipeline/fx.ts';
import { type ContactRow, OrderLineLander } from '../../shared/pipeline/order-line-lander.ts';
import { orderLines } from '../../shared/schemas/tables.ts';

const HEADER =
  'order_id,line_id,customer_id,order_ts,sku,quantity,unit_price,currency,status,email,phone'.split(',');

/** Lands the lines below; with `flushEvery`, drains the buffer and takes the contacts that often. */
function land(knownCustomers: number, flushEvery = Number.POSITIVE_INFINITY) {
  const ctx = { timeZone: 'UTC', currency: 'USD', reportingCurrency: 'USD', exportedAt: 0 };
  const reader = GenericByteRows.open(HEADER, ',', ctx)!;
  const buf = new ColumnarBuffer(orderLines);
  const lander = new OrderLineLander(buf, {
    ids: new Pseudonymiser('test-key'),
    rates: new RateBook([], 'USD'),
    reportingCurrency: 'USD',
    shopTimeZone: 'UTC',
    source: 'generic',
    batchId: 'b',
    exportedAt: 0,
    ingestedAt: 0,
    knownCustomers,
  });
  const ids: string[] = [];
  const windows: ContactRow[][] = [];
  // Seven customers, revisited out of order; c2 changes e-mail and drops the phone on a later line.
  const customers = [1, 2, 3, 1, 4, 5, 2, 6, 7, 3, 2];
  customers.forEach((c, i) => {
    const email = c === 2 && i > 6 ? 'new2@example.com' : `c${c}@example.com`;
    const phone = c === 2 && i > 6 ? '' : `+1 555 ${c}`;
    const line = Buffer.from(
      `O-${i},1,c${c},2026-01-0${1 + (i % 9)}T10:00:00Z,S${i % 3},1,9.5,USD,paid,${email},${phone}`,
    );
    expect(reader.read(line, 0, line.length)).toBe(true);
    lander.acceptBytes(line, reader, i + 2);
    if ((i + 1) % flushEvery === 0) flush();
  });
  flush();
  return { ids: ids.sort(), contacts: windows.flat(), windows };

  function flush(): void {
    // Read each partition as it is drained: the next one reuses its arrays.
    for (const p of buf.drain()) {
      const col = p.columns[orderLines.columns.findIndex((c) => c.name === 'customer_id')]!;
      if (col.kind !== 'dict') throw new Error(`unexpected ${col.kind}`);
      const { data, starts, lengths } = col.dictionary;
      for (const k of col.indices)
        ids.push(Buffer.from(data.subarray(starts[k]!, starts[k]! + lengths[k]!)).toString());
    }
    windows.push(lander.takeContacts().sort((a, b) => (a.customer_id < b.customer_id ? -1 : 1)));
  }
}

describe('order-line lander', () => {
  it('gives the same pseudonyms and latest contacts when its customer memory starts over every two customers', () => {
    const bounded = land(2);
    const roomy = land(1000);
    expect(bounded).toEqual(roomy);
    expect(roomy.contacts).toHaveLength(7);
    const c2 = roomy.contacts.find((c) => c.source_customer_ref === 'c2')!;
    expect(c2).toMatchObject({ email: 'new2@example.com', phone: null });
    expect(c2.customer_id).toBe(new Pseudonymiser('test-key').id('generic', 'c2'));
  });

  it('gives the same pseudonyms after a flush, and each flush the contacts of its own lines', () => {
    const once = land(1000);
    // Flushes after lines 3, 6 and 9 of the eleven: customers 1 2 3 | 1 4 5 | 2 6 7 | 3 2.
    const often = land(1000, 3);
    expect(often.ids).toEqual(once.ids);
    const refs = often.windows.map((w) => w.map((c) => c.source_customer_ref).sort());
    expect(refs).toEqual([
      ['c1', 'c2', 'c3'],
      ['c1', 'c4', 'c5'],
      ['c2', 'c6', 'c7'],
      ['c2', 'c3'],
    ]);
    // c2's last line is line 12 (the eleventh data line), with the new e-mail and no phone.
    const last = often.windows[3]!.find((c) => c.source_customer_ref === 'c2')!;
    expect(last).toMatchObject({ email: 'new2@example.com', phone: null, source_line: 12 });
    expect(often.windows[0]!.find((c) => c.source_customer_ref === 'c2')).toMatchObject({
      email: 'c2@example.com',
      source_line: 3,
    });
  });
});

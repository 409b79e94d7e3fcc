/**
 * The byte path remembers a bounded number of customers (pseudonym, contact details); past the bound
 * it starts over. Starting over must change nothing: same pseudonyms, same latest contact details.
 */
import { describe, expect, it } from 'vitest';
import { GenericByteRows } from '../../shared/formats/generic-bytes.ts';
import { Pseudonymiser } from '../../shared/identity.ts';
import { ColumnarBuffer } from '../../shared/parquet/columnar-buffer.ts';
import { RateBook } from '../../shared/pipeline/fx.ts';
import { OrderLineLander } from '../../shared/pipeline/order-line-lander.ts';
import { orderLines } from '../../shared/schemas/tables.ts';

const HEADER =
  'order_id,line_id,customer_id,order_ts,sku,quantity,unit_price,currency,status,email,phone'.split(',');

function land(knownCustomers: number) {
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
  });
  // Read each partition as it is drained: the next one reuses its arrays.
  const ids: string[] = [];
  for (const p of buf.drain()) {
    const col = p.columns[orderLines.columns.findIndex((c) => c.name === 'customer_id')]!;
    if (col.kind !== 'dict') throw new Error(`unexpected ${col.kind}`);
    const { data, starts, lengths } = col.dictionary;
    for (const k of col.indices)
      ids.push(Buffer.from(data.subarray(starts[k]!, starts[k]! + lengths[k]!)).toString());
  }
  return {
    ids: ids.sort(),
    contacts: [...lander.contacts.values()].sort((a, b) => (a.customer_id < b.customer_id ? -1 : 1)),
  };
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
});

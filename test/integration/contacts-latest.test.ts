/**
 * A customer's contact details are those of their last line in the export, even when ingest writes
 * them more than once for one batch (two parts read on two threads, several flushes): the recall
 * sink's query picks the row with the highest source line.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataFileKey } from '../../shared/lake/keys.ts';
import { encodeTable, rowsToColumns } from '../../shared/lake/parquet.ts';
import { readParquetRows } from '../../shared/lake/parquet-read.ts';
import { churnRecall, contacts } from '../../shared/schemas/tables.ts';
import { DuckDbEngine } from '../../shared/sql/duckdb.ts';
import { fixture, ingest, tempDir, tempLake, testConfig } from '../helpers.ts';

const HEADER = 'order_id,line_id,customer_id,order_ts,sku,quantity,unit_price,currency,status,email,phone';
const CUSTOMERS = 40;
const LINES = 6000;

describe('contacts', () => {
  it.each([true, false])(
    'keep each customer’s last line across parts and flushes (byte path: %s)',
    async (bytePath) => {
      const lines = [HEADER];
      const lastEmail = new Map<string, string>();
      for (let i = 0; i < LINES; i++) {
        const ref = `C${(i * 7) % CUSTOMERS}`;
        const email = `${ref.toLowerCase()}-line${i}@example.com`;
        lastEmail.set(ref, email);
        const day = String(1 + (i % 28)).padStart(2, '0');
        lines.push(
          `O-${i},1,${ref},2026-03-${day}T10:00:00Z,SKU-${i % 9},1,9.50,USD,paid,${email},+1 555 ${i}`,
        );
      }
      const path = join(await tempDir(), 'orders.csv');
      await writeFile(path, `${lines.join('\n')}\n`);
      const lake = await tempLake();
      const config = testConfig({
        ingestBytePath: bytePath,
        ingestWorkers: 2,
        ingestParallelMinBytes: 0,
        ingestFlushRows: 1000,
      });
      const report = await ingest(lake, path, { config, source: 'generic' });
      expect(report.contacts).toBe(CUSTOMERS);

      // Every customer on the day's recall list (the partition the recall query reads its ids from).
      const ids = await contactIds(lake);
      await lake.put(
        dataFileKey(churnRecall, { dt: '2026-03-31' }, 'part-0000'),
        await encodeTable(
          churnRecall,
          rowsToColumns(
            churnRecall,
            ids.map((customer_id) => ({
              customer_id,
              segment: 'important_retention',
              segment_zh: '重要保持客户',
              reason: 'rfm_segment',
              last_order_date: '2026-03-28',
              recency_days: 3,
              frequency: 1,
              monetary: 9.5,
              offer: 'x',
            })),
          ),
        ),
      );
      // The restricted table is opened only on request, as the recall sink does.
      const engine = await DuckDbEngine.open(lake, { tables: [contacts, churnRecall] });
      try {
        // Written once per part for every customer: otherwise there is nothing to choose between.
        const repeated = await engine.query(
          'select customer_id from contacts group by customer_id having count(*) > 1',
        );
        expect(repeated.rows).toHaveLength(CUSTOMERS);
        const rows = await engine.runNamed('recall_contacts', { as_of: '2026-03-31' });
        expect(rows).toHaveLength(CUSTOMERS);
        for (const r of rows) expect(r.email).toBe(lastEmail.get(String(r.source_customer_ref)));
      } finally {
        await engine.close();
      }
    },
  );

  it('keep the buyer’s name where the export gives one (Shopify’s Billing Name), for the recall list', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('formats', 'shopify_orders_export_1.csv'));
    const rows = await readParquetRows(lake, 'restricted/contacts/');
    const alice = rows.find((r) => r.source_customer_ref === 'alice@example.com');
    // Alice's later order has an empty Billing Name: the name known from the earlier one stays.
    expect(alice?.name).toBe('Alice Archer');
    expect(rows.find((r) => r.source_customer_ref === 'bob@example.com')?.name).toBeNull();
  });

  it('join WooCommerce’s billing first and last name', async () => {
    const lake = await tempLake();
    await ingest(lake, fixture('formats', 'woocommerce_orders.csv'));
    const rows = await readParquetRows(lake, 'restricted/contacts/');
    expect(rows.find((r) => r.source_customer_ref === 'ana@example.com')?.name).toBe('Ana Silva');
  });
});

async function contactIds(lake: Awaited<ReturnType<typeof tempLake>>): Promise<string[]> {
  const engine = await DuckDbEngine.open(lake, { tables: [contacts] });
  try {
    return (await engine.query('select distinct customer_id from contacts')).rows.map((r) =>
      String(r.customer_id),
    );
  } finally {
    await engine.close();
  }
}

/**
 * The work of ingest over one byte range of an export: parse, map, validate, pseudonymise, buffer and
 * write curated Parquet and contacts. Runs in-process, or in a worker thread per half of a large file.
 * What it returns (quarantine lines, reason counts, warnings) is merged by ingest.ts.
 */
import type { Config } from '../config.ts';
import { type ByteRange, type CsvLayout, readCsvFile } from '../csv/file-source.ts';
import type {
  MappedOrderLine,
  OrderLineSink,
  OrdersFormat,
  RowRejection,
  StagedOrder,
} from '../formats/format.ts';
import { formatNamed } from '../formats/registry.ts';
import { roundMoney } from '../formats/values.ts';
import { Pseudonymiser } from '../identity.ts';
import { dataFileKey } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { encodeTable, rowsToColumns } from '../lake/parquet.ts';
import { contacts as contactsSpec, orderLines } from '../schemas/tables.ts';
import { zoneOffsetMs } from '../time.ts';
import { CuratedWriter } from './curated-writer.ts';
import { QuarantineLog, type ReasonCount, unterminated } from './quarantine-log.ts';

export type { ReasonCount } from './quarantine-log.ts';

import { RateBook, type RateGap, type RateRows } from './fx.ts';
import { writeStaged } from './staging.ts';

export interface RangeJob {
  path: string;
  file: string;
  layout: CsvLayout;
  range: ByteRange;
  /** The range starts the file: records up to the header's line are not data. */
  skipHeader: boolean;
  header: string[];
  /** Physical line of the header (2 after a `sep=,` line). */
  headerLine: number;
  formatName: string;
  /** Time zone of the export's offset-less timestamps. */
  timeZone: string;
  /** Exchange rates into the reporting currency. */
  rates: RateRows;
  batchId: string;
  /** Stem of every file this range writes (`<batch>` or `<batch>-p<part>`). */
  fileStem: string;
  idKey: string;
  exportedAt: number;
  ingestedAt: number;
  config: Config;
  flushRows: number;
}

export interface RangeResult {
  rowsRead: number;
  rowsLanded: number;
  /** CSV lines (file, line, column, reason, record), in file order. */
  quarantine: string[];
  reasons: ReasonCount[];
  warnings: string[];
  missingRate: [string, RateGap][];
  /** Pseudonymous ids of the customers whose contact rows this range wrote. */
  contactIds: string[];
  partitions: string[];
  files: string[];
}

export async function ingestRange(
  job: RangeJob,
  lake: Lake,
  onProgress?: (bytesRead: number, rows: number) => void,
  /** Staged rows of the partner report, for a paired format (always read in-process). */
  partner?: ReadonlyMap<string, StagedOrder>,
): Promise<RangeResult> {
  const { config, file, batchId } = job;
  const format = formatNamed(job.formatName) as OrdersFormat;
  const source = format.source;
  const rates = new RateBook(job.rates, config.reportingCurrency);
  const staged = new Map<string, readonly Record<string, string>[]>();
  const ids = new Pseudonymiser(job.idKey);
  const { exportedAt, ingestedAt } = job;
  const writer = new CuratedWriter(lake, orderLines, job.fileStem, job.flushRows);
  const buf = writer.buffer;
  const col = (name: string) => buf.columnIndex(name);
  const [ORDER_ID, LINE_ID, CUSTOMER_ID, ORDER_TS, PAID_TS, STATUS, SKU, PRODUCT_NAME, CATEGORY, QUANTITY] = [
    'order_id',
    'line_id',
    'customer_id',
    'order_ts',
    'paid_ts',
    'status',
    'sku',
    'product_name',
    'category',
    'quantity',
  ].map(col) as number[];
  const [UNIT_PRICE, DISCOUNT, REFUND, CURRENCY, NET, NET_RC, CHANNEL, COUNTRY, WAREHOUSE, REFERRAL] = [
    'unit_price',
    'discount',
    'refund_amount',
    'currency',
    'net_amount',
    'net_amount_rc',
    'channel',
    'country',
    'warehouse',
    'referral_id',
  ].map(col) as number[];
  const [EXPORTED_AT, INGESTED_AT, BATCH_ID] = ['exported_at', 'ingested_at', 'batch_id'].map(
    col,
  ) as number[];
  const orderDate = dayCache(config.timeZone);
  let contactRows = new Map<string, Record<string, unknown>>();
  let contactFlushes = 0;
  const contactIds = new Set<string>();
  const quarantine = new QuarantineLog(file);
  const warnings: string[] = [];
  const missingRate = new Map<string, RateGap>();
  let rowsRead = 0;
  let rowsLanded = 0;

  const sink: OrderLineSink = {
    accept(m: MappedOrderLine) {
      const customerId = m.customer_ref ? ids.id(source, m.customer_ref) : null;
      // The platform's own reference is kept even without e-mail or phone: it is how a TikTok or
      // Taobao buyer is reached (in-app messages), and it is personal data, so restricted too.
      if (customerId) {
        contactRows.set(customerId, {
          customer_id: customerId,
          source_customer_ref: m.customer_ref,
          email: m.email,
          phone: m.phone,
          exported_at: exportedAt,
          batch_id: batchId,
        });
      }
      const net = roundMoney(m.quantity * m.unit_price - m.discount - m.refund_amount);
      const dt = orderDate(m.order_ts);
      let netRc: number | null = null;
      if (m.currency === config.reportingCurrency) netRc = net;
      else {
        const rate = rates.rate(m.currency, dt);
        if (rate !== null) netRc = roundMoney(net * rate);
        else {
          const gap = missingRate.get(m.currency);
          if (!gap) missingRate.set(m.currency, { lines: 1, from: dt, to: dt });
          else {
            gap.lines++;
            if (dt < gap.from) gap.from = dt;
            if (dt > gap.to) gap.to = dt;
          }
        }
      }
      rowsLanded++;
      const row = buf.startRow(dt, () => ({ source, dt }));
      buf.setString(ORDER_ID!, row, m.order_id);
      buf.setString(LINE_ID!, row, m.line_id);
      buf.setString(CUSTOMER_ID!, row, customerId);
      buf.setNumber(ORDER_TS!, row, m.order_ts);
      buf.setNumber(PAID_TS!, row, m.paid_ts);
      buf.setString(STATUS!, row, m.status);
      buf.setString(SKU!, row, m.sku);
      buf.setString(PRODUCT_NAME!, row, m.product_name);
      buf.setString(CATEGORY!, row, m.category);
      buf.setNumber(QUANTITY!, row, m.quantity);
      buf.setNumber(UNIT_PRICE!, row, m.unit_price);
      buf.setNumber(DISCOUNT!, row, m.discount);
      buf.setNumber(REFUND!, row, m.refund_amount);
      buf.setString(CURRENCY!, row, m.currency);
      buf.setNumber(NET!, row, net);
      buf.setNumber(NET_RC!, row, netRc);
      buf.setString(CHANNEL!, row, m.channel);
      buf.setString(COUNTRY!, row, m.country);
      buf.setString(WAREHOUSE!, row, m.warehouse);
      buf.setString(REFERRAL!, row, m.referral_id);
      buf.setNumber(EXPORTED_AT!, row, exportedAt);
      buf.setNumber(INGESTED_AT!, row, ingestedAt);
      buf.setString(BATCH_ID!, row, batchId);
    },
    reject(r: RowRejection) {
      quarantine.add(r);
    },
    warn(message: string) {
      warnings.push(message);
    },
    stage(orderId, rows) {
      staged.set(orderId, rows);
    },
  };

  // Contacts are written with each flush, so a file with millions of customers holds few at a time.
  const flushContacts = async () => {
    if (contactRows.size === 0) return;
    const rows = [...contactRows.values()];
    contactRows = new Map();
    const key = dataFileKey(
      contactsSpec,
      { source },
      `${job.fileStem}-${String(contactFlushes++).padStart(4, '0')}`,
    );
    await lake.put(key, await encodeTable(contactsSpec, rowsToColumns(contactsSpec, rows)));
    for (const r of rows) contactIds.add(r.customer_id as string);
  };

  const mapper = format.open(
    job.header,
    {
      timeZone: job.timeZone,
      currency: config.shopCurrency,
      reportingCurrency: config.reportingCurrency,
      exportedAt,
      ...(partner ? { partner } : {}),
    },
    sink,
  );
  const skipThrough = job.skipHeader ? job.headerLine : 0;
  await readCsvFile(
    job.path,
    job.layout,
    async (records) => {
      for (const rec of records) {
        if (rec.line <= skipThrough) continue;
        rowsRead++;
        if (rec.unterminated) {
          sink.reject(unterminated(rec));
          continue;
        }
        mapper.row(rec.fields, rec.line, sink);
      }
      if (writer.full) {
        await writer.flush();
        await flushContacts();
      }
    },
    (bytes) => onProgress?.(bytes, rowsRead),
    job.range,
  );
  mapper.finish(sink);
  await writer.flush();
  await flushContacts();
  if (format.pairing) await writeStaged(lake, format.pairing.self, batchId, exportedAt, staged);
  return {
    rowsRead,
    rowsLanded,
    quarantine: quarantine.lines,
    reasons: quarantine.reasons,
    warnings,
    missingRate: [...missingRate],
    contactIds: [...contactIds],
    partitions: [...writer.partitionsTouched],
    files: writer.written,
  };
}

/** `YYYY-MM-DD` of an instant in the shop time zone, cached per local day (ingest asks per row). */
function dayCache(timeZone: string): (utcMs: number) => string {
  const DAY = 86_400_000;
  const cache = new Map<number, string>();
  return (utcMs) => {
    const day = Math.floor((utcMs + zoneOffsetMs(utcMs, timeZone)) / DAY);
    let s = cache.get(day);
    if (s === undefined) {
      s = new Date(day * DAY).toISOString().slice(0, 10);
      cache.set(day, s);
    }
    return s;
  };
}

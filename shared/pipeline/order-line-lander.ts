/**
 * Lands mapped order lines in the curated buffer: pseudonymous customer id, net amount and its value
 * in the reporting currency, the order date partition, and the customer's latest contact details.
 * Two entrances with one outcome: `accept` for a line a format mapped field by field, `acceptBytes`
 * for a line the generic byte reader took (its text values go to the buffer as bytes, no strings).
 */

import { InvalidLineError } from '../errors.ts';
import { type MappedOrderLine, unlandable } from '../formats/format.ts';
import { BYTE_FIELDS, type GenericByteRows } from '../formats/generic-bytes.ts';
import { clip, roundMoney } from '../formats/values.ts';
import type { Pseudonymiser } from '../identity.ts';
import { ByteDictionary } from '../parquet/byte-dictionary.ts';
import type { ColumnarBuffer, StringMemo } from '../parquet/columnar-buffer.ts';
import type { RowOf } from '../schemas/table.ts';
import type { contacts } from '../schemas/tables.ts';
import { zoneOffsetMs } from '../time.ts';
import type { RateBook, RateGap } from './fx.ts';

/**
 * A contacts row as the lander makes it. Without compaction_id (null until a compaction rewrites the
 * row); the customer's reference and the export line are always known here (the line read last
 * wins within a batch), though the table's columns admit null: source_customer_ref has since the
 * first schema, source_line for the records written before it.
 */
export type ContactRow = Omit<
  RowOf<typeof contacts>,
  'compaction_id' | 'source_customer_ref' | 'source_line'
> & {
  source_customer_ref: string;
  source_line: number;
};

/** A customer met by the byte path: ids and contact details decoded once, not per line. */
interface KnownCustomer {
  id: string;
  ref: string;
  emailId: number;
  email: string | null;
  phoneId: number;
  phone: string | null;
  /** The pseudonym's id in the customer_id column until the next flush. */
  idMemo: StringMemo;
  /** The customer's row in `contacts` while `contactGeneration` is the lander's. */
  contact: ContactRow | undefined;
  contactGeneration: number;
}

export interface LanderOptions {
  ids: Pseudonymiser;
  rates: RateBook;
  reportingCurrency: string;
  /** The order-date partition is the day in this zone. */
  shopTimeZone: string;
  source: string;
  batchId: string;
  exportedAt: number;
  ingestedAt: number;
  /** Customers the byte path remembers before it starts over (memory flat in file size). */
  knownCustomers?: number;
}

/** The order_lines text columns, in the byte reader's field order (its e-mail and phone follow). */
const TEXT_COLUMNS = BYTE_FIELDS.slice(0, 10);

export class OrderLineLander {
  rowsLanded = 0;
  /** Lines in a currency without a rate on or before their date, by currency. */
  readonly missingRate = new Map<string, RateGap>();
  /** Contact rows of this flush, by customer id (`takeContacts` hands them over). */
  private contacts = new Map<string, ContactRow>();
  private contactGeneration = 0;

  private readonly col: Record<string, number>;
  private readonly text: Int32Array;
  private readonly refs = new ByteDictionary();
  private readonly emails = new ByteDictionary();
  private readonly phones = new ByteDictionary();
  private known: (KnownCustomer | undefined)[] = [];
  private readonly days = new Map<number, string>();
  /** The last day looked up and its date: lines of one order, and date-sorted exports, repeat it. */
  private lastDay = Number.NaN;
  private lastDate = '';
  /** Made once: a closure per line would be garbage per line. */
  private readonly partitionValues = (dt: string) => ({ source: this.source, dt });
  private net = 0;
  /** NaN when there is no rate: a number field stays unboxed (no allocation per line). */
  private netRc = Number.NaN;

  private readonly ids: Pseudonymiser;
  private readonly rates: RateBook;
  private readonly reportingCurrency: string;
  private readonly shopTimeZone: string;
  private readonly source: string;
  private readonly batchId: string;
  private readonly exportedAt: number;
  private readonly ingestedAt: number;
  private readonly knownCustomers: number;

  constructor(
    private readonly buf: ColumnarBuffer,
    o: LanderOptions,
  ) {
    this.ids = o.ids;
    this.rates = o.rates;
    this.reportingCurrency = o.reportingCurrency;
    this.shopTimeZone = o.shopTimeZone;
    this.source = o.source;
    this.batchId = o.batchId;
    this.exportedAt = o.exportedAt;
    this.ingestedAt = o.ingestedAt;
    this.knownCustomers = o.knownCustomers ?? 50_000;
    this.col = Object.fromEntries(buf.spec.columns.map((c, i) => [c.name, i]));
    this.text = Int32Array.from(TEXT_COLUMNS, (c) => buf.columnIndex(c));
  }

  /**
   * A mapped line; `line`: the export line being read when the format handed it over (a grouped
   * format hands an order over at the next order's first line). It only has to grow through the file.
   */
  accept(m: MappedOrderLine, line: number): void {
    // Mappers reject lines that cannot be stored; one that gets here is a bug, and fails the file
    // cleanly (ingest.ts) rather than putting Infinity or a null into a required column.
    const problem = unlandable(m);
    if (problem) {
      throw new InvalidLineError(
        `line ${line}: order ${clip(m.order_id)}: ${problem.column}: ${problem.reason} (a mapper let it through)`,
      );
    }
    const customerId = m.customer_ref ? this.ids.id(this.source, m.customer_ref) : null;
    // The platform's own reference is kept even without e-mail or phone: it is how a TikTok or
    // Taobao buyer is reached (in-app messages), and it is personal data, so restricted too.
    if (customerId && m.customer_ref)
      this.contact(customerId, m.customer_ref, m.email, m.phone, m.name ?? null, line);
    this.settle(m.order_ts, m.quantity, m.unit_price, m.discount, m.refund_amount, m.currency);
    const b = this.buf;
    const values = [
      m.order_id,
      m.line_id,
      customerId,
      m.sku,
      m.product_name,
      m.category,
      m.channel,
      m.country,
      m.warehouse,
      m.referral_id,
    ];
    for (let k = 0; k < values.length; k++) b.setString(this.text[k]!, values[k]!);
    this.setCommon(m.order_ts, m.paid_ts, m.status, m.currency);
    this.setAmounts(m.quantity, m.unit_price, m.discount, m.refund_amount);
  }

  /** A line the byte reader took; its text fields are read from `src` at the reader's bounds. */
  acceptBytes(src: Uint8Array, r: GenericByteRows, line: number): void {
    const customer = this.customer(src, r);
    if (customer.contactGeneration === this.contactGeneration && customer.contact) {
      const row = customer.contact;
      row.email = customer.email;
      row.phone = customer.phone;
      // The generic layout has no name column: the row keeps none.
      row.source_line = line;
    } else {
      customer.contact = this.contact(customer.id, customer.ref, customer.email, customer.phone, null, line);
      customer.contactGeneration = this.contactGeneration;
    }
    this.settle(r.orderTs, r.quantity, r.unitPrice, r.discount, r.refund, r.currency);
    const b = this.buf;
    // customer_id (field 2) is the pseudonym, not the bytes.
    for (let k = 0; k < TEXT_COLUMNS.length; k++) {
      const c = this.text[k]!;
      if (k === 2) b.setStringMemo(c, customer.id, customer.idMemo);
      else if (r.start[k] === r.end[k]) b.setString(c, null);
      else b.setBytes(c, src, r.start[k]!, r.end[k]!);
    }
    this.setCommon(r.orderTs, r.paidTs, r.status, r.currency);
    this.setAmounts(r.quantity, r.unitPrice, r.discount, r.refund);
  }

  private customer(src: Uint8Array, r: GenericByteRows): KnownCustomer {
    if (this.refs.size >= this.knownCustomers) {
      this.refs.clear();
      this.emails.clear();
      this.phones.clear();
      this.known = [];
    }
    const rid = this.refs.intern(src, r.start[2]!, r.end[2]!);
    let c = this.known[rid];
    if (!c) {
      const ref = this.refs.string(rid);
      c = {
        id: this.ids.id(this.source, ref),
        ref,
        emailId: -1,
        email: null,
        phoneId: -1,
        phone: null,
        idMemo: { generation: -1, id: -1 },
        contact: undefined,
        contactGeneration: -1,
      };
      this.known[rid] = c;
    }
    // E-mail (field 10) and phone (11) are compared as bytes; a string is made only when they change.
    const es = r.start[10]!;
    const ee = r.end[10]!;
    if (es === ee) {
      c.emailId = -1;
      c.email = null;
    } else if (c.emailId < 0 || !this.emails.equals(c.emailId, src, es, ee)) {
      c.emailId = this.emails.intern(src, es, ee);
      c.email = this.emails.string(c.emailId);
    }
    const ps = r.start[11]!;
    const pe = r.end[11]!;
    if (ps === pe) {
      c.phoneId = -1;
      c.phone = null;
    } else if (c.phoneId < 0 || !this.phones.equals(c.phoneId, src, ps, pe)) {
      c.phoneId = this.phones.intern(src, ps, pe);
      c.phone = this.phones.string(c.phoneId);
    }
    return c;
  }

  /** The customer's latest contact details since contacts were last written: the last line wins. */
  private contact(
    customerId: string,
    ref: string,
    email: string | null,
    phone: string | null,
    name: string | null,
    line: number,
  ): ContactRow {
    const c = this.contacts.get(customerId);
    if (!c) {
      const row: ContactRow = {
        customer_id: customerId,
        source_customer_ref: ref,
        email,
        phone,
        name,
        exported_at: this.exportedAt,
        batch_id: this.batchId,
        source_line: line,
      };
      this.contacts.set(customerId, row);
      return row;
    }
    c.email = email;
    c.phone = phone;
    // A name is on some orders only (Shopify's billing name is empty on a POS sale): kept once known.
    c.name = name ?? c.name;
    c.source_line = line;
    return c;
  }

  /** The contact rows since the last call (each customer's latest details), and a fresh start. */
  takeContacts(): ContactRow[] {
    const rows = [...this.contacts.values()];
    this.contacts = new Map();
    this.contactGeneration++;
    return rows;
  }

  /** Net amounts and the order-date partition of a line; starts its buffer row. */
  private settle(
    orderTs: number,
    quantity: number,
    unitPrice: number,
    discount: number,
    refund: number,
    currency: string,
  ): void {
    const net = roundMoney(quantity * unitPrice - discount - refund);
    const dt = this.orderDate(orderTs);
    let netRc = Number.NaN;
    if (currency === this.reportingCurrency) netRc = net;
    else {
      const rate = this.rates.rate(currency, dt);
      if (rate !== null) netRc = roundMoney(net * rate);
      else {
        const gap = this.missingRate.get(currency);
        if (!gap) this.missingRate.set(currency, { lines: 1, from: dt, to: dt });
        else {
          gap.lines++;
          if (dt < gap.from) gap.from = dt;
          if (dt > gap.to) gap.to = dt;
        }
      }
    }
    this.net = net;
    this.netRc = netRc;
    this.rowsLanded++;
    this.buf.startRow(dt, this.partitionValues);
  }

  private setCommon(orderTs: number, paidTs: number | null, status: string, currency: string): void {
    const b = this.buf;
    const col = this.col;
    b.setNumber(col.order_ts!, orderTs);
    b.setNumber(col.paid_ts!, paidTs);
    b.setString(col.status!, status);
    b.setString(col.currency!, currency);
    b.setNumber(col.net_amount!, this.net);
    b.setNumber(col.net_amount_rc!, this.netRc); // NaN: null
    b.setNumber(col.exported_at!, this.exportedAt);
    b.setNumber(col.ingested_at!, this.ingestedAt);
    b.setString(col.batch_id!, this.batchId);
    // Ingest writes a batch's own files; only a compaction sets this (lake/compaction.ts).
    b.setString(col.compaction_id!, null);
  }

  private setAmounts(quantity: number, unitPrice: number, discount: number, refund: number): void {
    const b = this.buf;
    const col = this.col;
    b.setNumber(col.quantity!, quantity);
    b.setNumber(col.unit_price!, unitPrice);
    b.setNumber(col.discount!, discount);
    b.setNumber(col.refund_amount!, refund);
  }

  /** `YYYY-MM-DD` of an instant in the shop time zone, cached per local day (asked per line). */
  private orderDate(utcMs: number): string {
    const DAY = 86_400_000;
    const day = Math.floor((utcMs + zoneOffsetMs(utcMs, this.shopTimeZone)) / DAY);
    if (day === this.lastDay) return this.lastDate;
    let s = this.days.get(day);
    if (s === undefined) {
      s = new Date(day * DAY).toISOString().slice(0, 10);
      this.days.set(day, s);
    }
    this.lastDay = day;
    this.lastDate = s;
    return s;
  }
}

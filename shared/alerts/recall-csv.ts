/**
 * The recall list a CRM imports: one row per alert with the customer's contact details, joined at this
 * step only. Cells are spreadsheet-safe (no formula injection from names or e-mails in exports).
 */
import { toCsv } from '../csv/writer.ts';
import { query, type ShapedRow } from '../stages/row-shape.ts';
import type { ChurnRecallAlert } from './churn-recall.ts';

/** The latest contact details of the day's alerted customers (the churn-recall sink runs it). */
export const recallContacts = query('recall_contacts', {
  customer_id: 'string',
  source_customer_ref: 'string?',
  name: 'string?',
  email: 'string?',
  phone: 'string?',
});
export type Contact = ShapedRow<typeof recallContacts.shape>;

export const RECALL_CSV_COLUMNS = [
  'customer_id',
  'source_customer_ref',
  'name',
  'email',
  'phone',
  'segment',
  'segment_zh',
  'last_order_date',
  'recency_days',
  'frequency',
  'monetary',
  'p_alive',
  'value_at_risk',
  'offer',
  'reason',
] as const;

const round = (v: number, places: number): number => {
  const f = 10 ** places;
  return Math.round(v * f) / f;
};

export function recallCsv(
  alerts: readonly ChurnRecallAlert[],
  contacts: ReadonlyMap<string, Contact>,
): string {
  const rows = alerts.map((a) => {
    const c = contacts.get(a.customer_id);
    return {
      ...a,
      // Money to the cent, probabilities to 3 places: a CRM imports 1280.47, not 1280.4700000000003.
      monetary: round(a.monetary, 2),
      p_alive: a.p_alive === null ? null : round(a.p_alive, 3),
      value_at_risk: a.value_at_risk === null ? null : round(a.value_at_risk, 2),
      source_customer_ref: c?.source_customer_ref,
      name: c?.name,
      email: c?.email,
      phone: c?.phone,
    };
  });
  return toCsv(RECALL_CSV_COLUMNS, rows, true);
}

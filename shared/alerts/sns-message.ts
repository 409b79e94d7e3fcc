/** The churn-recall notification: a short text an operator reads on a phone, pointing at the full list. */
import type { ChurnRecallAlert } from './churn-recall.ts';
import type { StockoutAlert } from './stockout.ts';

export function recallNotification(
  asOf: string,
  alerts: readonly ChurnRecallAlert[],
  listUri: string,
  reportUrl?: string,
): { subject: string; message: string } {
  const subject = `storepulse ${asOf}: ${alerts.length} valuable customer(s) to recall`.slice(0, 100);
  const top = alerts
    .slice(0, 10)
    .map(
      (a) =>
        `- ${a.customer_id} (${a.segment_zh} ${a.segment}): last order ${a.last_order_date}, spend ${a.monetary.toFixed(2)}; ${a.offer}`,
    );
  const message = [
    `${alerts.length} customer(s) crossed into a sleeping segment as of ${asOf}.`,
    ...(top.length ? ['', 'Highest spend first:', ...top] : []),
    ...(alerts.length > top.length ? [`... and ${alerts.length - top.length} more.`] : []),
    '',
    `Recall list for the CRM (CSV): ${listUri}`,
    ...(reportUrl ? [`Today's report: ${reportUrl}`] : []),
  ].join('\n');
  return { subject, message };
}

/** The stockout notification: the most severe items first, pointing at the CSV for the buyer. */
export function stockoutNotification(
  date: string,
  alerts: readonly StockoutAlert[],
  csvUri: string,
  reportUrl?: string,
): { subject: string; message: string } {
  const critical = alerts.filter((a) => a.severity === 'critical').length;
  const subject =
    `storepulse ${date}: ${alerts.length} stockout warning(s)${critical ? `, ${critical} critical` : ''}`.slice(
      0,
      100,
    );
  const top = alerts.slice(0, 10).map((a) => {
    const cover = a.days_of_cover === null ? 'no demand' : `${a.days_of_cover.toFixed(1)} days of cover`;
    const out = a.expected_stockout_date ? `, out ${a.expected_stockout_date}` : '';
    return `- [${a.severity}] ${a.sku} @ ${a.warehouse} (class ${a.abc_class}): ${a.available} available, ${cover}${out}; order ${a.suggested_order_qty}`;
  });
  const message = [
    `${alerts.length} item(s) are below their reorder point or will run out within their lead time (${date}).`,
    '',
    ...top,
    ...(alerts.length > top.length ? [`... and ${alerts.length - top.length} more.`] : []),
    '',
    `All warnings (CSV): ${csvUri}`,
    ...(reportUrl ? [`Today's report: ${reportUrl}`] : []),
  ].join('\n');
  return { subject, message };
}

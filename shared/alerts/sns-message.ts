/** The churn-recall notification: a short text an operator reads on a phone, pointing at the full list. */
import type { ChurnRecallAlert } from './churn-recall.ts';

export function recallNotification(
  asOf: string,
  alerts: readonly ChurnRecallAlert[],
  listUri: string,
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
  ].join('\n');
  return { subject, message };
}

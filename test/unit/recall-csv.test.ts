import { describe, expect, it } from 'vitest';
import { recallCsv } from '../../shared/alerts/recall-csv.ts';
import { parseCsv } from '../../shared/csv/parser.ts';
import { csvCell } from '../../shared/csv/writer.ts';

describe('CSV output', () => {
  it('quotes per RFC 4180', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(1.5)).toBe('1.5');
  });

  it('neutralises formulas in spreadsheet-safe mode (OWASP CSV injection)', () => {
    for (const v of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx'])
      expect(csvCell(v, true).replace(/^"|"$/g, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("x")', true)).toBe('"\'=HYPERLINK(""x"")"');
    // numbers stay numbers
    expect(csvCell(-5, true)).toBe('-5');
    // A phone number is no formula: a CRM or SMS import gets it as written.
    for (const phone of ['+1 555 0100', '+86 138-0013-8000', '+44 (20) 7946 0958', '+4915112345678'])
      expect(csvCell(phone, true)).toBe(phone);
    for (const v of ['+1+1', '+1 555 0100)*A1', '+1 555 =A1']) expect(csvCell(v, true)).toMatch(/^"?'/);
  });

  it('writes the recall list in the shape a CRM imports: phones as written, money and probabilities rounded', () => {
    const csv = recallCsv(
      [
        {
          customer_id: 'c1',
          segment: 'important_retention',
          segment_zh: '重要保持客户',
          reason: 'r',
          last_order_date: '2026-01-01',
          recency_days: 200,
          frequency: 4,
          monetary: 1280.4700000000003,
          p_alive: 0.123456789,
          clv_12m: 40,
          value_at_risk: 987.654321,
          offer: 'o',
        },
      ],
      new Map([
        [
          'c1',
          {
            customer_id: 'c1',
            source_customer_ref: '1001',
            name: null,
            email: 'a@example.com',
            phone: '+1 555 0100',
          },
        ],
      ]),
    );
    const [header, row] = parseCsv(csv).map((r) => r.fields);
    const cell = (name: string) => row![header!.indexOf(name)];
    expect(cell('phone')).toBe('+1 555 0100');
    expect(cell('monetary')).toBe('1280.47');
    expect(cell('p_alive')).toBe('0.123');
    expect(cell('value_at_risk')).toBe('987.65');
  });

  it('joins contact details into the recall list', () => {
    const csv = recallCsv(
      [
        {
          customer_id: 'c1',
          segment: 'important_winback',
          segment_zh: '重要挽留客户',
          reason: 'r',
          last_order_date: '2026-01-01',
          recency_days: 90,
          frequency: 1,
          monetary: 500,
          p_alive: 0.25,
          clv_12m: 40,
          value_at_risk: 300,
          offer: 'o',
        },
      ],
      new Map([
        [
          'c1',
          {
            customer_id: 'c1',
            source_customer_ref: '=cmd|calc',
            name: '@Ann Lee',
            email: 'x@example.com',
            phone: null,
          },
        ],
      ]),
    );
    expect(csv.split('\r\n')[1]).toBe(
      "c1,'=cmd|calc,'@Ann Lee,x@example.com,,important_winback,重要挽留客户,2026-01-01,90,1,500,0.25,300,o,r",
    );
  });
});

describe('stockout notification', () => {
  it('leads with the count and the critical ones, lists the top items and links the CSV', async () => {
    const { stockoutNotification } = await import('../../shared/alerts/sns-message.ts');
    const alert = {
      severity: 'critical' as const,
      sku: 'FAST',
      warehouse: 'WH1',
      abc_class: 'A' as const,
      available: 12,
      inbound: 0,
      reorder_point: 35,
      days_of_cover: 2.4,
      expected_stockout_date: '2026-11-27',
      suggested_order_qty: 58,
      reason: 'x',
      triggered_by: 'inventory_drop' as const,
    };
    const { subject, message } = stockoutNotification('2026-11-24', [alert], 's3://lake/alerts/stockout.csv');
    expect(subject).toBe('storepulse 2026-11-24: 1 stockout warning(s), 1 critical');
    expect(message).toContain(
      '- [critical] FAST @ WH1 (class A): 12 available, 2.4 days of cover, out 2026-11-27; order 58',
    );
    expect(message).toContain('All warnings (CSV): s3://lake/alerts/stockout.csv');
  });
});

/**
 * RFC 4180 CSV output. `spreadsheetSafe` neutralises cells a spreadsheet would run as a formula
 * (OWASP "CSV injection": leading = + - @ TAB CR) by prefixing a single quote, for files a CRM or
 * an operator opens in Excel; a phone number in international form (+1 555 …) is left as written.
 */
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * A phone number in international form (+1 555 0100, +86 138-0013-8000, +44 (20) 7946 0958): it
 * starts with + but holds no operator, reference or function a spreadsheet could run, and a CRM or
 * SMS import needs it as written.
 */
const PHONE = /^\+\d[\d ().-]{4,}\d$/;

export function csvCell(value: unknown, spreadsheetSafe = false): string {
  if (value === null || value === undefined) return '';
  let s = value instanceof Date ? value.toISOString() : String(value);
  if (spreadsheetSafe && typeof value === 'string' && FORMULA_START.test(s) && !PHONE.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) || (s !== s.trim() && s.length > 0) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const csvLine = (values: readonly unknown[], spreadsheetSafe = false): string =>
  `${values.map((v) => csvCell(v, spreadsheetSafe)).join(',')}\r\n`;

export function toCsv(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  spreadsheetSafe = false,
): string {
  return (
    csvLine(columns) +
    rows
      .map((r) =>
        csvLine(
          columns.map((c) => r[c]),
          spreadsheetSafe,
        ),
      )
      .join('')
  );
}

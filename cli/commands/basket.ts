import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { binaryContainer } from '../../shared/csv/file-kind.ts';
import { parseCsv } from '../../shared/csv/parser.ts';
import { UnreadableFileError, UsageError } from '../../shared/errors.ts';
import { DEFAULT_BASKET_PARAMS, mineRules, type Rule } from '../../shared/models/basket.ts';
import { basketsOf } from '../../shared/pipeline/basket-run.ts';
import { type Command, str } from '../command.ts';
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from '../output.ts';

/** One transaction per line, items separated by commas (RFC 4180 quoting), items trimmed. */
export function readBasketFile(text: string): string[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return parseCsv(body).map((r) => [...new Set(r.fields.map((f) => f.trim()).filter((f) => f !== ''))]);
}

/** Two columns, transaction id and item; a first row `transaction_id,item` is a header. */
export function readLongFile(text: string, file: string): string[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records = parseCsv(body);
  const first = records[0]?.fields.map((f) => f.trim().toLowerCase());
  const start = first && first[0] === 'transaction_id' && first[1] === 'item' ? 1 : 0;
  const rows = records.slice(start).map((r) => {
    if (r.fields.length !== 2) {
      throw new UnreadableFileError(
        file,
        `line ${r.line}: a --long file has two columns, transaction_id,item`,
      );
    }
    return { basket: r.fields[0]!.trim(), item: r.fields[1]!.trim() || null };
  });
  return basketsOf(rows);
}

const number = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v))
    throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return v;
};

/** Rules as the JSON and CSV outputs show them: item lists as arrays, conviction Infinity as null. */
const ruleRecord = (r: Rule) => ({
  antecedent: r.antecedent,
  consequent: r.consequent,
  support: r.support,
  confidence: r.confidence,
  lift: r.lift,
  leverage: r.leverage,
  conviction: Number.isFinite(r.conviction) ? r.conviction : null,
  count: r.count,
});

export const basketCommand: Command = {
  name: 'basket',
  summary: 'mine association rules from a basket file (arules apriori semantics)',
  help: `Usage: storepulse basket FILE [options]

Mines frequent itemsets (FP-Growth) and the association rules with one item on the right-hand side,
as the R package arules' apriori does: same rules, same support, confidence, lift, leverage,
conviction and count. FILE has one transaction per line, items separated by commas (RFC 4180
quoting, so an item may hold a comma or a quote; items are trimmed; UTF-8), or with --long two
columns transaction_id,item. Rules are sorted by lift, then confidence, then support.

Options:
  --long                  FILE has two columns: transaction_id,item (a header row is optional)
  --min-support S         minimum support, a share of transactions (default ${DEFAULT_BASKET_PARAMS.minSupport})
  --min-confidence C      minimum confidence (default ${DEFAULT_BASKET_PARAMS.minConfidence})
  --min-lift L            minimum lift (default ${DEFAULT_BASKET_PARAMS.minLift}: no filter)
  --max-length N          most items in a rule, both sides (default ${DEFAULT_BASKET_PARAMS.maxLength})
  --format table|csv|json output (default table); json is an array of
                          {"antecedent": [..], "consequent": [..], "support", "confidence", "lift",
                          "leverage", "conviction", "count"} with conviction null where infinite
  -h, --help              this help

Example (arules' Groceries, 5,668 rules):
  storepulse basket groceries.csv --min-support 0.001 --min-confidence 0.5
`,
  options: {
    long: { type: 'boolean', default: false },
    'min-support': { type: 'string' },
    'min-confidence': { type: 'string' },
    'min-lift': { type: 'string' },
    'max-length': { type: 'string' },
    format: { type: 'string', short: 'f', default: 'table' },
  },
  async run(values, positionals, io) {
    if (positionals.length !== 1) throw new UsageError('basket takes exactly one FILE');
    const format = str(values.format) as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) {
      throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${format}"`);
    }
    const params = {
      minSupport: number('min-support', str(values['min-support']), DEFAULT_BASKET_PARAMS.minSupport),
      minConfidence: number(
        'min-confidence',
        str(values['min-confidence']),
        DEFAULT_BASKET_PARAMS.minConfidence,
      ),
      minLift: number('min-lift', str(values['min-lift']), DEFAULT_BASKET_PARAMS.minLift),
      maxLength: number('max-length', str(values['max-length']), DEFAULT_BASKET_PARAMS.maxLength),
    };
    const path = positionals[0]!;
    const bytes = await readFile(path).catch((cause) => {
      throw new UnreadableFileError(path, 'cannot open the file', { cause });
    });
    // Binary input (a workbook, an archive) would be mined as "transactions" of byte soup.
    const container = binaryContainer(bytes);
    if (container) throw new UnreadableFileError(path, `this is ${container}`);
    if (!isUtf8(bytes) || bytes.includes(0))
      throw new UnreadableFileError(
        path,
        'not UTF-8 text: a basket file is a UTF-8 CSV (save it as "CSV UTF-8" in Excel)',
      );
    const text = bytes.toString('utf8');
    const transactions = values.long ? readLongFile(text, path) : readBasketFile(text);
    let result: Awaited<ReturnType<typeof mineRules>>;
    try {
      result = await mineRules(transactions, params);
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
    io.err(
      `${result.transactions.toLocaleString('en-US')} transactions, ${result.frequentItemsets.toLocaleString('en-US')} frequent itemsets, ${result.rules.length.toLocaleString('en-US')} rules\n`,
    );
    const rows = result.rules.map(ruleRecord);
    if (format === 'json') {
      io.out(`${JSON.stringify(rows)}\n`);
      return 0;
    }
    const flat = rows.map((r) => ({
      ...r,
      antecedent: `{${r.antecedent.join(', ')}}`,
      consequent: `{${r.consequent.join(', ')}}`,
    }));
    io.out(
      formatRows(
        format,
        ['antecedent', 'consequent', 'support', 'confidence', 'lift', 'leverage', 'conviction', 'count'],
        flat,
      ),
    );
    return 0;
  },
};

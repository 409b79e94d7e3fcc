/**
 * SQL text read by hand where DuckDB's parser is not asked: positions as Trino reports them in errors
 * (`line L:C`), blanks and comments, quoted runs, parentheses; and quoting for the SQL this stand-in
 * writes for DuckDB.
 */

export const lineCol = (text: string, offset: number): string => {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}:${col}`;
};

/** Skips blanks and comments from i; returns the next index. */
export function skipTrivia(s: string, i: number): number {
  for (;;) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s.startsWith('--', i)) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl + 1;
    } else if (s.startsWith('/*', i)) {
      const end = s.indexOf('*/', i + 2);
      i = end < 0 ? s.length : end + 2;
    } else return i;
  }
}

/** The end index (exclusive) of a quoted run starting at i (quote char doubled inside). */
export function skipQuoted(s: string, i: number): number {
  const q = s[i]!;
  let j = i + 1;
  for (;;) {
    const k = s.indexOf(q, j);
    if (k < 0) return s.length;
    if (s[k + 1] === q) j = k + 2;
    else return k + 1;
  }
}

/** Index of the parenthesis closing the one at `open`, skipping literals, identifiers and comments. */
export function matchingParen(s: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'" || c === '"') i = skipQuoted(s, i);
    else if (s.startsWith('--', i) || s.startsWith('/*', i)) i = skipTrivia(s, i);
    else {
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return i;
      i++;
    }
  }
  return -1;
}

/** Offsets of `::` outside literals, quoted identifiers and comments (DuckDB casts; not Trino SQL). */
export function doubleColonCasts(s: string): number[] {
  const found: number[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'" || c === '"') i = skipQuoted(s, i);
    else if (s.startsWith('--', i) || s.startsWith('/*', i)) i = skipTrivia(s, i);
    else if (s.startsWith('::', i)) {
      found.push(i);
      i += 2;
    } else i++;
  }
  return found;
}

export const wordAt = (s: string, i: number): string => /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i))?.[0] ?? '';

export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
export const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;

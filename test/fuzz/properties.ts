/**
 * Damaged exports and what ingest must make of them (issue 22). A case is a valid export of one
 * layout (layouts.ts) and one damage: a field dropped or added, a required cell emptied, a number
 * too large or negative, a stray quote, the file cut short, bytes flipped. The oracle is what the
 * same code makes of the undamaged file:
 *
 * - the undamaged file lands every order, nothing quarantined;
 * - every order (a row, for the generic layout) that lands is exactly an order of the original:
 *   never a part of one, never one with a changed value;
 * - every order the damage cannot have touched lands (for a cut file or flipped bytes, the orders
 *   before the damaged row and its neighbour);
 * - every record of the damaged file is either landed or in quarantine, none dropped silently;
 * - every landed value is finite and in range;
 * - a file that cannot be read at all is refused as a whole (ingest-level checks: kept byte for byte).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseCsv } from '../../shared/csv/parser.ts';
import { UnreadableFileError } from '../../shared/errors.ts';
import type { MappedOrderLine } from '../../shared/formats/format.ts';
import { cleanCell } from '../../shared/formats/values.ts';
import { type Mapped, mapFile, type StagedOrder } from '../format-harness.ts';
import {
  decode,
  encode,
  type GenOrder,
  layoutNamed,
  type OrderLayout,
  ordersArb,
  rowsOf,
  writeText,
} from './layouts.ts';

export type Damage =
  | { kind: 'none' }
  | { kind: 'drop'; row: number; at: number }
  | { kind: 'add'; row: number; at: number; value: string }
  | { kind: 'empty'; row: number; column: number }
  | { kind: 'huge'; row: number; column: number; value: string }
  | { kind: 'negative'; row: number; column: number }
  | { kind: 'quote'; row: number; at: number }
  | { kind: 'cut'; at: number; anywhere: boolean }
  | { kind: 'flip'; at: number[]; bytes: number[] };

const frac = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

export const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Damage>({ kind: 'none' }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('drop' as const), row: frac, at: frac }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      row: frac,
      at: frac,
      value: fc.constantFrom('', 'x', '12.00', 'extra, field'),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('empty' as const), row: frac, column: frac }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      row: frac,
      column: frac,
      value: fc.oneof(
        fc.integer({ min: 14, max: 400 }).map((n) => `${'9'.repeat(n)}.99`),
        fc.constantFrom('1e400', '99999999999999999999', 'Infinity', 'NaN'),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('negative' as const), row: frac, column: frac }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('quote' as const), row: frac, at: frac }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('cut' as const), at: frac, anywhere: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      at: fc.array(frac, { minLength: 1, maxLength: 3 }),
      bytes: fc.array(
        fc.oneof(fc.constantFrom(0x2c, 0x09, 0x22, 0x0a, 0x0d, 0x27), fc.integer({ min: 0, max: 255 })),
        {
          minLength: 3,
          maxLength: 3,
        },
      ),
    }),
  },
);

/** One case: orders written in a layout, and one damage (the layout is not part of it, so a failing case prints small). */
export interface Case {
  orders: GenOrder[];
  damage: Damage;
}

export const caseArb = (layout: OrderLayout): fc.Arbitrary<Case> =>
  fc.record({ orders: ordersArb(layout), damage: damageArb });

/** A built case: the files, the unit (order or row) of each data row, and what the damage allows. */
export interface Built {
  original: Uint8Array;
  damaged: Uint8Array;
  /** The partner half's undamaged file (Taobao). */
  partner?: { layout: OrderLayout; bytes: Uint8Array };
  units: string[];
  /** Units that may be missing from what lands. */
  mayMiss: Set<string>;
  /** Units that may land with other values (a cut-short last field). */
  mayDiffer: Set<string>;
  /** False when records may have merged or split so that counting them proves nothing (flips). */
  countable: boolean;
  /** The damage may have changed an order id's value (a stray quote in it): no line counts hold. */
  idsMayChange: boolean;
  describe: string;
}

const pick = <T>(xs: readonly T[], f: number): T => xs[Math.min(xs.length - 1, Math.floor(f * xs.length))]!;

export function build(layout: OrderLayout, c: Case): Built {
  const { orders, damage } = c;
  const rows = rowsOf(layout, orders);
  const idIdx = layout.header.findIndex((h) => h.trim() === layout.idColumn);
  const lineIdx = layout.header.indexOf('line_id');
  const unitOf = (cells: readonly string[]) => {
    const id = cleanCell(cells[idIdx] ?? '');
    return layout.unit === 'row' ? `${id}|${cells[lineIdx]}` : id;
  };
  const units = rows.map((r) => unitOf(r.cells));
  const original = writeText(
    layout,
    rows.map((r) => r.cells),
  );
  const cells = rows.map((r) => [...r.cells]);
  const mayMiss = new Set<string>();
  const mayDiffer = new Set<string>();
  let countable = true;
  let idsMayChange = false;
  let describe: string = damage.kind;
  const around = (r: number) => {
    mayMiss.add(units[r]!);
    if (layout.unit === 'order') {
      if (r > 0) mayMiss.add(units[r - 1]!);
      if (r + 1 < units.length) mayMiss.add(units[r + 1]!);
    }
  };
  const fromRow = (r: number) => {
    for (let k = Math.max(0, layout.unit === 'order' ? r - 1 : r); k < units.length; k++)
      mayMiss.add(units[k]!);
  };
  const named = (row: number, column: number, list: readonly string[]) => {
    const name = pick(list, column);
    const at = layout.header.findIndex((h) => h.trim() === name);
    describe = `${damage.kind} ${name} on data row ${row + 1}`;
    return at;
  };
  switch (damage.kind) {
    case 'none':
      break;
    case 'drop': {
      const r = Math.floor(damage.row * rows.length);
      const at = Math.floor(damage.at * cells[r]!.length);
      cells[r]!.splice(at, 1);
      describe = `drop field ${at} of data row ${r + 1}`;
      around(r);
      break;
    }
    case 'add': {
      const r = Math.floor(damage.row * rows.length);
      const at = Math.floor(damage.at * (cells[r]!.length + 1));
      cells[r]!.splice(at, 0, damage.value);
      describe = `add field "${damage.value}" at ${at} of data row ${r + 1}`;
      around(r);
      break;
    }
    case 'empty': {
      const r = Math.floor(damage.row * rows.length);
      cells[r]![named(r, damage.column, layout.required)] = '';
      around(r);
      break;
    }
    case 'huge':
    case 'negative': {
      const r = Math.floor(damage.row * rows.length);
      const at = named(r, damage.column, layout.numbers);
      const was = cells[r]![at]!;
      cells[r]![at] = damage.kind === 'huge' ? damage.value : was.startsWith('-') ? was.slice(1) : `-${was}`;
      describe += ` (${clipText(cells[r]![at]!)})`;
      around(r);
      break;
    }
    case 'quote':
    case 'cut':
    case 'flip':
      break;
  }
  let text = writeText(layout, cells).text;
  let damaged = encode(layout, text);
  const byteStarts = original.rowStarts.map((s) => encode(layout, original.text.slice(0, s)).length);
  const rowAt = (byte: number) => {
    let r = -1;
    for (let k = 0; k < byteStarts.length; k++) if (byteStarts[k]! <= byte) r = k;
    return r;
  };
  // In a file that never quotes (Amazon) a quote is an ordinary character: a changed value, which
  // nothing can tell from a real one. Only quoting layouts get this damage.
  if (damage.kind === 'quote' && layout.quoting !== 'none') {
    const r = Math.floor(damage.row * rows.length);
    const at = Math.floor(damage.at * cells[r]!.length);
    const start = original.rowStarts[r]!;
    const line = text.slice(start, original.rowStarts[r + 1] ?? text.length);
    const offsets = [0];
    for (let k = 0; k < line.length; k++) if (line[k] === layout.delimiter) offsets.push(k + 1);
    const pos = start + (offsets[Math.min(at, offsets.length - 1)] ?? 0);
    text = `${text.slice(0, pos)}"${text.slice(pos)}`;
    damaged = encode(layout, text);
    describe = `stray quote in field ${at} of data row ${r + 1}`;
    // The quote may only change a value (`""a""` reads as `"a"`), or swallow rows up to the next quote.
    fromRow(r);
    for (const u of mayMiss) mayDiffer.add(u);
    idsMayChange = true;
  }
  if (damage.kind === 'cut') {
    const dataStart = byteStarts[0]!;
    const from = damage.anywhere ? 1 : dataStart;
    const at = from + Math.floor(damage.at * (damaged.length - 1 - from));
    damaged = damaged.slice(0, at);
    const r = rowAt(at - 1);
    describe = `cut at byte ${at} of ${encode(layout, original.text).length} (data row ${r + 1})`;
    if (r < 0) fromRow(0);
    else {
      fromRow(r);
      mayDiffer.add(units[r]!);
    }
  }
  if (damage.kind === 'flip') {
    damaged = Uint8Array.from(damaged);
    const positions = damage.at.map((f) => Math.floor(f * damaged.length));
    positions.forEach((p, k) => {
      damaged[p] = damage.bytes[k]!;
    });
    const first = Math.min(...positions);
    const r = rowAt(first);
    describe = `flip byte(s) ${positions.join(', ')} to ${damage.bytes.slice(0, positions.length).join(', ')} (first in data row ${r + 1})`;
    fromRow(Math.max(0, r));
    for (const u of mayMiss) mayDiffer.add(u);
    countable = false;
  }
  const built: Built = {
    original: encode(layout, original.text),
    damaged,
    units,
    mayMiss,
    mayDiffer,
    countable,
    idsMayChange,
    describe,
  };
  if (layout.partner) {
    const partner = layoutNamed(layout.partner);
    built.partner = {
      layout: partner,
      bytes: encode(
        partner,
        writeText(
          partner,
          rowsOf(partner, orders).map((r) => r.cells),
        ).text,
      ),
    };
  }
  return built;
}

const clipText = (s: string) => (s.length > 24 ? `${s.slice(0, 24)}…(${s.length})` : s);

export type Outcome = { unreadable: string } | { mapped: Mapped };

/** Reads bytes as ingest does, in memory (test/format-harness.ts), into a scratch folder. */
export class Reader {
  // A memory-backed folder where there is one: each case writes and reads a few small files.
  private readonly dir = mkdtempSync(
    join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'storepulse-fuzz-'),
  );
  private n = 0;

  async read(
    layout: OrderLayout,
    bytes: Uint8Array,
    partner?: ReadonlyMap<string, StagedOrder>,
  ): Promise<Outcome> {
    const path = join(this.dir, `${this.n++ % 4}-${layout.file}`);
    writeFileSync(path, bytes);
    try {
      return { mapped: await mapFile(path, { currency: 'USD', ...(partner ? { partner } : {}) }) };
    } catch (err) {
      if (err instanceof UnreadableFileError) return { unreadable: err.message };
      throw err;
    }
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Values every landed line must have, checked independently of the code under test. */
export function lineProblem(l: MappedOrderLine): string | undefined {
  const amount = (v: number) => Number.isFinite(v) && v >= 0 && v <= 1e13;
  if (!l.order_id || !l.line_id) return 'empty id';
  if (!Number.isFinite(l.order_ts) || (l.paid_ts !== null && !Number.isFinite(l.paid_ts))) return 'time';
  if (!Number.isInteger(l.quantity) || l.quantity < 0) return `quantity ${l.quantity}`;
  if (!amount(l.unit_price) || !amount(l.discount) || !amount(l.refund_amount))
    return `amounts ${l.unit_price} ${l.discount} ${l.refund_amount}`;
  if (!/^[A-Z]{3}$/.test(l.currency)) return `currency ${l.currency}`;
  return undefined;
}

function byUnit(layout: OrderLayout, lines: readonly MappedOrderLine[]): Map<string, MappedOrderLine[]> {
  const out = new Map<string, MappedOrderLine[]>();
  for (const l of lines) {
    const key = layout.unit === 'row' ? `${l.order_id}|${l.line_id}` : l.order_id;
    const list = out.get(key) ?? [];
    list.push(l);
    out.set(key, list);
  }
  return out;
}

/** Records after the header, as the parser splits the damaged file. */
function recordCount(layout: OrderLayout, bytes: Uint8Array): number {
  const text = decode(layout, bytes).replace(/^\uFEFF/, '');
  const header = 1 + (layout.preamble ? 1 : 0);
  return parseCsv(text, layout.delimiter, layout.quoting !== 'none').filter((r) => r.line > header).length;
}

/** The staged partner rows (Taobao): the undamaged partner file, read. */
export async function stagedPartner(
  reader: Reader,
  built: Built,
): Promise<Map<string, StagedOrder> | undefined> {
  if (!built.partner) return undefined;
  const p = await reader.read(built.partner.layout, built.partner.bytes);
  if (!('mapped' in p)) throw new Error(`partner file unreadable: ${p.unreadable}`);
  return p.mapped.staged;
}

/**
 * Checks one case at the mapping level; throws with what went wrong. Returns the two outcomes for
 * the ingest-level comparison.
 */
export async function checkCase(
  reader: Reader,
  layout: OrderLayout,
  c: Case,
  built = build(layout, c),
): Promise<{ damaged: Outcome }> {
  const partner = await stagedPartner(reader, built);
  const orig = await reader.read(layout, built.original, partner);
  if (!('mapped' in orig)) throw new Error(`the undamaged file is unreadable: ${orig.unreadable}`);
  const o = orig.mapped;
  const fail = (what: string): never => {
    throw new Error(`${layout.format}, ${built.describe}: ${what}`);
  };
  if (o.format !== layout.format) fail(`undamaged file read as ${o.format}`);
  if (o.rejected.length) fail(`undamaged file quarantined ${JSON.stringify(o.rejected[0])}`);
  const origUnits = byUnit(layout, o.lines);
  for (const u of built.units) if (!origUnits.has(u)) fail(`undamaged file did not land ${u}`);

  const dmg = await reader.read(layout, built.damaged, partner);
  if (!('mapped' in dmg)) return { damaged: dmg };
  const d = dmg.mapped;
  for (const l of d.lines) {
    const p = lineProblem(l);
    if (p) fail(`landed a line with ${p}: ${JSON.stringify(l)}`);
  }
  for (const r of d.rejected) if (!r.column || !r.reason) fail(`a rejection without column or reason`);
  if (d.format !== layout.format) return { damaged: dmg };
  const landed = byUnit(layout, d.lines);
  for (const [unit, lines] of landed) {
    const want = origUnits.get(unit);
    if (!want) {
      if (!built.idsMayChange && built.countable) fail(`landed ${unit}, which is no order of the original`);
      continue;
    }
    if (built.mayDiffer.has(unit)) {
      if (!built.idsMayChange && built.countable && lines.length !== want.length)
        fail(`landed ${lines.length} of the ${want.length} line(s) of ${unit}`);
      continue;
    }
    if (JSON.stringify(lines) !== JSON.stringify(want))
      fail(`landed ${unit} other than the original:\n${JSON.stringify(lines)}\nvs\n${JSON.stringify(want)}`);
  }
  for (const unit of origUnits.keys()) {
    if (!landed.has(unit) && !built.mayMiss.has(unit))
      fail(
        `lost ${unit}, which the damage did not touch; rejected: ${JSON.stringify(d.rejected.slice(0, 3))}`,
      );
  }
  if (built.countable) {
    const records = recordCount(layout, built.damaged);
    const taken = layout.partner
      ? [...d.staged.values()].reduce((a, s) => a + s.rows.length, 0)
      : d.lines.length;
    if (taken + d.rejected.length !== records)
      fail(`${records} record(s) read, ${taken} landed and ${d.rejected.length} quarantined`);
  }
  return { damaged: dmg };
}

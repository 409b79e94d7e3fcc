/**
 * Batches in a lake, and taking one back. A batch is one export file (its id from the SHA-256 of
 * its bytes); ingest names everything it writes for it by that id: curated and contacts files
 * `<batch>.parquet` / `<batch>-NNNN.parquet` / `<batch>-pN-NNNN.parquet`, its quarantine CSV, its
 * staged Taobao half, the stockout warnings its snapshot raised, `raw/<batch>/`, and last its
 * commit record and manifest. Pure over the Lake interface, so the local home and the AWS home
 * (S3Lake; functions/forget) share it.
 *
 * Forgetting a batch deletes the commit record that makes it visible first (readers stop counting
 * it at once, in compacted files too), then its files, rewrites the compacted partitions it was in
 * without it, and deletes its manifest last; raw/ is kept unless asked. An interrupted forget leaves
 * an uncommitted batch that `listBatches` still shows and `forgetBatch` finishes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { StorepulseError } from '../errors.ts';
import { commitRowOf, committedBatches, removeCommit } from '../lake/commits.ts';
import { compactHoldingLock } from '../lake/compaction.ts';
import {
  batchCommitKey,
  batchIdOfDataFile,
  batchManifestKey,
  quarantineFileKey,
  stagingPrefix,
  tablePrefix,
} from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { withMaintenanceLock } from '../lake/maintenance.ts';
import { COMMITTED_TABLES, stockout } from '../schemas/tables.ts';

/** A batch id: the first 32 hex digits of the SHA-256 of the file's bytes (csv/file-source.ts). */
const BATCH_ID = /^[0-9a-f]{32}$/;
const MANIFESTS = batchManifestKey('x').slice(0, -'x.json'.length);
const QUARANTINE_FILES = quarantineFileKey('x', 'y').slice(0, -'x/y'.length);
const STAGING = stagingPrefix('x').slice(0, -'x/'.length);
const JOINS = `${STAGING}joins/`;

/**
 * The tables ingest writes batch files into (every curated table but the commit records, and the
 * restricted contacts): a row there counts only while its batch's commit record exists.
 */
const INGESTED_TABLES = COMMITTED_TABLES;

const baseName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

export type BatchState =
  /** Ingest finished: its commit record exists, and every reader counts its rows. */
  | 'committed'
  /**
   * Files or a manifest of the batch but no commit record: an ingest (or a forget) that stopped
   * part-way, or a batch of an earlier version not yet given its record. Counted by no reader.
   */
  | 'uncommitted'
  /** The file could not be read at all: kept under quarantine/files/<batch>/ with its reason. */
  | 'unreadable'
  /** Only the raw copy is left: a forgotten batch whose raw/ was kept, or an ingest just started. */
  | 'raw-only';

export interface BatchInfo {
  batchId: string;
  /** The export's file name (null when only stray files of the batch are left). */
  file: string | null;
  source: string | null;
  table: string | null;
  rowsLanded: number | null;
  rowsQuarantined: number | null;
  state: BatchState;
  /**
   * When the batch was committed (its commit record, or manifest, written), else when its newest file
   * seen was; epoch ms.
   */
  when: number | null;
  /** The raw copy, when known. */
  rawKey: string | null;
}

export interface BatchDeps {
  /**
   * When an object was last written (epoch ms), or undefined; default the lake's own
   * `modifiedAt` (file time locally, LastModified in S3). With neither, `when` is null.
   */
  modifiedAt?: (key: string) => Promise<number | undefined>;
}

/** The caller's times, else the lake's own (`Lake.modifiedAt`, where it has them), else none. */
function timesOf(lake: Lake, deps: BatchDeps): ((key: string) => Promise<number | undefined>) | undefined {
  if (deps.modifiedAt) return deps.modifiedAt;
  return lake.modifiedAt ? (key) => lake.modifiedAt!(key) : undefined;
}

interface Manifest {
  file?: string;
  source?: string;
  table?: string;
  rowsLanded?: number;
  rowsQuarantined?: number;
  rawKey?: string;
  quarantineKey?: string | null;
}

async function readManifest(lake: Lake, batchId: string): Promise<Manifest | undefined> {
  const bytes = await lake.get(batchManifestKey(batchId));
  if (!bytes) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as Manifest;
  } catch {
    return {};
  }
}

interface Found {
  manifest: boolean;
  commit: boolean;
  raw: string[];
  unreadable: string[];
  files: string[];
}

/** Every batch id the lake has any trace of, with where it was seen. */
async function survey(lake: Lake): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  const at = (id: string): Found => {
    let f = found.get(id);
    if (!f) {
      f = { manifest: false, commit: false, raw: [], unreadable: [], files: [] };
      found.set(id, f);
    }
    return f;
  };
  for (const key of await lake.list(MANIFESTS)) {
    const id = baseName(key).replace(/\.json$/, '');
    if (BATCH_ID.test(id)) at(id).manifest = true;
  }
  for (const id of await committedBatches(lake)) at(id).commit = true;
  for (const key of await lake.list('raw/')) {
    const id = key.split('/')[1] ?? '';
    if (BATCH_ID.test(id) && key.split('/').length === 3) at(id).raw.push(key);
  }
  for (const key of await lake.list(QUARANTINE_FILES)) {
    const id = key.split('/')[2] ?? '';
    if (BATCH_ID.test(id)) at(id).unreadable.push(key);
  }
  for (const spec of INGESTED_TABLES) {
    for (const key of await lake.list(tablePrefix(spec))) {
      const id = batchIdOfDataFile(key);
      if (id) at(id).files.push(key);
    }
  }
  return found;
}

/** The lake's batches, newest first. */
export async function listBatches(lake: Lake, deps: BatchDeps = {}): Promise<BatchInfo[]> {
  const modifiedAt = timesOf(lake, deps);
  const out: BatchInfo[] = [];
  for (const [batchId, f] of await survey(lake)) out.push(await describeBatch(lake, batchId, f, modifiedAt));
  return out.sort((a, b) => (b.when ?? 0) - (a.when ?? 0) || a.batchId.localeCompare(b.batchId));
}

async function describeBatch(
  lake: Lake,
  batchId: string,
  f: Found,
  modifiedAt: ((key: string) => Promise<number | undefined>) | undefined,
): Promise<BatchInfo> {
  const manifest = f.manifest ? await readManifest(lake, batchId) : undefined;
  // A batch is committed while its commit record exists. A manifest alone is a forget stopped just
  // after deleting the record, or a batch of an earlier version, which had none (the next ingest or
  // run writes it): readers count neither.
  const committed = f.commit;
  const state: BatchState = committed
    ? 'committed'
    : f.unreadable.length
      ? 'unreadable'
      : f.files.length || manifest
        ? 'uncommitted'
        : 'raw-only';
  const rawKey = manifest?.rawKey ?? f.raw[0] ?? null;
  const unreadableFile = f.unreadable.find((k) => !k.endsWith('/reason.txt'));
  const file =
    manifest?.file ??
    (rawKey?.startsWith(`raw/${batchId}/`) ? baseName(rawKey) : null) ??
    (unreadableFile ? baseName(unreadableFile) : null);
  let when: number | null = null;
  if (modifiedAt) {
    // A commit record merged by a compaction has no object of its own: the manifest, written just
    // after it, dates the batch then.
    const keys = committed
      ? [batchCommitKey(batchId), batchManifestKey(batchId)]
      : manifest
        ? [batchManifestKey(batchId)]
        : [...f.unreadable, ...f.files, ...f.raw];
    for (const key of keys) {
      const t = await modifiedAt(key).catch(() => undefined);
      if (t !== undefined && (when === null || t > when)) when = t;
    }
  }
  return {
    batchId,
    file,
    source: manifest?.source ?? null,
    table: manifest?.table ?? null,
    rowsLanded: manifest?.rowsLanded ?? null,
    rowsQuarantined: manifest?.rowsQuarantined ?? null,
    state,
    when,
    rawKey,
  };
}

/** No batch has the id (or id prefix) asked for. */
export class UnknownBatchError extends StorepulseError {
  constructor(
    readonly asked: string,
    readonly matches: readonly string[],
  ) {
    super(
      matches.length
        ? `"${asked}" is the start of ${matches.length} batch ids (${matches.map((m) => m.slice(0, 16)).join(', ')}); give more of the id`
        : `no batch "${asked}" in the lake`,
    );
  }
}

/** The full id of the one batch whose id is, or starts with, `asked` (case-insensitive). */
export async function resolveBatchId(lake: Lake, asked: string): Promise<string> {
  const want = asked.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(want)) throw new UnknownBatchError(asked, []);
  const ids = [...(await survey(lake)).keys()];
  if (ids.includes(want)) return want;
  const matches = ids.filter((id) => id.startsWith(want)).sort();
  if (matches.length !== 1) throw new UnknownBatchError(asked, matches);
  return matches[0]!;
}

export interface ForgetReport {
  batchId: string;
  /** What the batch was, as listed before it was removed. */
  batch: BatchInfo | undefined;
  /** Every key removed, in the order removed. */
  removed: string[];
  /** The raw copy left in place (when not asked to remove it). */
  rawKept: string[];
  /** Things a person should know: orders a Taobao partner's ingest landed stay with the partner. */
  notes: string[];
}

/**
 * Removes one batch: its commit record first (readers stop counting it at once), then its curated
 * and contacts files in every table, its quarantine rows or quarantined file, its staged Taobao half
 * and the join claims under which it landed orders, the stockout warnings its snapshot raised, with
 * `raw` its raw copy; then the compacted partitions holding its rows are written again without them,
 * and last its manifest (a re-ingest of the same file is no longer skipped).
 */
export async function forgetBatch(
  lake: Lake,
  batchId: string,
  opts: { raw?: boolean } & BatchDeps = {},
): Promise<ForgetReport> {
  if (!BATCH_ID.test(batchId)) throw new UnknownBatchError(batchId, []);
  const commitRow = await commitRowOf(lake, batchId);
  const manifest = await readManifest(lake, batchId);
  // A batch that was committed may have rows in compacted files, which are rewritten without them:
  // one compaction or forget at a time. A batch that never committed (an ingest taking back what it
  // wrote) has none, and waits for no lock.
  const work = () => forgetHoldingLock(lake, batchId, commitRow, manifest, opts);
  return commitRow || manifest
    ? withMaintenanceLock(lake, `forget batch ${batchId.slice(0, 12)}`, work)
    : work();
}

async function forgetHoldingLock(
  lake: Lake,
  batchId: string,
  commitRow: Record<string, unknown> | undefined,
  manifest: Manifest | undefined,
  opts: { raw?: boolean } & BatchDeps,
): Promise<ForgetReport> {
  const seen = (await survey(lake)).get(batchId);
  const batch = seen && (await describeBatch(lake, batchId, seen, timesOf(lake, opts)));
  const removed: string[] = [];
  const remove = async (key: string) => {
    await lake.delete(key);
    removed.push(key);
  };

  // 1. What makes the batch visible: its commit record (its own object, or its row in a merged one),
  // first, so every reader stops counting its rows at once, wherever a compaction put them.
  removed.push(...(await removeCommit(lake, batchId, () => randomBytes(16).toString('hex'))));

  // 2. Its rows in every table (curated, restricted contacts).
  for (const spec of INGESTED_TABLES) {
    for (const key of await lake.list(tablePrefix(spec))) {
      if (batchIdOfDataFile(key) === batchId) await remove(key);
    }
  }

  // 3. Quarantine: rejected rows `quarantine/<table>/source=<s>/<batch>.csv`, or the whole file.
  for (const key of await lake.list('quarantine/')) {
    const parts = key.split('/');
    const rows = parts.length === 4 && parts[3] === `${batchId}.csv`;
    const file = key.startsWith(`${QUARANTINE_FILES}${batchId}/`);
    if (rows || file) await remove(key);
  }

  // 4. Staging: its half of a Taobao pair, and the claims under which it landed shared orders.
  const notes: string[] = [];
  for (const key of await lake.list(STAGING)) {
    if (key.startsWith(JOINS)) {
      const claim = parseClaim(baseName(key));
      const self = claim?.find((h) => h.batchId === batchId);
      if (!claim || !self) continue;
      const partner = claim.find((h) => h !== self)!;
      const landedBy = await claimedBy(lake, key);
      if (landedBy === batchId) await remove(key);
      else if (landedBy === partner.batchId) {
        notes.push(
          `orders it shares with ${partner.name} batch ${partner.batchId.slice(0, 12)} were landed by that ` +
            `batch's ingest and stay until it is forgotten too`,
        );
      }
    } else if (baseName(key) === `${batchId}.json` && key.split('/').length === 3) {
      await remove(key);
    }
  }

  // 5. Stockout warnings raised when its inventory snapshot arrived (Parquet and CSV).
  for (const key of await lake.list(tablePrefix(stockout))) {
    if (baseName(key) === `drop-${batchId}.parquet`) await remove(key);
  }
  for (const key of await lake.list('lists/stockout/')) {
    if (baseName(key) === `stockout-drop-${batchId}.csv`) await remove(key);
  }

  // 6. The raw copy: `raw/<batch>/…` locally, the dropped object in AWS (named in the manifest).
  const rawKeys = new Set(await lake.list(`raw/${batchId}/`));
  // A dropped object's key is the uploader's: another file may have been dropped under it since, so
  // it counts as this batch's only while its bytes still hash to the batch id.
  const dropped = manifest?.rawKey;
  if (dropped && !rawKeys.has(dropped)) {
    const bytes = opts.raw ? await lake.get(dropped) : undefined;
    if (opts.raw ? bytes && sha256(bytes) === batchId : await lake.exists(dropped)) rawKeys.add(dropped);
  }
  const rawKept: string[] = [];
  for (const key of rawKeys) {
    if (opts.raw) await remove(key);
    else rawKept.push(key);
  }

  // 7. Partitions where a compaction rewrote its rows: written again without them, with the versions
  // they had superseded back from the archive. Bounded by where its record says it wrote, when it
  // still had one (a forget run again after stopping here looks through the whole source).
  const source = commitRow?.source ?? manifest?.source;
  const first = typeof commitRow?.first_dt === 'string' ? commitRow.first_dt : undefined;
  const last = typeof commitRow?.last_dt === 'string' ? commitRow.last_dt : undefined;
  if (commitRow || manifest) {
    const rewritten = await compactHoldingLock(lake, {
      recheck: true,
      partitions: (_, v) =>
        (source === undefined || v.source === source) &&
        (v.dt === undefined ||
          ((first === undefined || v.dt >= first) && (last === undefined || v.dt <= last))),
    });
    if (rewritten.partitions) {
      notes.push(`${rewritten.partitions} compacted partition(s) written again without its rows`);
    }
  }

  // 8. Its manifest, last: until here a forget that stopped shows as an uncommitted batch in
  // `batches`, and running it again finishes it; from here ingesting the same file is not skipped.
  if (manifest) await remove(batchManifestKey(batchId));
  return { batchId, batch, removed, rawKept, notes };
}

/** `<half>_<batch>__<half>_<batch>.json` -> the two halves, or undefined for another name. */
function parseClaim(name: string): { name: string; batchId: string }[] | undefined {
  const m = /^([A-Za-z0-9.-]+)_([0-9a-f]{32})__([A-Za-z0-9.-]+)_([0-9a-f]{32})\.json$/.exec(name);
  return m
    ? [
        { name: m[1]!, batchId: m[2]! },
        { name: m[3]!, batchId: m[4]! },
      ]
    : undefined;
}

async function claimedBy(lake: Lake, key: string): Promise<string | undefined> {
  const bytes = await lake.get(key);
  if (!bytes) return undefined;
  try {
    return (JSON.parse(Buffer.from(bytes).toString('utf8')) as { landedBy?: { batchId?: string } }).landedBy
      ?.batchId;
  } catch {
    return undefined;
  }
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex').slice(0, 32);

import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { LakeError } from '../errors.ts';
import type { Lake } from './lake.ts';

const TMP_DIR = '.tmp';

/**
 * The lake as a local folder. Writes go to `<root>/.tmp/` first and are renamed into place, which is
 * atomic on one file system; `.tmp` sits outside every table glob, so readers never see partial files.
 */
export class LocalLake implements Lake {
  readonly root: string;
  readonly location: string;

  get localRoot(): string {
    return this.root;
  }

  constructor(root: string) {
    this.root = resolve(root);
    this.location = root;
  }

  private path(key: string): string {
    if (key.startsWith('/') || key.split('/').includes('..') || key.startsWith(`${TMP_DIR}/`)) {
      throw new LakeError(key, 'not a valid lake key');
    }
    return join(this.root, ...key.split('/'));
  }

  /** Folders this lake made or found: ingest writes thousands of files into a few hundred folders. */
  private readonly folders = new Set<string>();

  private async folder(dir: string): Promise<void> {
    if (this.folders.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.folders.add(dir);
  }

  private async tempPath(): Promise<string> {
    const dir = join(this.root, TMP_DIR);
    await this.folder(dir);
    return join(dir, `${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  private async commit(tmp: string, key: string): Promise<void> {
    const target = this.path(key);
    await this.folder(dirname(target));
    try {
      await rename(tmp, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // The folder went away since it was made (a cleanup): make it again.
      this.folders.delete(dirname(target));
      await this.folder(dirname(target));
      await rename(tmp, target);
    }
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.path(key); // validates before any write
    const tmp = await this.tempPath();
    try {
      await writeFile(tmp, body);
      await this.commit(tmp, key);
    } catch (cause) {
      await rm(tmp, { force: true });
      throw new LakeError(key, 'write failed', { cause });
    }
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const tmp = await this.tempPath();
    const target = this.path(key);
    try {
      await writeFile(tmp, body);
      await this.folder(dirname(target));
      // link() fails when the target exists: an atomic exclusive create of a complete file.
      await link(tmp, target);
      return true;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new LakeError(key, 'write failed', { cause });
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async putFile(key: string, path: string): Promise<void> {
    this.path(key);
    const tmp = await this.tempPath();
    try {
      // Native copy (copy_file_range where the kernel has it): a 200 MB export in a tenth of a second.
      await copyFile(path, tmp);
      await this.commit(tmp, key);
    } catch (cause) {
      await rm(tmp, { force: true });
      throw new LakeError(key, `copy of ${path} failed`, { cause });
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new LakeError(key, 'read failed', { cause });
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch {
      return false;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = prefix.endsWith('/') ? prefix : prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const dir = join(this.root, ...base.split('/').filter(Boolean));
    let entries: string[];
    try {
      entries = (await readdir(dir, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new LakeError(prefix, 'list failed', { cause });
    }
    return entries
      .map((p) =>
        p
          .slice(this.root.length + 1)
          .split(sep)
          .join('/'),
      )
      .filter((k) => k.startsWith(prefix) && !k.startsWith(`${TMP_DIR}/`))
      .sort();
  }

  async sizes(prefix: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const key of await this.list(prefix)) {
      try {
        out.set(key, (await stat(this.path(key))).size);
      } catch (cause) {
        // Gone since the listing (a delete in between): as if it had not been listed.
        if ((cause as NodeJS.ErrnoException).code !== 'ENOENT')
          throw new LakeError(key, 'stat failed', { cause });
      }
    }
    return out;
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  uri(keyOrPattern: string): string {
    return join(this.root, ...keyOrPattern.split('/'));
  }

  async modifiedAt(key: string): Promise<number> {
    return (await stat(this.path(key))).mtimeMs;
  }

  /**
   * Removes temporary files last written before `before` (epoch ms): what a writer that died
   * mid-write left (a live write keeps its file's time fresh; see commits.ts for the age).
   */
  async sweepTemp(before: number): Promise<number> {
    const dir = join(this.root, TMP_DIR);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile() || info.mtimeMs >= before) continue;
      await rm(path, { force: true });
      removed++;
    }
    return removed;
  }

  /** Removes this process's own temporary files (after an interrupted write): none is in use then. */
  async removeOwnTemp(): Promise<number> {
    const dir = join(this.root, TMP_DIR);
    const names = await readdir(dir).catch(() => [] as string[]);
    const own = names.filter((n) => n.startsWith(`${process.pid}-`));
    for (const n of own) await rm(join(dir, n), { force: true });
    return own.length;
  }
}

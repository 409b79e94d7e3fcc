/**
 * The lake: one key space, identical in a local folder and in an S3 bucket. Every write is atomic
 * (a reader sees the old object or the new one, never half of one); keys are built in keys.ts.
 */
export interface Lake {
  /** Human-readable location, for messages (`./lake`, `s3://bucket/prefix`). */
  readonly location: string;
  /** The folder of a local lake (a worker thread opens its own lake there); undefined for S3. */
  readonly localRoot?: string;
  /** Writes an object atomically, replacing any object at the key. */
  put(key: string, body: Uint8Array | string): Promise<void>;
  /** Writes an object only when none exists at the key; true when this call created it. */
  putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean>;
  /** Copies a local file into the lake atomically, streaming (files can be large). */
  putFile(key: string, path: string): Promise<void>;
  /** Reads an object, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Keys under a prefix with their sizes in bytes (one listing in S3, as `list`). */
  sizes(prefix: string): Promise<Map<string, number>>;
  /** When an object was last written (epoch ms); optional: used to sweep leftovers by age. */
  modifiedAt?(key: string): Promise<number>;
  /** Removes an object; no error when it is absent. */
  delete(key: string): Promise<void>;
  /** A location the SQL engine can read (local path or s3:// URI), for a key or glob pattern. */
  uri(keyOrPattern: string): string;
}

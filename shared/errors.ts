/**
 * Named error classes. Each carries the context a user needs to act (file, line, key, query id)
 * and the underlying `cause`, so a log line says what failed and why without a stack dive.
 */
export class StorepulseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad configuration: read once at start-up, so the process fails before doing any work. */
export class ConfigError extends StorepulseError {}

/** A file that cannot be read at all: unknown format, unreadable, empty. Nothing of it lands. */
export class UnreadableFileError extends StorepulseError {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}

/**
 * A mapped order line that cannot be stored (a non-finite amount, a missing required value) reached
 * the lander: a mapper's bug, since mappers reject such rows. Ingest fails the file cleanly on it
 * (kept whole in quarantine, nothing of it landed) instead of writing it.
 */
export class InvalidLineError extends StorepulseError {}

/** A lake read or write failed. */
export class LakeError extends StorepulseError {
  constructor(
    readonly key: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    // The store's own words (AccessDenied, SlowDown, ENOSPC) say what to fix: they come along.
    const cause = options?.cause instanceof Error ? options.cause : undefined;
    super(`lake ${key}: ${reason}${cause ? ` (${cause.name}: ${cause.message})` : ''}`, options);
  }
}

/** A SQL statement failed in the SQL tier; carries the .sql file name (and a query id on Athena). */
export class QueryError extends StorepulseError {
  constructor(
    readonly query: string,
    reason: string,
    options?: { cause?: unknown; queryId?: string },
  ) {
    super(`query ${query}${options?.queryId ? ` (${options.queryId})` : ''}: ${reason}`, options);
    this.queryId = options?.queryId;
  }
  readonly queryId: string | undefined;
}

/** Wrong command-line usage: the CLI prints the message and the command's help, exit code 2. */
export class UsageError extends StorepulseError {}

/** The logging seam: the CLI writes to stderr, Lambdas use the Powertools logger. */
export interface Log {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export const silentLog: Log = { info() {}, warn() {} };

/**
 * Where the local stack reports what it does (function logs, delivery failures, unemulated features).
 * Injected so that library code never writes to the console: the `local` command prints these lines,
 * tests and the demo usually pass `silentLogger` or collect them.
 */
export interface LocalLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: LocalLogger = {
  info() {},
  warn() {},
  error() {},
};

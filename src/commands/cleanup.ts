import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface CleanupOptions {
  olderThanMs?: number;
  dryRun: boolean;
}

export async function runCleanup(_options: CleanupOptions, _context: CommandContext): Promise<number> {
  throw new UsageError("'cleanup' is not available in this build yet");
}

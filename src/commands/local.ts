import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface LocalOptions {
  port: number;
  init?: string;
  functions: string[];
  realTiming: boolean;
}

export async function runLocal(_options: LocalOptions, _context: CommandContext): Promise<number> {
  throw new UsageError("'local' is not available in this build yet");
}

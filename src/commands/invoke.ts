import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface InvokeOptions {
  functionName: string;
  payload?: string;
  file?: string;
  qualifier?: string;
  sync: boolean;
  wait: boolean;
  timeoutMs: number;
}

export async function runInvoke(_options: InvokeOptions, _context: CommandContext): Promise<number> {
  throw new UsageError("'invoke' is not available in this build yet");
}

import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface TailOptions {
  target: string;
  max?: number;
  timeoutMs?: number;
  until?: "success" | "failure" | "any";
  only?: "success" | "failure";
  functionName?: string;
  consume: boolean;
  out?: string;
}

export async function runTail(_options: TailOptions, _context: CommandContext): Promise<number> {
  throw new UsageError("'tail' is not available in this build yet");
}

import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface SendOptions {
  queue: string;
  body?: string;
  file?: string;
  lines: boolean;
  attributes: string[];
  groupId?: string;
  dedupId?: string;
  delaySeconds?: number;
}

export async function runSend(_options: SendOptions, _context: CommandContext): Promise<number> {
  throw new UsageError("'send' is not available in this build yet");
}

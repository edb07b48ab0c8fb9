import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface PublishOptions {
  topic: string;
  message?: string;
  file?: string;
  lines: boolean;
  attributes: string[];
  groupId?: string;
  dedupId?: string;
  subject?: string;
}

export async function runPublish(_options: PublishOptions, _context: CommandContext): Promise<number> {
  throw new UsageError("'publish' is not available in this build yet");
}

import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface ShowOptions {
  files: string[];
  raw: boolean;
  schema?: string;
}

export async function runShow(_options: ShowOptions, _context: CommandContext): Promise<number> {
  throw new UsageError("'show' is not available in this build yet");
}

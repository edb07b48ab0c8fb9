import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface DemoOptions {
  python: boolean;
}

export async function runDemo(_options: DemoOptions, _context: CommandContext): Promise<number> {
  throw new UsageError("'demo' is not available in this build yet");
}

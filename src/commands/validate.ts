import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface ValidateOptions {
  files: string[];
  schema?: string;
  strict: boolean;
}

export async function runValidate(_options: ValidateOptions, _context: CommandContext): Promise<number> {
  throw new UsageError("'validate' is not available in this build yet");
}

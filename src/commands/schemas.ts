import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface SchemasOptions {
  kind?: string;
}

export async function runSchemas(_options: SchemasOptions, _context: CommandContext): Promise<number> {
  throw new UsageError("'schemas' is not available in this build yet");
}

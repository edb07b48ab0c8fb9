import { isKind, KIND_INFO, schemaText } from "../envelopes/kinds.js";
import { KINDS } from "../envelopes/types.js";
import { ExitCode, UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

export interface SchemasOptions {
  kind?: string;
}

/** Lists the bundled kinds, or prints one kind's schema file as it ships. */
export async function runSchemas(options: SchemasOptions, context: CommandContext): Promise<number> {
  const { io, output, colors } = context;
  if (options.kind === undefined) {
    if (output.json) {
      const kinds = KINDS.map((kind) => ({
        kind,
        wrapper: KIND_INFO[kind].wrapper,
        summary: KIND_INFO[kind].summary,
      }));
      io.stdout.write(`${JSON.stringify({ version: 1, kinds })}\n`);
      return ExitCode.ok;
    }
    const width = Math.max(...KINDS.map((kind) => kind.length));
    for (const kind of KINDS) {
      const role = KIND_INFO[kind].wrapper ? colors.dim("wrapper") : colors.dim("payload");
      io.stdout.write(`${colors.bold(kind.padEnd(width))}  ${role}  ${KIND_INFO[kind].summary}\n`);
    }
    return ExitCode.ok;
  }
  if (!isKind(options.kind)) {
    throw new UsageError(`no bundled kind "${options.kind}"; the kinds are: ${KINDS.join(", ")}`);
  }
  const text = schemaText(options.kind);
  io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  return ExitCode.ok;
}

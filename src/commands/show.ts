import { analyzeItem } from "../envelopes/item-result.js";
import { resolveSchemaOption } from "../envelopes/user-schema.js";
import { ExitCode } from "../errors.js";
import type { CommandContext } from "../io.js";
import { BufferedWriter } from "../render/buffered-writer.js";
import { renderEnvelope } from "../render/envelope.js";
import { itemLabel } from "../render/validate.js";
import { expandSources, forEachItem } from "../sources/read-items.js";

export interface ShowOptions {
  files: string[];
  raw: boolean;
  schema?: string;
}

/** Pretty-prints every envelope of the inputs; exits 1 when any is invalid, like `validate`. */
export async function runShow(options: ShowOptions, context: CommandContext): Promise<number> {
  const { io, output } = context;
  const forced = await resolveSchemaOption(options.schema, io.cwd);
  const { sources, unreadable } = await expandSources(options.files, {
    cwd: io.cwd,
    stdinIsTTY: io.stdin.isTTY === true,
  });
  const out = new BufferedWriter(io.stdout);
  let invalid = 0;
  let shown = 0;
  await forEachItem(
    sources,
    { cwd: io.cwd, stdin: io.stdin },
    (item) => {
      if (options.raw && !output.json) {
        out.write(
          item.value !== undefined ? `${JSON.stringify(item.value, null, 2)}\n` : `${item.text ?? ""}\n`,
        );
        return;
      }
      for (const result of analyzeItem(item, { forced })) {
        if (!result.valid) invalid++;
        if (output.json) {
          out.write(
            `${JSON.stringify({
              version: 1,
              source: result.source,
              index: result.index,
              ...(result.record !== undefined ? { record: result.record } : {}),
              kind: result.kind,
              layers: result.layers,
              valid: result.valid,
              summary: result.summary,
              payload: result.payload,
              errors: result.errors,
              warnings: result.warnings,
            })}\n`,
          );
          continue;
        }
        if (shown > 0) out.write("\n");
        out.write(
          renderEnvelope(result, { colors: context.colors, origin: itemLabel(result), detailed: true }),
        );
        shown++;
      }
    },
    (problem) => unreadable.push(problem),
  );
  out.flush();
  for (const problem of unreadable)
    io.stderr.write(`lambda-dest: cannot read ${problem.source}: ${problem.message}\n`);
  if (unreadable.length > 0) return ExitCode.usage;
  return invalid > 0 ? ExitCode.failure : ExitCode.ok;
}

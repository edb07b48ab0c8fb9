import { analyzeItem, type ItemResult, unprocessableResult } from "../envelopes/item-result.js";
import { resolveSchemaOption } from "../envelopes/user-schema.js";
import { ExitCode } from "../errors.js";
import type { CommandContext } from "../io.js";
import { printable, printableJson, printableRawJson } from "../printable.js";
import { BufferedWriter } from "../render/buffered-writer.js";
import { envelopeLineJson, renderEnvelope } from "../render/envelope.js";
import { itemLabel } from "../render/validate.js";
import { expandSources, forEachItem, rawItemText, type SourceItem } from "../sources/read-items.js";

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
    // Read only when no file is given: creating the stdin stream costs every start a few milliseconds.
    get stdinIsTTY() {
      return io.stdin.isTTY === true;
    },
  });
  const out = new BufferedWriter(io.stdout);
  let invalid = 0;
  let shown = 0;
  const showItem = (item: SourceItem) => {
    if (options.raw && !output.json) {
      // The item as written (numbers, key order and spacing untouched); only what a terminal would act on
      // is written as a \u escape, which is the same JSON.
      const raw = rawItemText(item) ?? "";
      out.write(printableRawJson(raw.endsWith("\n") ? raw : `${raw}\n`));
      const problem = item.syntaxError ?? item.unprocessable;
      if (problem) {
        invalid++;
        const where = printable(itemLabel(analyzeItem(item, { forced })[0]!));
        io.stderr.write(`lambda-dest: ${where}: ${printable(describeProblem(item))}\n`);
      }
      return;
    }
    for (const result of analyzeItem(item, { forced })) {
      if (!result.valid) invalid++;
      if (output.json) {
        out.write(`${jsonLine(result, item)}\n`);
        continue;
      }
      if (shown > 0) out.write("\n");
      out.write(renderResult(result, item, context));
      shown++;
    }
  };
  await forEachItem(
    sources,
    {
      cwd: io.cwd,
      get stdin() {
        return io.stdin;
      },
    },
    showItem,
    (problem) => unreadable.push(problem),
  );
  out.flush();
  for (const problem of unreadable) {
    const source = problem.source === "-" ? "stdin" : problem.source;
    io.stderr.write(`lambda-dest: cannot read ${printable(source)}: ${printable(problem.message)}\n`);
  }
  if (unreadable.length > 0) return ExitCode.usage;
  return invalid > 0 ? ExitCode.failure : ExitCode.ok;
}

function describeProblem(item: SourceItem): string {
  if (item.syntaxError) {
    const { line, column, message } = item.syntaxError;
    return `not valid JSON (line ${line}, column ${column}): ${message}`;
  }
  const { line, column, message } = item.unprocessable!;
  return `${message} (line ${line}, column ${column})`;
}

/**
 * One NDJSON line. Serialising or rendering can still fail on a value no check foresaw (the last resort
 * after the depth check): the item then shows as unprocessable instead of ending the run.
 */
function jsonLine(result: ItemResult, item: SourceItem): string {
  const line = (shown: ItemResult) =>
    printableJson(
      envelopeLineJson(
        {
          version: 1,
          source: shown.source,
          index: shown.index,
          ...(shown.record !== undefined ? { record: shown.record } : {}),
          kind: shown.kind,
          layers: shown.layers,
          valid: shown.valid,
          summary: shown.summary,
          payload: shown.payload,
          errors: shown.errors,
          warnings: shown.warnings,
        },
        shown,
      ),
    );
  try {
    return line(result);
  } catch (error) {
    return line(lastResort(result, item, error));
  }
}

function renderResult(result: ItemResult, item: SourceItem, context: CommandContext): string {
  const render = (shown: ItemResult) =>
    renderEnvelope(shown, {
      colors: context.colors,
      origin: itemLabel(shown),
      detailed: true,
      width: context.width,
      verbose: context.output.verbose,
    });
  try {
    return render(result);
  } catch (error) {
    return render(lastResort(result, item, error));
  }
}

function lastResort(result: ItemResult, item: SourceItem, error: unknown): ItemResult {
  const message =
    error instanceof RangeError ? "too deeply nested to show" : `could not be shown (${String(error)})`;
  const replaced = unprocessableResult(item, { path: "", message, line: result.line });
  if (result.record !== undefined) replaced.record = result.record;
  return replaced;
}

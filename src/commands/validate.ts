import { analyzeItem } from "../envelopes/item-result.js";
import { resolveSchemaOption } from "../envelopes/user-schema.js";
import { ExitCode } from "../errors.js";
import type { CommandContext } from "../io.js";
import { printable, printableJson } from "../printable.js";
import { BufferedWriter } from "../render/buffered-writer.js";
import { renderValidateResult, validateResultLine } from "../render/validate.js";
import { PARALLEL_MIN_BYTES, parallelNdjson, parallelPlan } from "../sources/parallel-ndjson.js";
import {
  describeReadError,
  expandSources,
  forEachItem,
  type UnreadableSource,
} from "../sources/read-items.js";
import { type ValidateSegmentResult, type ValidateWorkerData, validateSegment } from "./validate-segment.js";

export interface ValidateOptions {
  files: string[];
  schema?: string;
  strict: boolean;
  /**
   * Threads that validate a large NDJSON file (--threads), this one and N - 1 workers; 1 keeps it on this
   * thread. Default: one a core, up to three.
   */
  threads?: number;
}

/** Thrown out of the reading loop when nobody reads the results any more. */
const READER_GONE = Symbol("the reader of stdout went away");
/** A one-file validate is over long before this: it never pays for watching the reader. */
const READER_WATCH_AFTER_MS = 1_000;

export interface ValidateResult {
  valid: number;
  invalid: number;
  unreadable: UnreadableSource[];
}

/**
 * Validates every item of every input, streaming: each result is written as soon as it is known, so a
 * large NDJSON file needs no more memory than one line.
 */
export async function runValidate(options: ValidateOptions, context: CommandContext): Promise<number> {
  const { io, output } = context;
  const forced = await resolveSchemaOption(options.schema, io.cwd);
  const { sources, unreadable } = await expandSources(options.files, {
    cwd: io.cwd,
    // Read only when no file is given: creating the stdin stream costs every start a few milliseconds.
    get stdinIsTTY() {
      return io.stdin.isTTY === true;
    },
  });
  // JSON output is escaped chunk by chunk (one native scan per 64 KB, not one per result).
  const out = new BufferedWriter(io.stdout, undefined, output.json ? printableJson : undefined);
  const totals: ValidateResult = { valid: 0, invalid: 0, unreadable: [...unreadable] };
  let first = true;
  if (output.json) out.write('{"version":1,"results":[');
  // A reader that went away (`validate big.ndjson | head -1`) ends the reading at once: a write notices it,
  // and a run long enough to matter also watches for it while it writes nothing (--quiet).
  const watch = setTimeout(() => io.stdout.watchReader?.(), READER_WATCH_AFTER_MS);
  watch.unref();
  // NDJSON files over this size are validated by worker threads (an internal setting, for the tests).
  const parallelBytes = Number(io.env.LAMBDA_DEST_PARALLEL_BYTES ?? PARALLEL_MIN_BYTES);
  try {
    for (const source of sources) {
      const plan = options.threads === 1 ? undefined : parallelPlan(source, io.cwd, parallelBytes);
      if (plan) {
        const data: ValidateWorkerData = {
          source,
          cwd: io.cwd,
          schema: options.schema,
          strict: options.strict,
          json: output.json,
          quiet: output.quiet,
          colorLevel: context.colors.level,
          width: context.width,
        };
        try {
          for await (const segment of parallelNdjson<ValidateSegmentResult>(
            plan,
            workerUrl(),
            data,
            (part) => validateSegment(part, data, forced, context.colors),
            // Internal, for the tests: the workers take part even in a small file.
            {
              waitForWorkers: io.env.LAMBDA_DEST_PARALLEL_WAIT === "1",
              workers: options.threads === undefined ? undefined : options.threads - 1,
            },
          )) {
            if (io.stdout.closed) throw READER_GONE;
            totals.valid += segment.valid;
            totals.invalid += segment.invalid;
            if (segment.bytes.length === 0) continue;
            // The comma before the first result is left out.
            const bytes = output.json && first ? segment.bytes.subarray(1) : segment.bytes;
            if (output.json) first = false;
            out.flush();
            if (io.stdout.writeBytes) io.stdout.writeBytes(bytes);
            else io.stdout.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8"));
          }
        } catch (error) {
          if (error === READER_GONE) throw error;
          totals.unreadable.push({ source, message: describeReadError(error) });
        }
        continue;
      }
      await forEachItem(
        [source],
        {
          cwd: io.cwd,
          get stdin() {
            return io.stdin;
          },
        },
        (item) => {
          if (io.stdout.closed) throw READER_GONE;
          for (const result of analyzeItem(item, { forced, strict: options.strict })) {
            if (result.valid) totals.valid++;
            else totals.invalid++;
            if (output.json) {
              out.write(`${first ? "" : ","}${validateResultLine(result)}`);
              first = false;
            } else if (!(output.quiet && result.valid)) {
              out.write(renderValidateResult(result, context.colors, context.width));
            }
          }
        },
        (problem) => totals.unreadable.push(problem),
      );
    }
  } catch (error) {
    if (error !== READER_GONE) throw error;
  } finally {
    clearTimeout(watch);
  }
  if (output.json) {
    out.write(
      `],"summary":${JSON.stringify({ valid: totals.valid, invalid: totals.invalid, unreadable: totals.unreadable.length })}}\n`,
    );
  }
  out.flush();
  for (const problem of totals.unreadable) {
    const source = problem.source === "-" ? "stdin" : problem.source;
    io.stderr.write(`lambda-dest: cannot read ${printable(source)}: ${printable(problem.message)}\n`);
  }
  if (!output.json && !output.quiet && totals.valid + totals.invalid !== 1) {
    const colors = context.colors;
    const parts = [
      colors.green(`${totals.valid} valid`),
      totals.invalid ? colors.red(`${totals.invalid} invalid`) : `0 invalid`,
    ];
    io.stdout.write(`${parts.join(", ")}\n`);
  }
  if (totals.unreadable.length > 0) return ExitCode.usage;
  return totals.invalid > 0 ? ExitCode.failure : ExitCode.ok;
}

/** The worker module: next to this one in dist/commands, or under commands/ beside the start-up bundle. */
function workerUrl(): URL {
  const here = import.meta.url;
  return new URL(
    /\/commands\/validate\.[jt]s$/.test(here) ? "./validate-worker.js" : "./commands/validate-worker.js",
    here,
  );
}

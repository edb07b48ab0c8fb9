import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { BUCKET_POLL_INTERVAL_MS } from "../aws/bucket-poller.js";
import { type AwsClients, withClients } from "../aws/clients.js";
import { BoundedSet, ReceiveBudget } from "../aws/queue-poller.js";
import type { Watched } from "../aws/session.js";
import { parseFunctionReference, parseTailTarget } from "../aws/targets.js";
import type { Handled, Received } from "../aws/watched.js";
import { formatDuration, parseSince } from "../duration.js";
import type { AnalyzedEnvelope } from "../envelopes/types.js";
import { TimeoutError, UsageError } from "../errors.js";
import { type CommandContext, note } from "../io.js";
import { runWatch, setupTimedOut, type Watch } from "./watch-runner.js";

export interface TailOptions {
  target: string;
  max?: number;
  timeoutMs?: number;
  until?: "success" | "failure" | "any";
  only?: "success" | "failure";
  functionName?: string;
  consume: boolean;
  out?: string;
  /** s3:// only: also show objects modified since then, a duration ago or a time (default: only new ones). */
  since?: string;
  /** events: only: the event pattern of the temporary rule (JSON), instead of Lambda's destination events. */
  pattern?: string;
  /** Receive loops per consumed queue (default CONSUME_CONCURRENCY); a peek always runs one. */
  concurrency?: number;
  /** function: only: the version or alias whose destinations are followed (as function:NAME:QUALIFIER). */
  qualifier?: string;
}

type StopReason = "max" | "until";

/** Receive loops per consumed queue: enough to keep analysis and the next receive overlapping. */
const CONSUME_CONCURRENCY = 3;
/**
 * With --consume into a pipe: how long after a write the reader must still be there for the messages to be
 * deleted. A reader that stops once it has what it wants (`head -1`) is gone well within it.
 */
const PIPE_SETTLE_MS = 300;
const SEEN_CAPACITY = 100_000;

export async function runTail(options: TailOptions, context: CommandContext): Promise<number> {
  return withClients(context, (clients) => tail(options, context, clients));
}

/** The command with its clients injected. */
export async function tail(
  options: TailOptions,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  if (options.max === 0) throw new UsageError("--max must be at least 1");
  if (options.timeoutMs === 0) throw new UsageError("--timeout must be longer than 0");
  const target = parseTailTarget(options.target);
  if (options.since !== undefined && target.type !== "bucket") {
    throw new UsageError(
      "--since applies to s3:// targets only: a queue or topic cannot be read back in time",
    );
  }
  const since =
    options.since === undefined ? undefined : parseSince(options.since, "--since", context.io.now());
  if (options.concurrency !== undefined && !options.consume) {
    throw new UsageError(
      "--concurrency applies with --consume: a peek runs one receive loop, so that each message is shown once",
    );
  }
  if (options.qualifier !== undefined && target.type !== "function") {
    throw new UsageError("--qualifier applies to function:NAME targets only");
  }
  if (options.qualifier !== undefined && target.type === "function" && target.qualifier !== undefined) {
    if (target.qualifier !== options.qualifier) {
      throw new UsageError(
        `function:${target.name}:${target.qualifier} and --qualifier ${options.qualifier} name different qualifiers: give one`,
      );
    }
  }
  if (options.pattern !== undefined && target.type !== "bus") {
    throw new UsageError("--pattern applies to events:BUS targets only");
  }
  const pattern =
    options.pattern === undefined ? undefined : checkedPattern(await patternText(options.pattern, context));
  const functionFilter = options.functionName ? functionFilterName(options.functionName) : undefined;
  const out = options.out ? await openOut(resolve(context.io.cwd, options.out)) : undefined;

  const [{ analyzeSafely }, { tailLine, tailText, TailStatistics, summaryTable }] = await Promise.all([
    import("../envelopes/index.js"),
    import("../render/tail.js"),
  ]);

  const { json, verbose } = context.output;
  const statistics = new TailStatistics();
  const seen = new BoundedSet(SEEN_CAPACITY);
  const written = new BoundedSet(SEEN_CAPACITY);

  const passes = (envelope: AnalyzedEnvelope) =>
    (options.only === undefined || envelope.summary.outcome === options.only) &&
    (functionFilter === undefined || envelope.summary.functionName === functionFilter);
  const satisfiesUntil = (envelope: AnalyzedEnvelope) =>
    options.until === "any" || (options.until !== undefined && envelope.summary.outcome === options.until);

  const handlerFor =
    ({ stop, finish }: Watch<StopReason>) =>
    async (items: Received[], watched: Watched): Promise<Handled> => {
      const dispositions: Handled["dispositions"] = [];
      let fresh = 0;
      let text = "";
      let lines = "";
      for (const item of items) {
        const { id } = item;
        if (seen.has(id)) {
          dispositions.push(written.has(id) ? "written" : "skipped");
          continue;
        }
        if (stop.aborted) {
          dispositions.push("skipped");
          continue;
        }
        fresh += 1;
        seen.add(id);
        const facts = {
          receivedAt: context.io.now(),
          source: item.source ?? watched.label,
          messageId: item.messageId,
        };
        let wrote = false;
        // A message that cannot be processed (nested too deep, say) is written as an invalid envelope
        // carrying its body, like any other: it neither stops the tail nor holds back the rest of the batch.
        for (const envelope of analyzeSafely(item.value)) {
          if (stop.aborted) break;
          if (!passes(envelope)) continue;
          const record = json || out ? tailLine(envelope, facts) : "";
          if (json) text += `${record}\n`;
          else text += tailText(envelope, facts, context.colors, verbose, context.width);
          if (out) lines += `${record}\n`;
          wrote = true;
          statistics.add(envelope);
          if (satisfiesUntil(envelope)) finish("until");
          if (options.max !== undefined && statistics.shown >= options.max) finish("max");
        }
        statistics.messages += 1;
        if (wrote) written.add(id);
        dispositions.push(wrote ? "written" : "skipped");
      }
      // Written before the poller deletes anything (--consume deletes only what was written): a write
      // that the reader never took (it went away) counts as not written, so nothing is deleted.
      let confirmed: Promise<boolean> | undefined;
      if (text) {
        context.io.stdout.write(text);
        if ((await context.io.stdout.flushed?.()) === false) dispositions.fill("skipped");
        // A pipe only buffers what was written: a reader that leaves right after (`| head -1`) has not taken
        // it all, so nothing is deleted unless the reader is still there a moment later. The poller goes on
        // receiving meanwhile; these messages stay invisible until then.
        else if (consumeIntoPipe) {
          confirmed = new Promise((resolve) =>
            setTimeout(() => resolve(context.io.stdout.closed !== true), PIPE_SETTLE_MS),
          );
        }
      }
      if (out && lines) await out.appendFile(lines);
      return { dispositions, fresh, confirmed };
    };

  const consumeIntoPipe = options.consume && context.io.stdout.isPipe === true;
  const started = Date.now();
  let listening = false;
  const { reason, leftovers } = await runWatch<StopReason>(
    context,
    clients,
    { timeoutMs: options.timeoutMs, consume: options.consume },
    async (watch) => {
      const { session, finish } = watch;
      try {
        if (target.type === "bucket") await session.addBucket(target, since);
        else if (target.type === "bus") await session.addBus(target, pattern);
        else await session.add(target, options.qualifier);
        if (watch.stop.aborted) return;
        listening = true;
        for (const watched of session.watched) note(context, listeningLine(watched));
        if (!context.output.quiet && !json)
          context.io.stderr.write(`${context.errorColors.dim("Ctrl-C to stop")}\n`);
        const budget =
          options.max === undefined ? undefined : new ReceiveBudget(() => options.max! - statistics.shown);
        await session.run(
          handlerFor(watch),
          () => finish("error"),
          options.concurrency ?? CONSUME_CONCURRENCY,
          budget,
        );
      } finally {
        await out?.close();
      }
    },
  );

  if (reason === "timeout" && !listening) {
    throw new TimeoutError(setupTimedOut(options.timeoutMs ?? 0, clients, target.type, "nothing was tailed"));
  }
  const elapsed = formatDuration(Date.now() - started);
  if (!json && !context.output.quiet)
    context.io.stderr.write(summaryTable(statistics, elapsed, context.errorColors));
  if (reason === "timeout" && (options.until !== undefined || options.max !== undefined)) {
    const waitedFor =
      options.until !== undefined
        ? `no ${options.until === "any" ? "" : `${options.until} `}envelope arrived`
        : `${statistics.shown} of ${options.max} envelopes arrived`;
    throw new TimeoutError(`timed out after ${formatDuration(options.timeoutMs ?? 0)}: ${waitedFor}`);
  }
  if (leftovers.length > 0) return 1;
  return statistics.invalid > 0 ? 1 : 0;
}

/** --pattern JSON, or @FILE (relative to the working directory). */
async function patternText(given: string, context: CommandContext): Promise<string> {
  if (!given.startsWith("@")) return given;
  const file = resolve(context.io.cwd, given.slice(1));
  try {
    const { readFile } = await import("node:fs/promises");
    return await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `--pattern: cannot read ${given.slice(1)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** An event pattern is a JSON object; EventBridge checks the rest of its grammar when the rule is put. */
function checkedPattern(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `--pattern is not JSON (${(error as Error).message}); give an event pattern such as '{"source":["lambda"]}'`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`--pattern must be a JSON object, such as '{"source":["lambda"]}'`);
  }
  return text;
}

function listeningLine(watched: Watched): string {
  if (watched.kind === "invocations") {
    return `listening on ${watched.label}: the records the local stack sends to that destination function`;
  }
  if (watched.kind === "bucket") {
    return `listening on ${watched.label}: objects written from now on${watched.since ? ` and since ${watched.since.toISOString()}` : ""}, listed every ${formatDuration(BUCKET_POLL_INTERVAL_MS)} (nothing is written to the bucket)`;
  }
  if (watched.mode === "own") {
    return `listening on ${watched.label} through the temporary queue ${watched.queue.name} (removed on exit)`;
  }
  if (watched.mode === "consume")
    return `listening on ${watched.label}: consuming (each message is deleted once written)`;
  return `listening on ${watched.label}: peeking (messages stay in the queue; --consume deletes them)`;
}

async function openOut(path: string) {
  try {
    return await open(path, "a");
  } catch (error) {
    throw new UsageError(
      `cannot write --out ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** The --function filter: a function name or ARN (a qualifier is ignored: envelopes name it apart). */
function functionFilterName(text: string): string {
  try {
    return parseFunctionReference(text).name;
  } catch (error) {
    throw new UsageError(`--function: ${(error as Error).message}`);
  }
}

/**
 * `replay <source>`: sends failed events back to their function, byte for byte. The source is read first
 * (a queue's messages are held, never deleted unless --delete), a plan is shown and confirmed, then each
 * payload is invoked at the pace asked for, and the report says what happened to each value.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArn } from "../arn.js";
import type { AwsClients } from "../aws/clients.js";
import { withClients } from "../aws/clients.js";
import type { LambdaOperations } from "../aws/lambda.js";
import type { HeldQueue } from "../aws/replay-sources.js";
import {
  type BucketReference,
  parseBucketReference,
  parseFunctionReference,
  parseQueueReference,
  type QueueReference,
} from "../aws/targets.js";
import type { Handled, Received } from "../aws/watched.js";
import { sleep } from "../aws/watched.js";
import type { AnalyzedEnvelope } from "../envelopes/types.js";
import { UsageError } from "../errors.js";
import { type CommandContext, note, warn } from "../io.js";
import { printable, printableJson } from "../printable.js";
import {
  planLines,
  type ReplayResult,
  resultLine,
  resultRecord,
  summaryLine,
  targetLabel,
  waitTable,
} from "../render/replay.js";
import { isGlob } from "../sources/glob.js";
import { type PlanOptions, planValue, type ReplayItem } from "./replay-plan.js";

export interface ReplayOptions {
  sources: string[];
  functionName?: string;
  qualifier?: string;
  sync: boolean;
  dryRun: boolean;
  yes: boolean;
  delete: boolean;
  includeSuccess: boolean;
  /** Read (and so replay) at most this many values. */
  max?: number;
  /** Invocations started per second, at most. */
  rate?: number;
  concurrency?: number;
  /** Appends one NDJSON line per replayed value: the replay log. */
  out?: string;
  /** A replay log: what it shows as accepted is not replayed again. */
  skipReplayed?: string;
  /** Follow each replay to its new destination record. */
  wait: boolean;
  /** --wait: the whole wait, from the first invocation; default 5 minutes. */
  timeoutMs?: number;
}

const DEFAULT_WAIT_MS = 5 * 60_000;

/** Payload limits of the Invoke API: 1 MB for an asynchronous invocation, 6 MB for a synchronous one. */
const ASYNC_PAYLOAD_LIMIT = 1_048_576;
const SYNC_PAYLOAD_LIMIT = 6_291_456;
const DEFAULT_MAX = 1000;
const DEFAULT_CONCURRENCY = 4;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

type Source =
  | { type: "queue"; reference: QueueReference; label: string }
  | { type: "bucket"; reference: BucketReference; label: string }
  | { type: "files"; files: string[]; label: string };

/** Which kind of source the arguments name. A bare name is a file when one exists, else a queue. */
export function classifySource(sources: string[], cwd: string): Source {
  if (sources.length === 1) {
    const given = sources[0]!.trim();
    const arn = given.startsWith("arn:") ? parseArn(given) : undefined;
    if (/^s3:\/\//i.test(given) || arn?.service === "s3") {
      const reference = parseBucketReference(given);
      return { type: "bucket", reference, label: `s3://${reference.bucket}/${reference.prefix}` };
    }
    const bareQueue =
      given !== "-" && !isGlob(given) && QUEUE_NAME.test(given) && !existsSync(resolve(cwd, given));
    if (given.startsWith("sqs:") || /^https?:\/\//i.test(given) || arn?.service === "sqs" || bareQueue) {
      const reference = parseQueueReference(given);
      return { type: "queue", reference, label: `sqs:${reference.name}` };
    }
    if (arn)
      throw new UsageError(`cannot replay from "${given}": give a queue, s3://BUCKET/PREFIX, or files`);
  }
  for (const given of sources) {
    if (/^(s3|sqs):/i.test(given) || /^https?:\/\//i.test(given) || given.startsWith("arn:")) {
      throw new UsageError(`"${given}": replay reads one queue or one S3 prefix at a time, or files`);
    }
  }
  return { type: "files", files: sources, label: sources.length === 0 ? "stdin" : sources.join(" ") };
}

export async function runReplay(options: ReplayOptions, context: CommandContext): Promise<number> {
  const source = classifySource(options.sources, context.io.cwd);
  if (options.delete && source.type !== "queue") {
    throw new UsageError("--delete works with a queue source only: files and S3 objects are never deleted");
  }
  const readsStdin = source.type === "files" && (source.files.length === 0 || source.files.includes("-"));
  if (!options.dryRun && !options.yes) {
    const canAsk = context.io.stdin.isTTY === true && context.io.stderr.isTTY && !readsStdin;
    if (!canAsk) {
      throw new UsageError(
        readsStdin
          ? "replay asks before it invokes anything, and stdin holds the records: pass --yes (or --dry-run to see the plan)"
          : "replay asks before it invokes anything and there is no terminal to ask on: pass --yes (or --dry-run to see the plan)",
      );
    }
  }
  return withClients(context, (clients) => replay(options, source, context, clients));
}

async function replay(
  options: ReplayOptions,
  source: Source,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  const stop = context.io.watchInterrupts();
  const planOptions: PlanOptions = {
    functionName: options.functionName,
    qualifier: options.qualifier,
    includeSuccess: options.includeSuccess,
  };
  const max = options.max ?? DEFAULT_MAX;
  let held: HeldQueue | undefined;
  try {
    let items: ReplayItem[];
    if (source.type === "queue") {
      const { HeldQueue } = await import("../aws/replay-sources.js");
      held = await HeldQueue.open(clients, source.reference, stop);
      const messages = await held.receiveAll(max, stop);
      items = messages.flatMap((message) =>
        planValue(
          message,
          undefined,
          {
            label: `${source.label} message ${message.MessageId ?? "?"}`,
            messageId: message.MessageId,
            receiptHandle: message.ReceiptHandle,
          },
          planOptions,
        ),
      );
      const perMessage = new Map<string, number>();
      for (const item of items) {
        const id = item.origin.messageId ?? "";
        perMessage.set(id, (perMessage.get(id) ?? 0) + 1);
      }
      for (const item of items) {
        if ((perMessage.get(item.origin.messageId ?? "") ?? 0) > 1) item.origin.shared = true;
      }
    } else if (source.type === "bucket") {
      const { readBucketPrefix } = await import("../aws/replay-sources.js");
      const objects = await readBucketPrefix(clients, source.reference, max, stop);
      items = objects.flatMap((object) => {
        const origin = { label: `s3://${source.reference.bucket}/${object.key}` };
        if (object.text === undefined)
          return [{ origin, kind: "other" as const, skip: object.problem ?? "" }];
        let value: unknown;
        try {
          value = JSON.parse(object.text);
        } catch {
          return [{ origin, kind: "other" as const, skip: "the object is not JSON" }];
        }
        return planValue(value, object.text, origin, planOptions);
      });
    } else {
      items = await readFileItems(source.files, max, context, planOptions);
    }

    if (options.skipReplayed) {
      const done = readReplayLog(options.skipReplayed, context.io.cwd);
      for (const item of items) {
        if (item.skip === undefined && item.originalRequestId && done.has(item.originalRequestId)) {
          item.skip = `already replayed (${options.skipReplayed} shows it accepted)`;
          item.alreadyReplayed = true;
        }
      }
    }
    const deadLetters = items.filter((item) => item.kind === "dead-letter").length;
    if (deadLetters > 0 && !options.functionName) {
      throw new UsageError(
        `${deadLetters} dead-letter message${deadLetters === 1 ? "" : "s"}: a dead-letter message does not name its function, give --function (nothing was replayed)`,
      );
    }

    const lines = planLines(
      source.label,
      items,
      { sync: options.sync, deleting: options.delete, queue: source.type === "queue" },
      options.dryRun ? context.colors : context.errorColors,
    );
    if (options.dryRun) {
      if (context.output.json) {
        const planned = items.map((item) =>
          resultRecord({ item, outcome: item.skip ? "skipped" : "planned", reason: item.skip }),
        );
        context.io.stdout.write(
          `${printableJson(JSON.stringify({ version: 1, source: source.label, dryRun: true, items: planned }))}\n`,
        );
      } else {
        context.io.stdout.write(`${lines.join("\n")}\n(dry run: nothing was invoked)\n`);
      }
      return 0;
    }
    if (!context.output.quiet) context.io.stderr.write(`${lines.join("\n")}\n`);
    const toReplay = items.filter((item) => item.skip === undefined).length;
    if (toReplay > 0 && !options.yes) {
      const answer = await ask(context, `Replay ${toReplay} event${toReplay === 1 ? "" : "s"}? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) {
        note(context, "nothing was replayed");
        return 0;
      }
    }

    await checkConcurrency(items, clients, stop);
    const results = options.wait
      ? await replayAndWait(items, options, context, clients, held, stop)
      : await invokeAll(items, options, context, clients, held, stop);
    const interrupted =
      results.some((result) => result.outcome === "not-run") ||
      results.some((result) => result.wait === "interrupted");
    if (context.output.json) {
      context.io.stdout.write(
        `${printableJson(
          JSON.stringify({
            version: 1,
            source: source.label,
            dryRun: false,
            interrupted,
            items: results.map(resultRecord),
          }),
        )}\n`,
      );
    }
    if (interrupted) {
      const first = results.find((result) => result.outcome === "not-run");
      warn(
        context,
        `interrupted: stopped before ${first?.item.origin.label ?? "?"}; what was not replayed was not deleted`,
      );
    }
    note(context, summaryLine(results, interrupted));
    if (options.wait) {
      if (!context.output.json) context.io.stdout.write(`${waitTable(results, context.colors).join("\n")}\n`);
      if (results.some((result) => result.outcome === "failed" || result.wait === "failed")) return 1;
      if (interrupted) return 1;
      return results.some((result) => result.wait === "timed-out") ? 3 : 0;
    }
    return results.some((result) => result.outcome === "failed" || result.outcome === "not-run") ? 1 : 0;
  } finally {
    if (held) {
      const problems = await held.releaseAll().catch((error: Error) => [error.message]);
      for (const problem of problems) {
        warn(context, `could not give a held message back (it reappears by itself later): ${problem}`);
      }
    }
  }
}

async function readFileItems(
  files: string[],
  max: number,
  context: CommandContext,
  planOptions: PlanOptions,
): Promise<ReplayItem[]> {
  const { expandSources, forEachItem, rawItemText } = await import("../sources/read-items.js");
  const expanded = await expandSources(files, {
    cwd: context.io.cwd,
    stdinIsTTY: context.io.stdin.isTTY === true,
  });
  for (const problem of expanded.unreadable) {
    throw new UsageError(`${problem.source}: ${problem.message}`);
  }
  const items: ReplayItem[] = [];
  let values = 0;
  await forEachItem(
    expanded.sources,
    { cwd: context.io.cwd, stdin: context.io.stdin },
    (item) => {
      if (values >= max) return;
      values++;
      const where =
        item.form === "line"
          ? ` line ${item.lineOffset + 1}`
          : item.form === "element"
            ? ` [${item.index}]`
            : "";
      const origin = { label: `${item.source}${where}` };
      if (item.syntaxError || item.value === undefined) {
        items.push({ origin, kind: "other", skip: "not JSON" });
        return;
      }
      if (item.unprocessable) {
        items.push({ origin, kind: "other", skip: item.unprocessable.message });
        return;
      }
      items.push(...planValue(item.value, rawItemText(item), origin, planOptions));
    },
    (problem) => {
      throw new UsageError(`${problem.source}: ${problem.message}`);
    },
  );
  return items;
}

/** Reads one line from the terminal after printing the question on stderr. */
function ask(context: CommandContext, question: string): Promise<string> {
  context.io.stderr.write(question);
  return new Promise((resolveAnswer) => {
    const lines = createInterface({ input: context.io.stdin, terminal: false });
    let answered = false;
    lines.once("line", (line) => {
      answered = true;
      lines.close();
      resolveAnswer(line);
    });
    lines.once("close", () => {
      if (!answered) resolveAnswer("");
    });
  });
}

/**
 * ZeroReservedConcurrency records are replayed only to a function that can run now: one whose reserved
 * concurrency is no longer 0. The others are skipped, saying why.
 */
async function checkConcurrency(items: ReplayItem[], clients: AwsClients, stop: AbortSignal): Promise<void> {
  const waiting = items.filter((item) => item.skip === undefined && item.needsConcurrency);
  if (waiting.length === 0) return;
  const { reservedConcurrency } = await import("../aws/replay-sources.js");
  const verdicts = new Map<string, string | undefined>();
  for (const item of waiting) {
    const name = item.functionName!;
    if (!verdicts.has(name)) {
      try {
        const regional = await clients.forResourceRegion(parseArn(name)?.region, "lambda");
        const reserved = await reservedConcurrency(regional, name, stop);
        verdicts.set(
          name,
          reserved === 0
            ? "ZeroReservedConcurrency: the function's reserved concurrency is still 0, so it would be throttled again (raise it with put-function-concurrency, or remove it with delete-function-concurrency)"
            : undefined,
        );
      } catch (error) {
        verdicts.set(
          name,
          `ZeroReservedConcurrency: could not check the function's concurrency: ${(error as Error).message}`,
        );
      }
    }
    const reason = verdicts.get(name);
    if (reason) item.skip = reason;
  }
}

async function invokeAll(
  items: ReplayItem[],
  options: ReplayOptions,
  context: CommandContext,
  clients: AwsClients,
  held: HeldQueue | undefined,
  stop: AbortSignal,
  onInvoked?: (result: ReplayResult) => void,
): Promise<ReplayResult[]> {
  const { LambdaOperations } = await import("../aws/lambda.js");
  const lambdas = new Map<string, Promise<LambdaOperations>>();
  const lambdaFor = (functionName: string) => {
    const region = parseArn(functionName)?.region ?? "";
    let lambda = lambdas.get(region);
    if (!lambda) {
      lambda = clients
        .forResourceRegion(region || undefined, "lambda")
        .then((c) => LambdaOperations.create(c));
      lambdas.set(region, lambda);
    }
    return lambda;
  };
  const results: ReplayResult[] = items.map((item) =>
    item.skip === undefined ? { item, outcome: "not-run" } : { item, outcome: "skipped", reason: item.skip },
  );
  const queue = results.filter((result) => result.outcome === "not-run");
  const interval = options.rate ? 1000 / options.rate : 0;
  const started = Date.now();
  let nextIndex = 0;
  let launched = 0;
  const show = (result: ReplayResult) => {
    if (!context.output.json) context.io.stdout.write(`${resultLine(result, context.colors)}\n`);
  };
  const log = options.out === undefined ? undefined : resolve(context.io.cwd, options.out);
  for (const result of results) {
    // A message a log shows as replayed, held again after an interruption: --delete finishes its job.
    if (
      result.item.alreadyReplayed &&
      options.delete &&
      held &&
      result.item.origin.messageId &&
      !result.item.origin.shared
    ) {
      const problem = await held.delete(result.item.origin.messageId).catch((error: Error) => error.message);
      if (problem === undefined) result.deleted = true;
    }
    if (result.outcome === "skipped" && context.output.verbose) show(result);
  }

  const worker = async () => {
    while (!stop.aborted && nextIndex < queue.length) {
      const result = queue[nextIndex++]!;
      if (interval > 0) {
        const slot = started + launched * interval;
        launched++;
        const wait = slot - Date.now();
        if (wait > 0) await sleep(wait, stop);
        if (stop.aborted) {
          // Not started: it stays "not-run", and its message is not deleted.
          return;
        }
      }
      await invokeOne(result, options, lambdaFor, held);
      onInvoked?.(result);
      if (log) appendFileSync(log, `${JSON.stringify(logRecord(result, new Date()))}\n`);
      show(result);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

async function invokeOne(
  result: ReplayResult,
  options: ReplayOptions,
  lambdaFor: (functionName: string) => Promise<LambdaOperations>,
  held: HeldQueue | undefined,
): Promise<void> {
  const item = result.item;
  const bytes = Buffer.from(item.payload ?? "", "utf8");
  const limit = options.sync ? SYNC_PAYLOAD_LIMIT : ASYNC_PAYLOAD_LIMIT;
  if (bytes.length > limit) {
    result.outcome = "failed";
    result.reason = `the payload (${bytes.length} bytes) is larger than the ${limit} bytes ${options.sync ? "a synchronous" : "an asynchronous"} invoke takes`;
    return;
  }
  try {
    const lambda = await lambdaFor(item.functionName!);
    const target = parseFunctionReference(item.functionName!);
    // The invocation itself is not cut short by an interrupt: once started, it is seen through, so that the
    // report (and --delete) knows whether it was accepted.
    const outcome = await lambda.invoke(
      target,
      item.qualifier,
      bytes,
      options.sync ? "RequestResponse" : "Event",
    );
    result.newRequestId = outcome.requestId;
    result.statusCode = outcome.statusCode;
    if (options.sync) {
      result.result = outcome.payload ? Buffer.from(outcome.payload).toString("utf8") : "";
      if (outcome.functionError) {
        result.outcome = "failed";
        result.reason = `function error (${outcome.functionError}): ${functionErrorText(result.result)}`;
        return;
      }
    }
    result.outcome = "accepted";
  } catch (error) {
    result.outcome = "failed";
    result.reason = (error as Error).message;
    return;
  }
  // With --wait, a message is deleted only once its new record says Success (after the wait).
  if (options.delete && !options.wait && held && item.origin.messageId && !item.origin.shared) {
    try {
      const problem = await held.delete(item.origin.messageId);
      if (problem) result.reason = `accepted, but the message could not be deleted: ${problem}`;
      else result.deleted = true;
    } catch (error) {
      result.reason = `accepted, but the message could not be deleted: ${(error as Error).message}`;
    }
  }
}

function functionErrorText(text: string): string {
  try {
    const error = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    const parts = [error.errorType, error.errorMessage].filter((part) => typeof part === "string");
    if (parts.length > 0) return printable(parts.join(": "));
  } catch {
    // not JSON: shown as it is
  }
  return printable(text.slice(0, 200));
}

/** One line of the replay log (--out): enough to know, on a rerun, what was done. */
function logRecord(result: ReplayResult, time: Date): Record<string, unknown> {
  return {
    version: 1,
    time: time.toISOString(),
    origin: result.item.origin.label,
    messageId: result.item.origin.messageId ?? null,
    originalRequestId: result.item.originalRequestId ?? null,
    function: result.item.functionName ?? null,
    qualifier: result.item.qualifier ?? null,
    newRequestId: result.newRequestId ?? null,
    outcome: result.outcome,
    reason: result.reason ?? null,
  };
}

/** The original request ids that a replay log shows as accepted. A missing log is a usage error. */
function readReplayLog(file: string, cwd: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`--skip-replayed ${file}: ${(error as Error).message}`);
  }
  const done = new Set<string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const entry = JSON.parse(line) as { outcome?: unknown; originalRequestId?: unknown };
      if (entry.outcome === "accepted" && typeof entry.originalRequestId === "string") {
        done.add(entry.originalRequestId);
      }
    } catch {
      // A line cut short by an interruption: what it was about is replayed again, as it was not logged.
    }
  }
  return done;
}

/**
 * --wait: watches the destinations of every function replayed to (as `invoke --wait` does), invokes, and
 * matches each new record to its replay by request id. --delete then deletes the messages whose replay
 * ended in a Success record, and only those.
 */
async function replayAndWait(
  items: ReplayItem[],
  options: ReplayOptions,
  context: CommandContext,
  clients: AwsClients,
  held: HeldQueue | undefined,
  stop: AbortSignal,
): Promise<ReplayResult[]> {
  const [{ analyzeSafely }, { BoundedSet }, { runWatch }] = await Promise.all([
    import("../envelopes/analyze.js"),
    import("../aws/queue-poller.js"),
    import("./watch-runner.js"),
  ]);
  const pending = new Map<string, ReplayResult>();
  // Records that arrive before Invoke has returned their request id, kept (bounded) to be matched then.
  const early = new Map<string, AnalyzedEnvelope>();
  const seen = new BoundedSet(100_000);
  let invoking = true;
  let finishWatch: (why: "done") => void = () => {};
  const settle = (result: ReplayResult, envelope: AnalyzedEnvelope) => {
    const summary = envelope.summary;
    result.wait = summary.outcome === "success" ? "succeeded" : "failed";
    if (result.wait === "failed") {
      result.waitError = [summary.condition, summary.errorType, summary.errorMessage]
        .filter(Boolean)
        .join(": ");
    }
    pending.delete(result.newRequestId ?? "");
    if (!invoking && pending.size === 0) finishWatch("done");
  };
  const handle = (received: Received[]): Handled => {
    const dispositions: Handled["dispositions"] = [];
    let fresh = 0;
    for (const item of received) {
      let matched = false;
      if (!seen.has(item.id)) {
        fresh += 1;
        seen.add(item.id);
        for (const envelope of analyzeSafely(item.value)) {
          const id = envelope.summary.requestId;
          if (!id) continue;
          const result = pending.get(id);
          if (result) {
            settle(result, envelope);
            matched = true;
          } else if (early.size < 10_000) early.set(id, envelope);
        }
      }
      // The watch only peeks: a destination's records stay where they are.
      dispositions.push(matched ? "written" : "skipped");
    }
    return { dispositions, fresh };
  };
  let results: ReplayResult[] = [];
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const { reason } = await runWatch<"done">(
    context,
    clients,
    { timeoutMs, consume: false },
    async ({ session, stop: watchStop, finish }) => {
      finishWatch = finish;
      const targets = new Map<string, { functionName: string; qualifier?: string }>();
      for (const item of items) {
        if (item.skip !== undefined || !item.functionName) continue;
        targets.set(`${item.functionName}\u0000${item.qualifier ?? ""}`, {
          functionName: item.functionName,
          qualifier: item.qualifier,
        });
      }
      for (const target of targets.values()) {
        const label = targetLabel(target.functionName, target.qualifier);
        const destinations = await session.addFunction(
          parseFunctionReference(target.functionName),
          target.qualifier,
        );
        for (const unwatchable of destinations.unwatchable) warn(context, unwatchable.reason);
        if (destinations.watched.length === 0) {
          warn(context, `${label} has no destination that can be watched: its replays end in a timeout`);
        }
      }
      // Short polls: the wait ends when the last record arrives, not when a long poll does.
      const polling = session.run(handle, () => finish("error"), 1, undefined, 0);
      polling.catch(() => undefined);
      const combined = AbortSignal.any([stop, watchStop]);
      results = await invokeAll(items, options, context, clients, held, combined, (result) => {
        if (result.outcome !== "accepted" || !result.newRequestId) return;
        pending.set(result.newRequestId, result);
        const arrived = early.get(result.newRequestId);
        if (arrived) settle(result, arrived);
      });
      invoking = false;
      if (pending.size === 0) finish("done");
      else note(context, `waiting for ${pending.size} new record${pending.size === 1 ? "" : "s"}`);
      await polling;
    },
  );
  for (const result of pending.values()) {
    result.wait = reason === "timeout" ? "timed-out" : "interrupted";
  }
  if (options.delete && held) {
    for (const result of results) {
      if (result.wait !== "succeeded" || !result.item.origin.messageId || result.item.origin.shared) continue;
      const problem = await held.delete(result.item.origin.messageId).catch((error: Error) => error.message);
      if (problem === undefined) result.deleted = true;
      else result.reason = `succeeded, but the message could not be deleted: ${problem}`;
    }
  }
  return results;
}

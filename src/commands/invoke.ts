import { formatBytes } from "../aws/batches.js";
import { type AwsClients, resolveClientSettings, withClients } from "../aws/clients.js";
import type { DestinationConfig } from "../aws/lambda.js";
import { BoundedSet } from "../aws/queue-poller.js";
import type { Watched } from "../aws/session.js";
import { type FunctionTarget, parseFunctionReference } from "../aws/targets.js";
import type { Handled, Received } from "../aws/watched.js";
import { formatDuration } from "../duration.js";
import type { AnalyzedEnvelope } from "../envelopes/types.js";
import { AwsOperationError, TimeoutError, UsageError } from "../errors.js";
import { readInputText } from "../input/body.js";
import { type CommandContext, note, warn } from "../io.js";
import { printable, printableJson, printableLines } from "../printable.js";
import { Progress } from "../render/progress.js";
import { peekWaitSeconds, runWatch, setupTimedOut } from "./watch-runner.js";

export interface InvokeOptions {
  functionName: string;
  payload?: string;
  file?: string;
  qualifier?: string;
  sync: boolean;
  wait: boolean;
  /** The whole command, setup included; --wait waits 5 minutes when it is not given. */
  timeoutMs?: number;
}

const DEFAULT_WAIT_MS = 5 * 60_000;

/** Payload limits of the Invoke API: 1 MB for an async invocation, 6 MB for a synchronous one. */
const ASYNC_PAYLOAD_LIMIT = 1_048_576;
const SYNC_PAYLOAD_LIMIT = 6_291_456;

export async function runInvoke(options: InvokeOptions, context: CommandContext): Promise<number> {
  return withClients(context, (clients) => invoke(options, context, clients));
}

/** The command with its clients injected. */
export async function invoke(
  options: InvokeOptions,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  const target = parseFunctionReference(options.functionName);
  if (target.qualifier && options.qualifier && target.qualifier !== options.qualifier) {
    throw new UsageError(
      `the function names qualifier ${target.qualifier} and --qualifier says ${options.qualifier}: give one`,
    );
  }
  const qualifier = target.qualifier ?? options.qualifier;
  const payload = await readPayload(options, context);
  const limit = options.sync ? SYNC_PAYLOAD_LIMIT : ASYNC_PAYLOAD_LIMIT;
  if (payload.length > limit) {
    throw new UsageError(
      `the payload is too large for ${options.sync ? "a synchronous" : "an asynchronous"} invoke (${formatBytes(payload.length)}; the limit is ${formatBytes(limit)}); nothing was sent`,
    );
  }
  if (options.wait) return invokeAndWait(target, qualifier, payload, options, context, clients);

  const { LambdaOperations } = await import("../aws/lambda.js");
  const lambda = await LambdaOperations.create(clients);
  // --timeout bounds a plain or synchronous invoke too; the call is cut when it passes.
  const deadline = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const call = async (type: "Event" | "RequestResponse") => {
    try {
      return await lambda.invoke(target, qualifier, payload, type, deadline);
    } catch (error) {
      if (!deadline?.aborted) throw error;
      // The request may have reached Lambda: whether the function runs cannot be known.
      throw new TimeoutError(
        type === "RequestResponse"
          ? `timed out after ${formatDuration(options.timeoutMs!)} waiting for ${clients.endpointLabel("lambda")} to answer the invocation of ${target.name}; the function may be running still`
          : setupTimedOut(
              options.timeoutMs!,
              clients,
              "function",
              "the invocation may or may not have been accepted",
            ),
      );
    }
  };
  if (!options.sync) {
    const outcome = await call("Event");
    if (context.output.json) {
      context.io.stdout.write(
        `${printableJson(JSON.stringify({ version: 1, function: target.name, qualifier: qualifier ?? null, requestId: outcome.requestId, statusCode: outcome.statusCode }))}\n`,
      );
    } else {
      context.io.stdout.write(`${printable(outcome.requestId ?? "")}\n`);
    }
    return 0;
  }

  const outcome = await call("RequestResponse");
  const resultText = outcome.payload ? Buffer.from(outcome.payload).toString("utf8") : "";
  const log = outcome.logResult ? Buffer.from(outcome.logResult, "base64").toString("utf8") : undefined;
  let result: unknown = resultText;
  try {
    result = resultText === "" ? null : JSON.parse(resultText);
    // Rendering recurses per level: a result nested too deeply is shown as the text it is.
    const { measureValue } = await import("../sources/json-checks.js");
    if (measureValue(result).tooDeep) result = resultText;
  } catch {
    // not JSON: shown as the text it is
  }
  // The function's result and log are outside text: escaped before they reach a terminal.
  if (context.output.json) {
    context.io.stdout.write(
      `${printableJson(
        JSON.stringify({
          version: 1,
          function: target.name,
          qualifier: qualifier ?? null,
          requestId: outcome.requestId,
          statusCode: outcome.statusCode,
          executedVersion: outcome.executedVersion ?? null,
          functionError: outcome.functionError ?? null,
          result,
          log: log ?? null,
        }),
      )}\n`,
    );
  } else {
    if (log && !context.output.quiet) {
      context.io.stderr.write(
        `${context.errorColors.dim(`--- log tail (request ${printable(outcome.requestId ?? "")}) ---`)}\n`,
      );
      context.io.stderr.write(printableLines(log.endsWith("\n") ? log : `${log}\n`));
      context.io.stderr.write(`${context.errorColors.dim("---")}\n`);
    }
    const { prettyJson } = await import("../render/json.js");
    context.io.stdout.write(
      `${typeof result === "string" ? printableLines(result) : prettyJson(result, context.colors, "", undefined, "", { width: context.width })}\n`,
    );
  }
  if (outcome.functionError) {
    const error = result as { errorType?: string; errorMessage?: string } | null;
    const detail = [error?.errorType, error?.errorMessage].filter(Boolean).join(": ");
    context.io.stderr.write(
      `${context.errorColors.red("function error")} (${printable(outcome.functionError)})${detail ? `: ${printable(detail)}` : ""}\n`,
    );
    return 1;
  }
  return 0;
}

async function readPayload(options: InvokeOptions, context: CommandContext): Promise<Buffer> {
  const input = await readInputText({
    argument: options.payload,
    file: options.file,
    stdin: context.io.stdin,
    cwd: context.io.cwd,
    noun: "payload",
    fallback: "{}",
  });
  // An empty stdin (e.g. </dev/null in a script) means the default event, as no input at all does.
  const text = input.text.trim() === "" ? "{}" : input.text;
  try {
    JSON.parse(text);
  } catch (error) {
    const where = input.origin === "argument" ? "the payload" : input.origin === "-" ? "stdin" : input.origin;
    throw new UsageError(`${where} is not JSON: ${(error as Error).message}; Lambda takes a JSON event`);
  }
  return Buffer.from(text, "utf8");
}

type StopReason = "matched" | "error";

/** A Success record as an SQS destination delivers it: the stand-in that `--wait` analyses while it waits. */
const WARM_UP_MESSAGE = {
  MessageId: "00000000-0000-4000-8000-000000000000",
  Body: JSON.stringify({
    version: "1.0",
    timestamp: "2025-01-01T00:00:00.000Z",
    requestContext: {
      requestId: "00000000-0000-4000-8000-000000000000",
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:warm-up:$LATEST",
      condition: "Success",
      approximateInvokeCount: 1,
    },
    requestPayload: {},
    responseContext: { statusCode: 200, executedVersion: "$LATEST" },
    responsePayload: null,
  }),
};

/**
 * --wait: read the event invoke config of exactly this qualifier, watch its destinations, invoke, and print the
 * record whose requestId is the invocation's. Exit 0 on a success record, 1 on a failure record, 3 on timeout.
 */
async function invokeAndWait(
  target: FunctionTarget,
  qualifier: string | undefined,
  payload: Buffer,
  options: InvokeOptions,
  context: CommandContext,
  clients: AwsClients,
): Promise<number> {
  const [{ analyzeSafely }, { LambdaOperations, describeFunction }, render] = await Promise.all([
    import("../envelopes/index.js"),
    import("../aws/lambda.js"),
    import("../render/tail.js"),
  ]);
  const { envelopeLineJson, renderEnvelope } = await import("../render/envelope.js");
  const label = describeFunction(target, qualifier);
  // Set once the watch runs: a record that matches ends it.
  let finish: (why: StopReason) => void = () => {};

  let requestId: string | undefined;
  let match: Arrival | undefined;
  // Messages already looked at: a peek backs off on a backlog of them.
  const seen = new BoundedSet(100_000);
  type Arrival = { envelope: AnalyzedEnvelope; watched: Watched; item: Received; receivedAt: Date };
  // What arrives before Invoke has returned the request id (a fast function on a temporary queue, which deletes
  // what it has read) is kept, bounded, and looked at again once the id is known.
  const early: Arrival[] = [];
  const consider = (arrival: Arrival): boolean => {
    if (match || arrival.envelope.summary.requestId !== requestId) return false;
    match = arrival;
    finish("matched");
    return true;
  };
  const handle = (items: Received[], watched: Watched): Handled => {
    const dispositions: Handled["dispositions"] = [];
    let fresh = 0;
    for (const item of items) {
      let matched = false;
      const { id } = item;
      if (!seen.has(id)) {
        fresh += 1;
        seen.add(id);
        for (const envelope of analyzeSafely(item.value)) {
          const arrival = { envelope, watched, item, receivedAt: context.io.now() };
          if (requestId === undefined) {
            if (early.length < 1_000) early.push(arrival);
          } else if (consider(arrival)) {
            matched = true;
            break;
          }
        }
      }
      // A peek never deletes: the record stays in the user's queue.
      dispositions.push(matched ? "written" : "skipped");
    }
    return { dispositions, fresh };
  };

  const reminders: NodeJS.Timeout[] = [];
  const started = Date.now();
  // On a terminal, the time waited so far (never with --json, --quiet or piped stderr).
  const progress = new Progress({
    stderr: context.io.stderr,
    json: context.output.json,
    quiet: context.output.quiet,
  });
  let ticker: NodeJS.Timeout | undefined;
  const say = (text: string) => {
    progress.clear();
    note(context, text);
  };
  // The time-out covers everything from here: reading the destinations, setting up the watch, the invoke.
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  let invocation = "not sent" as "not sent" | "in flight" | "accepted";
  const { reason } = await runWatch<StopReason>(
    context,
    clients,
    { timeoutMs, consume: false },
    async ({ session, stop, finish: end }) => {
      finish = end;
      let polling: Promise<void> | undefined;
      try {
        const destinations = await session.addFunction(target, qualifier);
        const config = destinations.config ?? {};
        if (!config.onSuccess && !config.onFailure && !destinations.deadLetter) {
          warn(context, `${label} has no destinations configured for this qualifier`);
          throw new AwsOperationError(
            `nothing to wait for: ${label} has no on-success or on-failure destination (destinations are set per version or alias: aws lambda put-function-event-invoke-config --function-name ${target.name}${qualifier ? ` --qualifier ${qualifier}` : ""} --destination-config ...)`,
          );
        }
        for (const item of destinations.unwatchable) warn(context, item.reason);
        if (destinations.watched.length === 0) {
          throw new AwsOperationError(
            `nothing to wait for: none of the destinations of ${label} can be watched`,
          );
        }
        const watchedRoles = new Set(destinations.watched.map((item) => item.role));
        if (!watchedRoles.has("on-success")) {
          warn(
            context,
            `${label} has no watchable on-success destination: a successful invocation ends in a timeout`,
          );
        }
        if (!watchedRoles.has("on-failure") && !watchedRoles.has("dead-letter")) {
          warn(
            context,
            `${label} has no watchable on-failure destination: a failed invocation ends in a timeout`,
          );
        }
        if (stop.aborted) throw stop.reason;

        // Watchers are attached (topic taps confirmed) before the invocation, so the record cannot slip past.
        polling = session.run(handle, () => finish("error"), 1, undefined, peekWaitSeconds(session.watched));
        // Observed now, so that a poll failing while Invoke is in flight is not an unhandled rejection; it is
        // still thrown by the await below.
        polling.catch(() => undefined);
        const lambda = await LambdaOperations.create(clients);
        invocation = "in flight";
        const outcome = await lambda.invoke(target, qualifier, payload, "Event", stop);
        invocation = "accepted";
        requestId = outcome.requestId;
        for (const arrival of early.splice(0)) if (consider(arrival)) break;
        const where = destinations.watched.map((item) => `${item.role} ${item.watched.label}`).join(", ");
        note(
          context,
          `invoked ${label} asynchronously, request ${requestId}; waiting for its record (${where})`,
        );
        // While the function runs: the record's analysis and rendering, loaded and compiled on a stand-in,
        // so that the real record is shown as soon as it arrives.
        setImmediate(() => {
          if (match) return;
          const facts = { receivedAt: context.io.now(), source: "warm-up" };
          for (const envelope of analyzeSafely(WARM_UP_MESSAGE)) {
            if (context.output.json) envelopeLineJson(render.tailRecord(envelope, facts), envelope);
            else renderEnvelope(envelope, { colors: context.colors, origin: "warm-up", detailed: true });
          }
        });
        const endpoint = resolveClientSettings("lambda", context.aws, context.io.env).endpoint;
        explainRetries(say, config, timeoutMs, reminders, isLoopback(endpoint));
        ticker = setInterval(
          () =>
            progress.update(
              `waiting for the record of ${requestId}: ${formatDuration(Date.now() - started)}`,
            ),
          1_000,
        );
        await polling;
      } finally {
        if (ticker) clearInterval(ticker);
        progress.clear();
        for (const reminder of reminders) clearTimeout(reminder);
        // The poller ends with the watch (an error ends the watch too) before the session is closed.
        if (polling && !stop.aborted) finish("error");
        await polling?.catch(() => undefined);
      }
    },
  );
  if (reason === "timeout" && invocation !== "accepted") {
    throw new TimeoutError(
      setupTimedOut(
        timeoutMs,
        clients,
        "function",
        invocation === "not sent"
          ? "nothing was invoked"
          : "the invocation may or may not have been accepted",
      ),
    );
  }

  if (match) {
    const facts = {
      receivedAt: match.receivedAt,
      source: match.item.source ?? match.watched.label,
      messageId: match.item.messageId,
    };
    if (context.output.json) {
      context.io.stdout.write(
        `${printableJson(envelopeLineJson({ ...render.tailRecord(match.envelope, facts), requestId, outcome: match.envelope.summary.outcome }, match.envelope))}\n`,
      );
    } else {
      const waited = match.receivedAt.getTime() - started;
      const origin = `${facts.source}${facts.messageId ? `, message ${facts.messageId}` : ""}, after ${formatDuration(waited)}`;
      context.io.stdout.write(
        renderEnvelope(match.envelope, {
          colors: context.colors,
          origin,
          detailed: true,
          width: context.width,
          verbose: context.output.verbose,
        }),
      );
    }
    return match.envelope.summary.outcome === "success" ? 0 : 1;
  }
  if (reason === "timeout") {
    throw new TimeoutError(
      `no destination record for request ${requestId} within ${formatDuration(timeoutMs)}; it may still arrive (lambda-dest tail function:${label})`,
    );
  }
  if (requestId) {
    warn(context, `interrupted before the record of request ${requestId} arrived`);
  }
  return 1;
}

/**
 * What the wait depends on, said up front and again when Lambda's retries would be happening: AWS waits about
 * 1 minute before the second attempt and about 2 more before the third.
 */
function explainRetries(
  say: (text: string) => void,
  config: DestinationConfig,
  timeoutMs: number,
  reminders: NodeJS.Timeout[],
  localStack: boolean,
): void {
  const retries = config.maximumRetryAttempts ?? 2;
  if (retries === 0) {
    say("retries are off for this function (MaximumRetryAttempts 0): the record follows the first attempt");
    return;
  }
  const times = `${retries} time${retries === 1 ? "" : "s"}`;
  if (localStack) {
    // The embedded stack shortens AWS's delays (unless started with --real-timing): no minute-long reminders.
    say(
      `if an attempt fails, Lambda retries up to ${times}; AWS waits about 1 min, then 2 min, a local stack usually seconds`,
    );
    return;
  }
  say(
    `if an attempt fails, Lambda retries up to ${times} (about 1 min, then 2 min later), so a failure record can take ~${retries === 1 ? 1 : 3} min`,
  );
  const schedule = [
    {
      at: 70_000,
      text: "no record after 1 min: attempt 1 has probably failed; Lambda retries about now (attempt 2)",
    },
    {
      at: 190_000,
      text: "no record after 3 min: attempt 2 has probably failed too; Lambda retries about now (attempt 3)",
    },
  ].slice(0, retries);
  for (const step of schedule) {
    if (step.at >= timeoutMs) continue;
    const reminder = setTimeout(() => say(step.text), step.at);
    reminder.unref();
    reminders.push(reminder);
  }
  const needed = retries === 1 ? 90_000 : 210_000;
  if (timeoutMs < needed) {
    say(
      `--timeout ${formatDuration(timeoutMs)} is shorter than AWS's retry schedule: a late failure record would be missed`,
    );
  }
}

/** True for an endpoint on this machine (the embedded local stack, or another emulator). */
function isLoopback(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === "localhost" || host === "[::1]" || /^127\./.test(host);
  } catch {
    return false;
  }
}

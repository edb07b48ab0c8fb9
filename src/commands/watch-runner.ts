/**
 * The one way a command watches queues: `tail` and `invoke --wait` both run through here, and a new source
 * kind plugs into the WatchSession (src/aws/session.ts) as one adapter, never into a command. The runner owns
 * what every watch must get right: one stop signal fed by Ctrl-C/SIGTERM/SIGHUP, a closed pipe, the
 * --timeout (which covers the setup too) and the command's own reasons; the temporary resources removed on
 * every way out; what could not be removed named with its removal command, on a forced exit too.
 */
import type { AwsClients } from "../aws/clients.js";
import type { Watched, WatchSession } from "../aws/session.js";
import { describeLeftovers, type Leftover } from "../aws/temporary-resources.js";
import { formatDuration } from "../duration.js";
import { type CommandContext, note, warn } from "../io.js";

/** Why a watch ended: a reason of the command's own (max, until, matched), or one of these. */
export type WatchEnd = "interrupt" | "timeout" | "error";

export interface Watch<Reason extends string> {
  session: WatchSession;
  /** Aborts when the watch ends, whatever the reason: the session and every call in flight stop with it. */
  stop: AbortSignal;
  /** Ends the watch; the first reason given is the one reported. */
  finish(reason: Reason | WatchEnd): void;
}

export interface WatchOutcome<Reason extends string> {
  /** undefined when the body returned on its own. */
  reason: Reason | WatchEnd | undefined;
  leftovers: Leftover[];
}

export interface WatchOptions {
  /** The whole watch, setup included; ends it with the reason "timeout". */
  timeoutMs?: number;
  /** Queues are consumed (messages deleted once written) rather than peeked. */
  consume: boolean;
}

/**
 * Runs `body` with a fresh session and returns once everything it created is removed (or reported). An error
 * from the body is rethrown after that, unless the watch had already been stopped for another reason (an
 * aborted call during setup is then a normal way out).
 */
export async function runWatch<Reason extends string>(
  context: CommandContext,
  clients: AwsClients,
  options: WatchOptions,
  body: (watch: Watch<Reason>) => Promise<void>,
): Promise<WatchOutcome<Reason>> {
  const { WatchSession } = await import("../aws/session.js");
  const controller = new AbortController();
  let reason: Reason | WatchEnd | undefined;
  const finish = (why: Reason | WatchEnd) => {
    reason ??= why;
    controller.abort(why);
  };
  const interrupts = context.io.watchInterrupts();
  if (interrupts.aborted) finish("interrupt");
  interrupts.addEventListener("abort", () => finish("interrupt"), { once: true });
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => finish("timeout"), options.timeoutMs);

  const session = new WatchSession({
    clients,
    events: { note: (text) => note(context, text), warn: (text) => warn(context, text) },
    consume: options.consume,
    stop: controller.signal,
    now: () => context.io.now(),
  });
  const cleanupOptions = cleanupCliOptions(context);
  const unregister = context.io.atForcedExit?.(() =>
    describeLeftovers(session.resources.leftovers("stopped before it was removed"), cleanupOptions),
  );
  let failure: unknown;
  let leftovers: Leftover[] = [];
  try {
    await body({ session, stop: controller.signal, finish });
  } catch (error) {
    if (!controller.signal.aborted || reason === "error") failure = error;
    finish("error");
  } finally {
    if (timer) clearTimeout(timer);
    leftovers = await session.close();
  }
  if (session.resources.removed.length > 0 && context.output.verbose) {
    note(context, `removed ${session.resources.removed.join(", ")}`);
  }
  reportLeftovers(context, leftovers, cleanupOptions);
  unregister?.();
  if (failure !== undefined) throw failure;
  return { reason, leftovers };
}

/** The flags that point `lambda-dest cleanup` at the same endpoint and region as this run. */
export function cleanupCliOptions(context: CommandContext): string {
  const { aws } = context;
  let options = "";
  if (aws.local) options += " --local";
  if (aws.endpointUrl) options += ` --endpoint-url ${aws.endpointUrl}`;
  if (aws.region) options += ` --region ${aws.region}`;
  if (aws.profile) options += ` --profile ${aws.profile}`;
  return options;
}

/**
 * Why a --timeout that passed during setup ends the command with exit 3: an endpoint that never answered
 * is named, with what to check; one that answered was too slow to be ready in time.
 */
export function setupTimedOut(
  timeoutMs: number,
  clients: AwsClients,
  targetType: string,
  consequence: string,
): string {
  const service = targetType === "function" ? "lambda" : targetType === "topic" ? "sns" : "sqs";
  if (clients.answers === 0) {
    return `timed out after ${formatDuration(timeoutMs)} with no answer from ${clients.endpointLabel(service)}: it never answered, so ${consequence}; check --endpoint-url / --region and your network, or start the local stack (lambda-dest local)`;
  }
  return `timed out after ${formatDuration(timeoutMs)} before the setup was done, so ${consequence}`;
}

/** What could not be removed: a warning for each, with the commands that remove it indented below. */
function reportLeftovers(context: CommandContext, leftovers: Leftover[], cleanupOptions: string): void {
  for (const line of describeLeftovers(leftovers, cleanupOptions)) {
    if (line.startsWith("  ")) context.io.stderr.write(`${line}\n`);
    else warn(context, line);
  }
}

/**
 * How long a poll of a user's queue may wait for a message (its long poll). A long poll on a user's queue is
 * never abandoned (SQS would hand a message to the abandoned request and hide it), so the watch ends only
 * when every poll in flight has returned. One source watched alone: a long poll of 1 s hands over the record
 * the moment it arrives, and the record that ends the watch comes with that very poll, so none is left to
 * finish (an interrupt or a time-out waits at most that second). With more sources, a record arriving
 * through one would leave another's long poll to run out: they are short-polled, so that the wait ends when
 * the record arrives. For the watches that end on a record: invoke --wait and replay --wait.
 */
export function peekWaitSeconds(watched: readonly Watched[]): number {
  return watched.length === 1 ? 1 : 0;
}

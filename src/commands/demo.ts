/**
 * `demo`: the seed article's scenario end to end on an in-process local stack. The example order processor
 * is deployed through the ordinary Lambda API, triggered from a queue (it publishes its own processing
 * results to two topics) and invoked asynchronously (Lambda Destinations route the invocation records), and
 * every envelope that arrives is shown, validated and checked against what the scenario expects. The
 * watching is tail's: the same runner, topic taps and receive loops.
 */
import { AwsClients } from "../aws/clients.js";
import type { Watched } from "../aws/session.js";
import type { Handled, Received } from "../aws/watched.js";
import {
  configureDestinations,
  createResources,
  createTrigger,
  deployFunction,
  invokeOrders,
  runtimeFor,
  sendOrders,
  tryDestinationsOnTrigger,
} from "../demo/provision.js";
import { arrivalRecord, arrivalText, summaryTable } from "../demo/render.js";
import {
  expectedEnvelopes,
  FUNCTION_NAME,
  MAXIMUM_RETRY_ATTEMPTS,
  ORDERS,
  RESOURCES,
  SOURCES,
} from "../demo/scenario.js";
import { DemoTracker, describeVerdict } from "../demo/tracker.js";
import { formatDuration } from "../duration.js";
import { analyzeSafely } from "../envelopes/index.js";
import { AwsOperationError, TimeoutError, ValidationFailedError } from "../errors.js";
import { type CommandContext, note } from "../io.js";
import type { LocalLogger } from "../local/local-logger.js";
import { printableLines } from "../printable.js";
import { runWatch } from "./watch-runner.js";

export interface DemoOptions {
  python: boolean;
  /** How long the whole run may take before it ends with exit 3; default DEMO_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** The whole run, set-up included, must finish within this. */
export const DEMO_TIMEOUT_MS = 30_000;

export async function runDemo(options: DemoOptions, context: CommandContext): Promise<number> {
  const runtime = runtimeFor(options.python);
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEMO_TIMEOUT_MS;
  const { startLocalStack } = await import("../local/stack.js");
  const stack = await startLocalStack({ port: 0, host: "127.0.0.1", logger: stackLogger(context) });
  const clients = new AwsClients({ local: true, endpointUrl: stack.endpoint, region: stack.region }, {});
  const tracker = new DemoTracker(expectedEnvelopes());
  try {
    const sqs = await clients.sqs();
    const sns = await clients.sns();
    const lambda = await clients.lambda();
    // The runner owns the deadline (what is left of it once the stack is up), Ctrl-C, and the removal of
    // the topic taps; the stack itself is stopped below, whatever happened.
    const { reason } = await runWatch<"complete">(
      context,
      clients,
      { timeoutMs: Math.max(0, started + timeoutMs - Date.now()), consume: true },
      async ({ session, stop, finish }) => {
        const step = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
          if (stop.aborted) throw stop.reason;
          try {
            return await action();
          } catch (error) {
            if (error instanceof AwsOperationError || stop.aborted) throw error;
            const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
            throw new AwsOperationError(`demo: could not ${what} on the local stack (${detail})`, {
              cause: error,
            });
          }
        };
        note(
          context,
          `lambda-dest demo: the order processor of the seed article, on an in-process local stack`,
        );
        note(context, `  local stack    ${stack.endpoint} (SQS, SNS, Lambda), region ${stack.region}`);
        const resources = await step("create the queues and topics", () => createResources(sqs, sns));
        note(
          context,
          `  topics         ${RESOURCES.successTopic} and ${RESOURCES.failureTopic} (the handler's own results), ${RESOURCES.destinationTopic} (OnSuccess destination)`,
        );
        note(
          context,
          `  queues         ${RESOURCES.inputQueue} (the trigger), ${RESOURCES.destinationQueue} (OnFailure destination)`,
        );
        await step("deploy the function", () => deployFunction(lambda, runtime, resources));
        note(context, `  function       ${FUNCTION_NAME} (${runtime.runtime}, ${runtime.label})`);
        await step("configure the destinations", () => configureDestinations(lambda, resources));
        note(
          context,
          `  destinations   OnSuccess → ${SOURCES.destinationTopic}, OnFailure → ${SOURCES.destinationQueue}, ` +
            `${MAXIMUM_RETRY_ATTEMPTS} retry (AWS waits ~1 min; ${formatDuration(60_000 * stack.retryDelayScale)} here)`,
        );
        const refusal = await step("try destinations on the SQS trigger", () =>
          tryDestinationsOnTrigger(lambda, resources),
        );
        await step("create the SQS trigger", () => createTrigger(lambda, resources));
        note(
          context,
          `  trigger        sqs:${RESOURCES.inputQueue} → ${FUNCTION_NAME} (event source mapping, batch size 10)`,
        );
        note(context, "");
        note(
          context,
          `Note: an SQS-triggered invocation is synchronous (the event source mapping's poller waits for the result), ` +
            `so it does not use Lambda Destinations. ${refusal} That is why the handler publishes its own processing ` +
            `result for every record, to ${RESOURCES.successTopic} or ${RESOURCES.failureTopic}. Destinations route only ` +
            `asynchronous invocations, which the demo fires with Invoke (InvocationType Event).`,
        );
        note(context, "");

        // Each topic is read through a temporary queue subscribed to it (no raw delivery: the SNS envelope
        // is part of the show); the OnFailure queue is the demo's own, so what is shown is deleted.
        await step("subscribe to the topics", async () => {
          for (const [name, arn] of [
            [RESOURCES.successTopic, resources.successTopicArn],
            [RESOURCES.failureTopic, resources.failureTopicArn],
            [RESOURCES.destinationTopic, resources.destinationTopicArn],
          ] as const) {
            await session.addTopic({ type: "topic", name, arn });
          }
          await session.addQueue({
            type: "queue",
            name: RESOURCES.destinationQueue,
            url: resources.destinationQueue.url,
          });
        });
        note(context, `  watching       ${session.watched.map((watched) => watched.label).join(", ")}`);
        const polling = session.run(show, () => finish("error"), 1);
        polling.catch(() => {});

        await step("send the orders", () => sendOrders(sqs, resources, tracker));
        const queued = ORDERS.filter((order) => order.path === "queue");
        note(
          context,
          `  sent           ${queued.map(describeOrder).join(", ")} to sqs:${RESOURCES.inputQueue}`,
        );
        const invoked = await step("invoke the function", () => invokeOrders(lambda, tracker));
        note(context, `  invoked        ${invoked.join(", ")} asynchronously`);
        note(context, "");

        tracker.complete.then(() => finish("complete"));
        await step("read the watched queues", () => polling);
      },
    );

    const verdict = tracker.verdict();
    const elapsed = formatDuration(Date.now() - started);
    const table = summaryTable(tracker, context.output.json ? context.errorColors : context.colors, elapsed);
    if (context.output.json) context.io.stderr.write(table);
    else context.io.stdout.write(table);
    const problems = describeVerdict(verdict);
    if (reason === "interrupt") {
      throw new ValidationFailedError(
        `demo interrupted (${String(context.io.watchInterrupts().reason)}) before it was over; ${problems.join("; ") || "nothing was missing"}`,
      );
    }
    if (reason === "timeout") {
      throw new TimeoutError(
        `demo timed out after ${formatDuration(timeoutMs)}; ${problems.join("; ") || "nothing arrived"}`,
      );
    }
    if (!verdict.ok) throw new ValidationFailedError(`demo failed: ${problems.join("; ")}`);
    note(context, `All ${tracker.expected.length} expected envelopes arrived and validated in ${elapsed}.`);
    return 0;
  } finally {
    await clients.destroy();
    await stack.stop();
  }

  /** Every arrival is shown (a message that cannot be analysed as an invalid envelope), so each is written. */
  function show(items: Received[], watched: Watched): Handled {
    for (const item of items) {
      const receivedAt = context.io.now();
      for (const envelope of analyzeSafely(item.value)) {
        const arrival = tracker.record(envelope, watched.label, receivedAt, item.messageId);
        if (context.output.json) context.io.stdout.write(`${JSON.stringify(arrivalRecord(arrival))}\n`);
        else context.io.stdout.write(arrivalText(arrival, context.colors, context.width));
      }
    }
    return { dispositions: items.map(() => "written"), fresh: items.length };
  }
}

function describeOrder(order: { orderId: string; fails: boolean }): string {
  return order.fails ? `${order.orderId} (contains "error")` : order.orderId;
}

/** The stack's own log (function output, delivery failures) only with --verbose, on stderr. */
export function stackLogger(context: CommandContext): LocalLogger {
  if (!context.output.verbose) return { info() {}, warn() {}, error() {} };
  const line = (level: string) => (message: string) =>
    context.io.stderr.write(`${context.errorColors.dim(`local ${level}:`)} ${printableLines(message)}\n`);
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

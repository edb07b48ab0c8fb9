/**
 * What `send` and `publish` share: the FIFO rules, the deduplication ids, and once the messages are prepared, batches in flight, one MessageId per line on
 * stdout (or one JSON document), each failure named on stderr, progress on a terminal, exit 1 on any failure.
 */

import {
  type EntryOutcome,
  type EntryResult,
  type OutgoingMessage,
  sendInBatches,
} from "../aws/batch-send.js";
import type { BatchLimits } from "../aws/batches.js";
import { UsageError } from "../errors.js";
import { type CommandContext, note } from "../io.js";
import { printable, printableJson } from "../printable.js";
import { Progress } from "../render/progress.js";

export interface DeliveryReport {
  version: 1;
  target: { type: "queue" | "topic"; name: string; url?: string; arn?: string };
  sent: number;
  failed: number;
  messages: { index: number; line?: number; messageId: string; sequenceNumber?: string }[];
  failures: { index: number; line?: number; code: string; message: string }[];
}

export interface DeliveryOptions {
  target: DeliveryReport["target"];
  messages: OutgoingMessage[];
  limits: BatchLimits;
  concurrency: number;
  sendBatch(batch: OutgoingMessage[]): Promise<EntryResult[]>;
}

/** The options of a message that send and publish both take. */
export interface FifoOptions {
  lines: boolean;
  groupId?: string;
  dedupId?: string;
}

/** A FIFO queue or topic needs a message group id for every message. */
export function requireGroupId(name: string, noun: "queue" | "topic", options: FifoOptions): void {
  if (options.groupId !== undefined) return;
  throw new UsageError(
    `${name} is a FIFO ${noun}: give --group-id (and --dedup-id unless the ${noun} deduplicates by content)`,
  );
}

/** --dedup-id as given for one message; with --lines, one id per line (ID-LINE), so lines are not merged. */
export function deduplicationId(options: FifoOptions, message: OutgoingMessage): string | undefined {
  if (options.dedupId === undefined) return undefined;
  return options.lines ? `${options.dedupId}-${message.line}` : options.dedupId;
}

export async function deliver(context: CommandContext, options: DeliveryOptions): Promise<number> {
  const { json, quiet } = context.output;
  const report: DeliveryReport = {
    version: 1,
    target: options.target,
    sent: 0,
    failed: 0,
    messages: [],
    failures: [],
  };
  const progress = new Progress({ stderr: context.io.stderr, json, quiet });
  const total = options.messages.length;
  const where = (outcome: EntryOutcome) =>
    outcome.message.line !== undefined ? `line ${outcome.message.line}` : "the message";
  const started = Date.now();
  let failure: unknown;
  try {
    await sendInBatches(options.messages, {
      sleep: context.io.sleep,
      limits: options.limits,
      concurrency: options.concurrency,
      sendBatch: options.sendBatch,
      onOutcome: (outcome) => {
        const { message } = outcome;
        if (outcome.error) {
          report.failed += 1;
          report.failures.push({ index: message.index, line: message.line, ...outcome.error });
          if (!json) {
            progress.clear();
            // The code and message are the endpoint's words: escaped, like all outside text.
            const detail = outcome.error.message ? `: ${outcome.error.message}` : "";
            context.io.stderr.write(
              `${context.errorColors.red("failed:")} ${where(outcome)}: ${printable(`${outcome.error.code}${detail}`)}\n`,
            );
          }
          return;
        }
        report.sent += 1;
        if (json) {
          report.messages.push({
            index: message.index,
            line: message.line,
            messageId: outcome.messageId ?? "",
            sequenceNumber: outcome.sequenceNumber,
          });
        } else {
          progress.clear();
          context.io.stdout.write(`${printable(outcome.messageId ?? "")}\n`);
        }
      },
      onProgress: (done) => {
        if (total > 10) {
          progress.update(
            `sending to ${options.target.name}: ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`,
          );
        }
      },
    });
  } catch (error) {
    // A whole request failed (no such queue, access denied, throttled after retries): what was sent is still
    // reported, then the error ends the command with its one line.
    failure = error;
  } finally {
    progress.clear();
  }
  if (failure !== undefined) {
    if (json) {
      const error = failure instanceof Error ? failure.message : String(failure);
      context.io.stdout.write(`${printableJson(JSON.stringify({ ...report, error }))}\n`);
    } else if (report.sent > 0) {
      note(
        context,
        `sent ${report.sent} of ${total} messages to ${options.target.name} before the error below`,
      );
    }
    throw failure;
  }
  if (json) {
    // The report quotes the endpoint's error messages: DEL, C1 and bidi controls as \u escapes too.
    context.io.stdout.write(`${printableJson(JSON.stringify(report))}\n`);
  } else {
    const count = (n: number) => `${n} message${n === 1 ? "" : "s"}`;
    if (report.failed > 0) {
      note(
        context,
        `sent ${count(report.sent)} to ${options.target.name}; ${count(report.failed)} failed (listed above)`,
      );
    } else if (total > 1) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      note(context, `sent ${count(report.sent)} to ${options.target.name} in ${seconds}s`);
    }
  }
  return report.failed > 0 ? 1 : 0;
}

/** Maps the Successful / Failed lists of SendMessageBatch and PublishBatch to one result per entry. */
export function batchResults(output: {
  Successful?: { Id?: string; MessageId?: string; SequenceNumber?: string }[];
  Failed?: { Id?: string; Code?: string; Message?: string; SenderFault?: boolean }[];
}): EntryResult[] {
  const results: EntryResult[] = [];
  for (const entry of output.Successful ?? []) {
    results.push({
      index: Number(entry.Id),
      messageId: entry.MessageId,
      sequenceNumber: entry.SequenceNumber,
    });
  }
  for (const entry of output.Failed ?? []) {
    const code = entry.Code ?? "Error";
    results.push({
      index: Number(entry.Id),
      error: {
        code,
        message: entry.Message ?? "",
        retryable: entry.SenderFault !== true || /throttl/i.test(code),
      },
    });
  }
  return results;
}

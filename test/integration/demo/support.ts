import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { Chalk } from "chalk";
import type { CommandContext, Writer } from "../../../src/io.js";

export interface CapturedContext {
  context: CommandContext;
  stdout: () => string;
  stderr: () => string;
  /** Aborts the signal that watchInterrupts() returned, as Ctrl-C would. */
  interrupt: (reason?: string) => void;
}

/** A command context that writes into strings, without colors, as a test wants it. */
export function capturedContext(output: Partial<CommandContext["output"]> = {}): CapturedContext {
  let stdout = "";
  let stderr = "";
  const writer = (append: (text: string) => void): Writer => ({ write: append, isTTY: false });
  const interrupts = new AbortController();
  const colors = new Chalk({ level: 0 });
  const context: CommandContext = {
    io: {
      stdout: writer((text) => {
        stdout += text;
      }),
      stderr: writer((text) => {
        stderr += text;
      }),
      stdin: process.stdin,
      env: {},
      cwd: process.cwd(),
      now: () => new Date(),
      watchInterrupts: () => interrupts.signal,
    },
    colors,
    errorColors: colors,
    output: { json: false, quiet: false, verbose: false, ...output },
    aws: {},
  };
  return {
    context,
    stdout: () => stdout,
    stderr: () => stderr,
    interrupt: (reason = "SIGINT") => interrupts.abort(reason),
  };
}

/** Receives and deletes messages until `count` have arrived or `timeoutMs` passes. */
export async function receiveMessages(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  timeoutMs = 10_000,
): Promise<Message[]> {
  const received: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    received.push(...Messages);
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle!,
          })),
        }),
      );
    }
  }
  return received;
}

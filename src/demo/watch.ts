/**
 * Reads the queues the demo owns (its topic taps and the OnFailure queue) until told to stop, handing every
 * message, unwrapped and validated, to a callback. The demo created these queues, so it deletes what it read.
 */
import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import { analyzeValue } from "../envelopes/index.js";
import type { AnalyzedEnvelope } from "../envelopes/types.js";

export interface WatchedQueue {
  /** "sns:order-success" (read through a subscribed queue) or "sqs:order-invocation-failure". */
  label: string;
  url: string;
}

export interface ReceivedMessage {
  messageId?: string;
  envelopes: AnalyzedEnvelope[];
}

export type OnMessage = (message: ReceivedMessage, label: string) => void;

/** One receive loop per queue; the promise settles once all have stopped. */
export async function startWatching(
  sqs: SQSClient,
  queues: WatchedQueue[],
  signal: AbortSignal,
  onMessage: OnMessage,
): Promise<void> {
  const { DeleteMessageBatchCommand, ReceiveMessageCommand } = await import("@aws-sdk/client-sqs");
  const loop = async (queue: WatchedQueue) => {
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const output = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: signal },
        );
        messages = output.Messages ?? [];
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      if (messages.length === 0) continue;
      for (const message of messages) {
        onMessage({ messageId: message.MessageId, envelopes: analyzeValue(message) }, queue.label);
      }
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle!,
          })),
        }),
      );
    }
  };
  await Promise.all(queues.map(loop));
}

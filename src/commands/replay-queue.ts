/**
 * The values `replay` reads from a queue: its messages, held (invisible to other readers) while the replay
 * runs, each planned. A message that holds several records is marked shared: --delete deletes none of them.
 */
import type { HeldQueue } from "../aws/replay-sources.js";
import { type PlanOptions, planValue, type ReplayItem } from "./replay-plan.js";

export async function readQueueItems(
  held: HeldQueue,
  label: string,
  max: number,
  planOptions: PlanOptions,
  stop: AbortSignal,
): Promise<ReplayItem[]> {
  const messages = await held.receiveAll(max, stop);
  const items = messages.flatMap((message) =>
    planValue(
      message,
      undefined,
      {
        label: `${label} message ${message.MessageId ?? "?"}`,
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
  return items;
}

/** SendMessageBatch and PublishBatch take 10 entries at most (SQS and SNS API references). */
const MAX_ENTRIES = 10;
/** Messages batched together stay under this many bytes in all (SNS's limit for a batch; SQS's is larger). */
const MAX_BATCH_BYTES = 256 * 1024;
/** A message this large goes on its own, as before batching existed. */
const MAX_BATCHED_BYTES = 64 * 1024;

/** A message waiting for its batch, with the promise its sender waits on. */
export interface PendingMessage {
  bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Messages for one target (a queue, a topic) that come while a send to it is under way, or in the same turn of
 * the event loop, wait and go together: `send` is given up to 10 at a time within 256 KB, a message over 64 KB
 * alone, one batch after another. It settles each message itself (a batch answers per entry); a batch it throws
 * for fails each of its messages with that error.
 */
export class BatchLines<M extends PendingMessage> {
  private readonly lines = new Map<string, M[]>();

  constructor(private readonly send: (target: string, batch: M[]) => Promise<void>) {}

  add(target: string, message: M): void {
    const pending = this.lines.get(target);
    if (pending) {
      pending.push(message);
      return;
    }
    const line = [message];
    this.lines.set(target, line);
    // The rest of this turn's messages join the batch.
    setImmediate(() => void this.drain(target, line));
  }

  private async drain(target: string, pending: M[]): Promise<void> {
    while (pending.length > 0) {
      const batch = takeBatch(pending);
      try {
        await this.send(target, batch);
      } catch (error) {
        for (const message of batch) message.reject(error);
      }
    }
    this.lines.delete(target);
  }
}

/** The next messages that go together: up to 10, within the byte budget; a large one goes alone. */
function takeBatch<M extends PendingMessage>(pending: M[]): M[] {
  if (pending[0]!.bytes > MAX_BATCHED_BYTES) return pending.splice(0, 1);
  let count = 0;
  let bytes = 0;
  while (
    count < pending.length &&
    count < MAX_ENTRIES &&
    pending[count]!.bytes <= MAX_BATCHED_BYTES &&
    bytes + pending[count]!.bytes <= MAX_BATCH_BYTES
  ) {
    bytes += pending[count]!.bytes;
    count += 1;
  }
  return pending.splice(0, count);
}

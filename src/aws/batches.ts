/** Grouping messages into batch requests that respect both the entry count and the request byte limit. */

export interface BatchLimits {
  /** Entries per request (10 for SendMessageBatch and PublishBatch). */
  maxEntries: number;
  /** Bytes per request, the sum of the entries' sizes. */
  maxBytes: number;
}

/** SQS: a message and a SendMessageBatch request are at most 1 MiB (attributes included). */
export const SQS_MESSAGE_LIMIT = 1_048_576;
export const SQS_BATCH_LIMITS: BatchLimits = { maxEntries: 10, maxBytes: SQS_MESSAGE_LIMIT };
/** SNS: a message and a PublishBatch request are at most 256 KB. */
export const SNS_MESSAGE_LIMIT = 262_144;
export const SNS_BATCH_LIMITS: BatchLimits = { maxEntries: 10, maxBytes: SNS_MESSAGE_LIMIT };

/**
 * Splits items, in order, into batches of at most `maxEntries` items whose sizes add up to at most
 * `maxBytes`. An item larger than `maxBytes` on its own must be refused before calling this; it would get a
 * batch of its own.
 */
export function planBatches<T>(items: readonly T[], sizeOf: (item: T) => number, limits: BatchLimits): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= limits.maxEntries || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** "1.0 MiB", "400 KiB", "12 bytes": sizes as people read them, with the exact byte count when it matters. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1_048_576) return `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KiB (${bytes} bytes)`;
  return `${(bytes / 1_048_576).toFixed(2)} MiB (${bytes} bytes)`;
}

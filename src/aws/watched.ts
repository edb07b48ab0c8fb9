/**
 * What every watched source hands to a command, whatever it is read from (a queue, a topic through its tap, a
 * bucket): the items that arrived, and what the command did with each.
 */

/** One thing that arrived: a queue message, or an object written to a bucket. */
export interface Received {
  /** Unique within its source: a message id, an object's key. */
  id: string;
  /** What is analysed: the SDK's message, or the object as an `s3-object` value. */
  value: unknown;
  /** The SQS message id, for a message. */
  messageId?: string;
  /** Where exactly it came from, when more precise than the source's label (an object's s3:// URL). */
  source?: string;
}

/**
 * What the consumer did with one received item: written (now or on an earlier receive, so a consume may
 * delete it) or skipped (filtered out, or past --max: never deleted from a user's queue).
 */
export type Disposition = "written" | "skipped";

export interface Handled {
  dispositions: Disposition[];
  /** How many of the items had not been seen before; a peek backs off when none had. */
  fresh: number;
  /**
   * Resolves once it is known whether what was written reached its reader (true) or not (false, and the
   * written messages are released instead of deleted). Until then the messages stay invisible and the
   * loop goes on receiving, so waiting for it costs no throughput.
   */
  confirmed?: Promise<boolean>;
}

/** A watched source as a command sees it. */
export interface WatchedSource {
  /** How the user knows it: "sqs:orders-results", "sns:order-events", "s3://bucket/prefix". */
  label: string;
}

export type Handle<W extends WatchedSource = WatchedSource> = (
  items: Received[],
  watched: W,
) => Handled | Promise<Handled>;

/** Resolves after `milliseconds`, or at once when `signal` aborts. */
export function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

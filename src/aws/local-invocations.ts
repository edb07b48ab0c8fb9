/**
 * A Lambda destination on the embedded local stack: AWS offers no way to read what another function received
 * (only its logs), but the local stack keeps the records it sent to each destination function and serves them
 * on a route of its own. This adapter polls that route; against any other endpoint it is not used.
 */
import { AwsOperationError } from "../errors.js";
import { isAbortError } from "./errors.js";
import { type Handle, type Received, sleep, type WatchedSource } from "./watched.js";

/** Between two reads of the local stack's record of destination invocations. */
const POLL_INTERVAL_MS = 250;

export interface WatchedInvocations extends WatchedSource {
  kind: "invocations";
  /** The route's URL for the destination function. */
  url: string;
  /** The sequence number of the last record seen. */
  after: number;
}

interface Listed {
  Invocations?: { sequence: number; requestId: string; receivedAt: string; payload: string }[];
}

async function read(
  url: string,
  after: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Listed | undefined> {
  const response = await fetch(`${url}?After=${after}`, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  if (response.status !== 200 || !/json/.test(response.headers.get("content-type") ?? "")) {
    await response.body?.cancel();
    return undefined;
  }
  return (await response.json()) as Listed;
}

/**
 * The watch of a destination function on the local stack, or undefined when the endpoint is not one (AWS
 * answers no such route). The records sent from now on are shown, not earlier ones.
 */
export async function watchLocalDestination(
  endpoint: string,
  functionName: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<WatchedInvocations | undefined> {
  const url = new URL(
    `/_lambda-dest/functions/${encodeURIComponent(functionName)}/destination-invocations`,
    endpoint,
  ).href;
  let listed: Listed | undefined;
  try {
    listed = await read(url, 0, signal, timeoutMs);
  } catch (error) {
    if (isAbortError(error) && signal.aborted) throw error;
    return undefined;
  }
  if (!listed || !Array.isArray(listed.Invocations)) return undefined;
  const after = listed.Invocations.reduce((last, entry) => Math.max(last, entry.sequence), 0);
  return { kind: "invocations", label: `lambda:${functionName}`, url, after };
}

export async function pollLocalDestination(options: {
  watched: WatchedInvocations;
  stop: AbortSignal;
  handle: Handle<WatchedInvocations>;
  timeoutMs: number;
}): Promise<void> {
  const { watched, stop } = options;
  while (!stop.aborted) {
    let listed: Listed | undefined;
    try {
      listed = await read(watched.url, watched.after, stop, options.timeoutMs);
    } catch (error) {
      if (stop.aborted || isAbortError(error)) return;
      throw new AwsOperationError(
        `cannot read the local stack's destination records at ${watched.url}: ${String(error)}`,
        {
          cause: error,
          reason: "unreachable",
        },
      );
    }
    const entries = (listed?.Invocations ?? []).filter((entry) => entry.sequence > watched.after);
    if (entries.length > 0) {
      watched.after = Math.max(...entries.map((entry) => entry.sequence));
      const items: Received[] = entries.map((entry) => ({ id: entry.requestId, value: entry.payload }));
      await options.handle(items, watched);
    }
    await sleep(POLL_INTERVAL_MS, stop);
  }
}

/**
 * Watching a bucket for new objects (an S3 on-failure destination, or any prefix): list, read each new
 * object once, never write. What was there when the watch started is "old" (shown only with --since).
 *
 * Lambda names the objects it writes aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>, so
 * under a function's folder the keys sort by time: each poll lists only from a few minutes back
 * (ListObjectsV2 StartAfter). Under any other prefix each poll lists every key (1,000 a request).
 */
import { AwsOperationError } from "../errors.js";
import { isAbortError } from "./errors.js";
import type { ListedObject, S3Operations } from "./s3.js";
import { type Handle, type Received, sleep, type WatchedSource } from "./watched.js";

/** Between two listings. */
export const BUCKET_POLL_INTERVAL_MS = 2_000;
/** A destination record is at most a few megabytes; an object larger than this is reported, not read. */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024;
/** How far back a time-ordered listing starts: more than any clock skew that SigV4 accepts (5 minutes). */
const LISTING_MARGIN_MS = 6 * 60_000;
/** Objects read at once. */
const READ_CONCURRENCY = 4;

export interface WatchedBucket extends WatchedSource {
  kind: "bucket";
  s3: S3Operations;
  bucket: string;
  prefix: string;
  /** Keys already listed (shown, or there before the watch started). */
  known: Set<string>;
  /** Objects modified at or after this are shown even when they were there at the start (--since). */
  since?: Date;
}

/** The folder Lambda writes a function's records to in its on-failure bucket. */
export function functionRecordPrefix(functionName: string): string {
  return `aws/lambda/async/${functionName}/`;
}

/** The time-ordered part of Lambda's keys for a moment: YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS (UTC). */
export function keyTime(at: Date): string {
  const iso = at.toISOString();
  const date = iso.slice(0, 10);
  const time = iso.slice(11, 19).replaceAll(":", ".");
  return `${date.replaceAll("-", "/")}/${date}T${time}`;
}

/** Whether the keys under a prefix sort by time: it is (or ends with) a function's folder. */
export function isTimeOrdered(prefix: string): boolean {
  return /(^|\/)aws\/lambda\/async\/[^/]+\/$/.test(prefix);
}

/**
 * Lists the keys under the prefix, from `startAfter` (a time-ordered prefix) or all of them, page by page.
 * `from` is the moment the listing must cover for a time-ordered prefix.
 */
async function listAll(watched: WatchedBucket, from: Date, signal: AbortSignal): Promise<ListedObject[]> {
  const startAfter = isTimeOrdered(watched.prefix) ? `${watched.prefix}${keyTime(from)}` : undefined;
  const objects: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await watched.s3.list(watched.bucket, watched.prefix, startAfter, token, signal);
    objects.push(...page.objects);
    token = page.continuationToken;
  } while (token && !signal.aborted);
  return objects;
}

/**
 * The first listing, made while the watch is set up: every key there now is known, and so never shown, except
 * those modified since `since`, which the first poll shows.
 */
export async function baseline(watched: WatchedBucket, now: Date, signal: AbortSignal): Promise<void> {
  const from = new Date(Math.min(now.getTime(), watched.since?.getTime() ?? Infinity) - LISTING_MARGIN_MS);
  for (const object of await listAll(watched, from, signal)) {
    const recent = watched.since && object.lastModified && object.lastModified >= watched.since;
    if (!recent) watched.known.add(object.key);
  }
}

export interface BucketPollOptions {
  watched: WatchedBucket;
  stop: AbortSignal;
  handle: Handle<WatchedBucket>;
  now: () => Date;
  intervalMs?: number;
}

/** Lists and reads new objects until `stop` aborts; each is handed over once, oldest first. */
export async function pollBucket(options: BucketPollOptions): Promise<void> {
  const { watched, stop } = options;
  const interval = options.intervalMs ?? BUCKET_POLL_INTERVAL_MS;
  while (!stop.aborted) {
    let objects: ListedObject[];
    try {
      const from = new Date(
        Math.min(options.now().getTime(), watched.since?.getTime() ?? Infinity) - LISTING_MARGIN_MS,
      );
      objects = (await listAll(watched, from, stop)).filter((object) => !watched.known.has(object.key));
    } catch (error) {
      if (stop.aborted || isAbortError(error)) return;
      throw error;
    }
    objects.sort(
      (a, b) =>
        (a.lastModified?.getTime() ?? 0) - (b.lastModified?.getTime() ?? 0) || (a.key < b.key ? -1 : 1),
    );
    for (let start = 0; start < objects.length && !stop.aborted; start += READ_CONCURRENCY) {
      const slice = objects.slice(start, start + READ_CONCURRENCY);
      let items: Received[];
      try {
        items = await Promise.all(slice.map((object) => read(watched, object, stop)));
      } catch (error) {
        if (stop.aborted || isAbortError(error)) return;
        throw error;
      }
      for (const object of slice) watched.known.add(object.key);
      await options.handle(items, watched);
    }
    forgetOld(watched, options.now());
    await sleep(interval, stop);
  }
}

/**
 * One object as an item. An object that cannot be read as a record (too large, gone, refused) is that item's
 * problem, shown as an invalid envelope; an endpoint or credentials problem ends the watch.
 */
async function read(watched: WatchedBucket, object: ListedObject, signal: AbortSignal): Promise<Received> {
  const source = `s3://${watched.bucket}/${object.key}`;
  const item = (body: unknown, extra: Record<string, unknown> = {}): Received => ({
    id: object.key,
    source,
    value: {
      Bucket: watched.bucket,
      Key: object.key,
      ...(object.lastModified ? { LastModified: object.lastModified.toISOString() } : {}),
      ...(object.etag ? { ETag: object.etag } : {}),
      ...(object.size !== undefined ? { Size: object.size } : {}),
      ...extra,
      Body: body,
    },
  });
  if (object.size !== undefined && object.size > MAX_OBJECT_BYTES) {
    return item(null, { Problem: tooLarge(object.size) });
  }
  try {
    const result = await watched.s3.readText(watched.bucket, object.key, MAX_OBJECT_BYTES, signal);
    return result.ok ? item(result.text) : item(null, { Problem: result.reason });
  } catch (error) {
    const perObject =
      error instanceof AwsOperationError && (error.reason === "not-found" || error.reason === "failed");
    if (!perObject) throw error;
    return item(null, { Problem: error.message });
  }
}

function tooLarge(size: number): string {
  return `the object holds ${size} bytes, more than the ${MAX_OBJECT_BYTES} a record can hold: not read`;
}

/** Under a time-ordered prefix, keys older than the listing's start are never listed again. */
function forgetOld(watched: WatchedBucket, now: Date): void {
  if (!isTimeOrdered(watched.prefix) || watched.known.size < 10_000) return;
  const floor = `${watched.prefix}${keyTime(new Date(now.getTime() - 2 * LISTING_MARGIN_MS))}`;
  for (const key of watched.known) if (key < floor) watched.known.delete(key);
}

/**
 * Which source `replay` reads: one queue, one S3 prefix, or files (stdin among them). A bare name is a file
 * when one exists, else a queue.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArn } from "../arn.js";
import {
  type BucketReference,
  parseBucketReference,
  parseQueueReference,
  type QueueReference,
} from "../aws/targets.js";
import { UsageError } from "../errors.js";
import { isGlob } from "../sources/glob.js";

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

export type ReplaySource =
  | { type: "queue"; reference: QueueReference; label: string }
  | { type: "bucket"; reference: BucketReference; label: string }
  | { type: "files"; files: string[]; label: string };

/** Which kind of source the arguments name. A bare name is a file when one exists, else a queue. */
export function classifySource(sources: string[], cwd: string): ReplaySource {
  if (sources.length === 1) {
    const given = sources[0]!.trim();
    const arn = given.startsWith("arn:") ? parseArn(given) : undefined;
    if (/^s3:\/\//i.test(given) || arn?.service === "s3") {
      const reference = parseBucketReference(given);
      return { type: "bucket", reference, label: `s3://${reference.bucket}/${reference.prefix}` };
    }
    const bareQueue =
      given !== "-" && !isGlob(given) && QUEUE_NAME.test(given) && !existsSync(resolve(cwd, given));
    if (given.startsWith("sqs:") || /^https?:\/\//i.test(given) || arn?.service === "sqs" || bareQueue) {
      const reference = parseQueueReference(given);
      return { type: "queue", reference, label: `sqs:${reference.name}` };
    }
    if (arn)
      throw new UsageError(`cannot replay from "${given}": give a queue, s3://BUCKET/PREFIX, or files`);
  }
  for (const given of sources) {
    if (/^(s3|sqs):/i.test(given) || /^https?:\/\//i.test(given) || given.startsWith("arn:")) {
      throw new UsageError(`"${given}": replay reads one queue or one S3 prefix at a time, or files`);
    }
  }
  return { type: "files", files: sources, label: sources.length === 0 ? "stdin" : sources.join(" ") };
}

/** The values `replay` reads from an S3 prefix: each object's text, planned; the objects stay where they are. */
import type { AwsClients } from "../aws/clients.js";
import type { BucketReference } from "../aws/targets.js";
import { type PlanOptions, planValue, type ReplayItem } from "./replay-plan.js";

export async function readBucketItems(
  clients: AwsClients,
  reference: BucketReference,
  max: number,
  planOptions: PlanOptions,
  stop: AbortSignal,
): Promise<ReplayItem[]> {
  const { readBucketPrefix } = await import("../aws/replay-sources.js");
  const objects = await readBucketPrefix(clients, reference, max, stop);
  return objects.flatMap((object) => {
    const origin = { label: `s3://${reference.bucket}/${object.key}` };
    if (object.text === undefined) return [{ origin, kind: "other" as const, skip: object.problem ?? "" }];
    let value: unknown;
    try {
      value = JSON.parse(object.text);
    } catch {
      return [{ origin, kind: "other" as const, skip: "the object is not JSON" }];
    }
    return planValue(value, object.text, origin, planOptions);
  });
}

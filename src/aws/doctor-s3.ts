/** `doctor`'s S3 read: does the destination bucket exist and answer (HeadBucket, read-only)? */
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import type { AwsClients } from "./clients.js";
import { awsCall } from "./errors.js";

export async function headBucket(clients: AwsClients, bucket: string): Promise<void> {
  const client = await clients.s3();
  await awsCall(
    {
      action: "s3:ListBucket",
      resource: `bucket ${bucket}`,
      endpoint: clients.endpointLabel("s3"),
      region: clients.settings("s3").region,
      answerWithinMs: clients.requestTimeoutMs,
    },
    (options) => client.send(new HeadBucketCommand({ Bucket: bucket }), options),
  );
}

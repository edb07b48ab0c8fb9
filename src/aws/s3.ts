/** S3 operations `tail s3://` needs: listing a prefix and reading objects. It never writes to a bucket. */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { AwsClients } from "./clients.js";
import { type AwsCall, awsCall } from "./errors.js";

export interface ListedObject {
  key: string;
  lastModified?: Date;
  size?: number;
  etag?: string;
}

export interface ListedPage {
  objects: ListedObject[];
  /** Set when more keys follow: pass it to the next call. */
  continuationToken?: string;
}

export type ReadObject =
  | { ok: true; text: string; size: number; lastModified?: Date; etag?: string }
  | { ok: false; reason: string };

export class S3Operations {
  readonly client: S3Client;
  readonly #clients: AwsClients;
  readonly #region?: string;

  private constructor(client: S3Client, clients: AwsClients, region?: string) {
    this.client = client;
    this.#clients = clients;
    this.#region = region;
  }

  static async create(clients: AwsClients): Promise<S3Operations> {
    return new S3Operations(await clients.s3(), clients, clients.settings("s3").region);
  }

  call(action: string, resource?: string): AwsCall {
    return {
      action: `s3:${action}`,
      resource,
      endpoint: this.#clients.endpointLabel("s3"),
      region: this.#region,
      answerWithinMs: this.#clients.requestTimeoutMs,
    };
  }

  /** One page (up to 1,000 keys, in key order) of the keys under `prefix` that sort after `startAfter`. */
  async list(
    bucket: string,
    prefix: string,
    startAfter: string | undefined,
    continuationToken: string | undefined,
    signal?: AbortSignal,
  ): Promise<ListedPage> {
    const output = await awsCall(
      // s3:ListBucket is the IAM action behind ListObjectsV2.
      this.call("ListBucket", `bucket ${bucket}`),
      (options) =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix || undefined,
            StartAfter: continuationToken ? undefined : startAfter,
            ContinuationToken: continuationToken,
          }),
          options,
        ),
      signal,
    );
    return {
      objects: (output.Contents ?? [])
        .filter((item) => typeof item.Key === "string")
        .map((item) => ({
          key: item.Key!,
          lastModified: item.LastModified,
          size: item.Size,
          etag: item.ETag,
        })),
      continuationToken: output.IsTruncated ? output.NextContinuationToken : undefined,
    };
  }

  /**
   * An object's content as text, when it is at most `maxBytes` long; a larger one is not read past the limit
   * (a destination record is at most a few megabytes: anything larger is not one).
   */
  async readText(bucket: string, key: string, maxBytes: number, signal?: AbortSignal): Promise<ReadObject> {
    const output = await awsCall(
      this.call("GetObject", `object s3://${bucket}/${key}`),
      (options) =>
        this.client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${maxBytes}` }),
          options,
        ),
      signal,
    );
    const bytes = await output.Body?.transformToByteArray();
    const total = totalSize(output.ContentRange) ?? output.ContentLength ?? bytes?.length ?? 0;
    if (!bytes) return { ok: false, reason: "the object has no content" };
    if (total > maxBytes || bytes.length > maxBytes) {
      return {
        ok: false,
        reason: `the object holds ${total} bytes, more than the ${maxBytes} a record can hold: not read`,
      };
    }
    return {
      ok: true,
      text: new TextDecoder("utf-8").decode(bytes),
      size: bytes.length,
      lastModified: output.LastModified,
      etag: output.ETag,
    };
  }
}

/** The total length from a Content-Range header ("bytes 0-99/1234"). */
function totalSize(contentRange: string | undefined): number | undefined {
  const match = /\/(\d+)$/.exec(contentRange ?? "");
  return match ? Number(match[1]) : undefined;
}

import type { DirectSqsAction, DirectSqsCall } from "./fauxqs-stores.js";
import { fauxqsQueueUrl } from "./queue-url-rewriting.js";
import type { SqsTraceHeaders } from "./sqs-trace-headers.js";

/** The part of a Fastify app that in-process calls need (light-my-request's inject). */
export interface InjectTarget {
  inject(options: {
    method: "GET" | "POST" | "PUT" | "DELETE";
    url: string;
    headers?: Record<string, string>;
    payload?: string | Buffer;
  }): Promise<{ statusCode: number; body: string }>;
}

export class InProcessAwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "InProcessAwsError";
  }
}

/**
 * SQS sends made without a request: fauxqs's own handlers on its store, with what the stack's hooks would have
 * done to the request (its queue URL in fauxqs's form, its messages' trace headers kept).
 */
export interface DirectSqs {
  call: DirectSqsCall;
  traceHeaders: SqsTraceHeaders;
}

/**
 * What a direct send may carry: its JSON stays well under the app's body limit (11 MiB), past which a request
 * would have been refused before fauxqs saw it. A character is at most 6 bytes of JSON (\uXXXX).
 */
const MAX_DIRECT_MESSAGE_CHARS = 1024 * 1024;

/**
 * Calls fauxqs's SQS, SNS and S3 handlers inside the process through Fastify's inject: the stack delivers
 * records and polls queues without sockets, without loading the AWS SDK, and without the queue-URL host that
 * does not resolve here. The requests are exactly what an SDK would send, so fauxqs treats them the same.
 * SendMessage and SendMessageBatch, one for every record the stack delivers, skip the request when `direct` is
 * given: fauxqs's handler is called as its router would call it (a request would cost several times the send).
 */
export class InProcessAws {
  constructor(
    private readonly app: InjectTarget,
    private readonly defaultRegion: string,
    /** host:port of the stack, sent as Host so that queues created here get the same URLs as from outside. */
    private readonly host: () => string,
    private readonly direct?: DirectSqs,
  ) {}

  async sqs<T = Record<string, unknown>>(
    action: string,
    body: Record<string, unknown>,
    region?: string,
    /** X-Amzn-Trace-Id to send, as an SDK inside a function would. */
    traceHeader?: string,
  ): Promise<T> {
    if (this.direct !== undefined && (action === "SendMessage" || action === "SendMessageBatch")) {
      if (fitsDirectSend(action, body)) return this.sendDirect(action, body, region, traceHeader) as T;
    }
    const response = await this.app.inject({
      method: "POST",
      url: "/",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": `AmazonSQS.${action}`,
        host: this.host(),
        authorization: this.authorization(region, "sqs"),
        ...(traceHeader === undefined ? {} : { "x-amzn-trace-id": traceHeader }),
      },
      payload: JSON.stringify(body),
    });
    const parsed = response.body === "" ? {} : JSON.parse(response.body);
    if (response.statusCode >= 300) {
      const code =
        String(parsed.__type ?? "Error")
          .split("#")
          .pop() ?? "Error";
      throw new InProcessAwsError(code, String(parsed.message ?? `SQS ${action} failed`));
    }
    return parsed as T;
  }

  private sendDirect(
    action: DirectSqsAction,
    body: Record<string, unknown>,
    region: string | undefined,
    traceHeader: string | undefined,
  ): Record<string, unknown> {
    const { call, traceHeaders } = this.direct!;
    if (typeof body.QueueUrl === "string")
      body.QueueUrl = fauxqsQueueUrl(body.QueueUrl, region || this.defaultRegion, this.host());
    const answer = call(action, body);
    traceHeaders.noteSqsSend(action, body, traceHeader, answer);
    return answer;
  }

  /** An EventBridge (JSON 1.1) call to the stack's own EventBridge service. */
  async events<T = Record<string, unknown>>(action: string, body: Record<string, unknown>): Promise<T> {
    const response = await this.app.inject({
      method: "POST",
      url: "/",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSEvents.${action}`,
        host: this.host(),
        authorization: this.authorization(undefined, "events"),
      },
      payload: JSON.stringify(body),
    });
    const parsed = response.body === "" ? {} : JSON.parse(response.body);
    if (response.statusCode >= 300) {
      throw new InProcessAwsError(
        String(parsed.__type ?? "Error"),
        String(parsed.message ?? `EventBridge ${action} failed`),
      );
    }
    return parsed as T;
  }

  /** The queue URL of a queue ARN, as fauxqs spells it (it must match exactly in later calls). */
  async queueUrl(queueArn: string): Promise<string> {
    const [, , , region, account, name] = queueArn.split(":");
    const result = await this.sqs<{ QueueUrl: string }>(
      "GetQueueUrl",
      { QueueName: name, QueueOwnerAWSAccountId: account },
      region,
    );
    return result.QueueUrl;
  }

  async sns(
    action: string,
    parameters: Record<string, string>,
    region?: string,
    traceHeader?: string,
  ): Promise<string> {
    const response = await this.app.inject({
      method: "POST",
      url: "/",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: this.authorization(region, "sns"),
        ...(traceHeader === undefined ? {} : { "x-amzn-trace-id": traceHeader }),
      },
      payload: new URLSearchParams({ Action: action, ...parameters }).toString(),
    });
    if (response.statusCode >= 300) {
      const code = /<Code>([^<]*)<\/Code>/.exec(response.body)?.[1] ?? "Error";
      const message = /<Message>([^<]*)<\/Message>/.exec(response.body)?.[1] ?? `SNS ${action} failed`;
      throw new InProcessAwsError(code, message);
    }
    return response.body;
  }

  async s3Put(bucket: string, key: string, body: string, contentType = "application/json"): Promise<void> {
    const encodedKey = key.split("/").map(encodeURIComponent).join("/");
    const response = await this.app.inject({
      method: "PUT",
      url: `/${encodeURIComponent(bucket)}/${encodedKey}`,
      headers: { "content-type": contentType, authorization: this.authorization(undefined, "s3") },
      payload: Buffer.from(body, "utf8"),
    });
    if (response.statusCode >= 300) {
      const code = /<Code>([^<]*)<\/Code>/.exec(response.body)?.[1] ?? "Error";
      const message = /<Message>([^<]*)<\/Message>/.exec(response.body)?.[1] ?? "S3 PutObject failed";
      throw new InProcessAwsError(code, message);
    }
  }

  async createBucket(bucket: string): Promise<void> {
    const response = await this.app.inject({ method: "PUT", url: `/${encodeURIComponent(bucket)}` });
    if (response.statusCode >= 300 && !response.body.includes("BucketAlreadyOwnedByYou")) {
      throw new InProcessAwsError("Error", `cannot create bucket ${bucket}: ${response.body}`);
    }
  }

  /** fauxqs reads the region from the SigV4 credential scope; the signature itself is never checked. */
  private authorization(region: string | undefined, service: string): string {
    const scope = `test/20250101/${region || this.defaultRegion}/${service}/aws4_request`;
    return `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host, Signature=0`;
  }
}

/** Whether a send's messages are small enough to go without a request (see MAX_DIRECT_MESSAGE_CHARS). */
function fitsDirectSend(action: DirectSqsAction, body: Record<string, unknown>): boolean {
  if (action === "SendMessage") return messageChars(body) <= MAX_DIRECT_MESSAGE_CHARS;
  if (!Array.isArray(body.Entries)) return false;
  let chars = 0;
  for (const entry of body.Entries as unknown[]) {
    if (entry === null || typeof entry !== "object") return false;
    chars += messageChars(entry as Record<string, unknown>);
  }
  return chars <= MAX_DIRECT_MESSAGE_CHARS;
}

/** A message's body and attribute values, in characters; Infinity for a shape a request would not carry. */
function messageChars(message: Record<string, unknown>): number {
  if (typeof message.MessageBody !== "string") return Number.POSITIVE_INFINITY;
  let chars = message.MessageBody.length;
  if (message.MessageAttributes !== undefined) chars += JSON.stringify(message.MessageAttributes).length;
  return chars;
}

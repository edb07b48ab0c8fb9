/**
 * The three requests of a receive loop (ReceiveMessage, DeleteMessageBatch, ChangeMessageVisibilityBatch) sent
 * straight over HTTP in SQS's JSON protocol, signed here with Signature Version 4.
 *
 * Why: the SDK's middleware stack (serialisation through the model's schema, retry bookkeeping, user agent,
 * signing through its generic signer) costs about 1.6 ms of CPU per request on this machine kind, and bounds
 * a drain (`tail --consume` of 10,000 messages makes 2,000 requests). Sent here, through the HTTP/1.1 client of
 * wire-http.ts, a request costs about 0.3 ms: a bare loop of each draining 10,000 realistic messages used
 * 3.4-3.7 s and 0.51-0.68 s of CPU (0.98-1.07 s when this file sent them through Node's http module).
 *
 * What stays with the SDK: everything that is not an ordinary answer. Credentials, the region and the clock
 * offset are the SDK client's own (its provider chain, refreshed as it refreshes them); a request that gets
 * anything but HTTP 200, or no answer, or a network error, is sent again through the SDK, which retries,
 * backs off, corrects the clock and names the error as it always has. Only an abort is final here.
 */
import * as crypto from "node:crypto";
import { hexDigest } from "./digest.js";
import { abortError } from "./errors.js";
import { WireHttp, type WireTarget } from "./wire-http.js";

/** The actions sent this way. */
export type WireAction = "ReceiveMessage" | "DeleteMessageBatch" | "ChangeMessageVisibilityBatch";

export interface WireCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What a wire client takes from the SDK client it stands beside. */
export interface WireSource {
  /** The explicit endpoint (flag or environment), if any; otherwise requests go to the QueueUrl's host. */
  endpoint?: string;
  region(): Promise<string>;
  credentials(): Promise<WireCredentials>;
  /** The SDK's correction of the local clock, in ms (it learns it from a RequestTimeTooSkewed answer). */
  clockOffsetMs(): number;
  /** Called for each answer (the endpoint was heard from). */
  answered(): void;
}

export interface WireCallOptions {
  abortSignal?: AbortSignal;
  /** How long the answer may take, a long poll's wait included. */
  requestTimeout: number;
}

const CONTENT_TYPE = "application/x-amz-json-1.0";
/**
 * Largest answer read (a larger one goes to the SDK, which reads anything): ten messages of the largest size a
 * queue allows (MaximumMessageSize, up to 1,048,576 bytes with their attributes), every character escaped in
 * JSON as \u00XX (six bytes), fit within.
 */
const MAX_ANSWER_BYTES = 128 * 1024 * 1024;

/** A path whose URI encoding (and double encoding) is itself, and needs no normalising. */
const PLAIN_PATH = /^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*\/?$/;

export class SqsWire {
  readonly #source: WireSource;
  readonly #http = new WireHttp();
  readonly #signingKeys = new Map<string, Buffer>();
  readonly #targets = new Map<string, WireTarget | undefined>();
  #region?: string;

  constructor(source: WireSource) {
    this.#source = source;
  }

  /**
   * Sends one request. Returns the parsed answer of an HTTP 200, or undefined when the request is to go
   * through the SDK instead (see above). Rejects with an AbortError when the signal aborts.
   */
  async post(
    action: WireAction,
    queueUrl: string,
    input: object,
    options: WireCallOptions,
  ): Promise<unknown | undefined> {
    const target = this.#target(queueUrl);
    if (!target) return undefined;
    // The region is the client's for good; credentials are asked for each time (the SDK refreshes them). A
    // provider that fails (an SSO session that expired) fails again in the SDK, which names the problem.
    let region: string;
    let credentials: WireCredentials;
    try {
      this.#region ??= await this.#source.region();
      region = this.#region;
      credentials = await this.#source.credentials();
    } catch {
      return undefined;
    }
    if (options.abortSignal?.aborted) throw abortError(options.abortSignal);
    const body = JSON.stringify(input);
    const headers = this.sign({
      action,
      host: target.host,
      path: target.path,
      body,
      region,
      credentials,
      date: new Date(Date.now() + this.#source.clockOffsetMs()),
    });
    headers["user-agent"] = "lambda-dest";
    const answer = await this.#http.post(target, headers, body, {
      abortSignal: options.abortSignal,
      timeoutMs: options.requestTimeout,
      maxBodyBytes: MAX_ANSWER_BYTES,
    });
    if (answer === undefined) return undefined;
    this.#source.answered();
    if (answer.status !== 200) return undefined;
    try {
      return JSON.parse(answer.text);
    } catch {
      return undefined;
    }
  }

  /** The signed headers of one request. */
  sign(request: SignedRequest): Record<string, string> {
    const day = isoDay(request.date);
    const scope = `${day}/${request.region}/sqs/aws4_request`;
    const keyId = `${request.credentials.secretAccessKey}\u0000${scope}`;
    let key = this.#signingKeys.get(keyId);
    if (!key) {
      key = signingKey(request.credentials.secretAccessKey, day, request.region);
      if (this.#signingKeys.size > 16) this.#signingKeys.clear();
      this.#signingKeys.set(keyId, key);
    }
    return signedHeaders(request, key, scope);
  }

  #target(queueUrl: string): WireTarget | undefined {
    if (this.#targets.has(queueUrl)) return this.#targets.get(queueUrl);
    const target = targetUrl(this.#source.endpoint, queueUrl);
    if (this.#targets.size >= 64) this.#targets.clear();
    this.#targets.set(queueUrl, target);
    return target;
  }

  destroy(): void {
    this.#http.destroy();
  }
}

/**
 * Where the SDK would send the request: the explicit endpoint (its path included), or else the QueueUrl's
 * origin (the SDK's `useQueueUrlAsEndpoint`). Undefined for anything unusual, which the SDK handles.
 */
function targetUrl(endpoint: string | undefined, queueUrl: string): WireTarget | undefined {
  let url: URL;
  try {
    url = new URL(endpoint ?? new URL(queueUrl).origin);
  } catch {
    return undefined;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password)
    return undefined;
  if (url.search || !PLAIN_PATH.test(url.pathname)) return undefined;
  return {
    secure: url.protocol === "https:",
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port,
    host: url.host,
    path: url.pathname.endsWith("/") ? url.pathname : `${url.pathname}/`,
  };
}

export interface SignedRequest {
  action: WireAction;
  host: string;
  path: string;
  body: string;
  region: string;
  credentials: WireCredentials;
  date: Date;
}

let lastSecond = Number.NaN;
let lastIsoDate = "";

/** 20261204T224923Z (formatted once a second: every request of a drain asks). */
function isoDate(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    const text = date.toISOString();
    lastIsoDate = `${text.slice(0, 4)}${text.slice(5, 7)}${text.slice(8, 13)}${text.slice(14, 16)}${text.slice(17, 19)}Z`;
    lastSecond = second;
  }
  return lastIsoDate;
}

function isoDay(date: Date): string {
  return isoDate(date).slice(0, 8);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return crypto.createHmac("sha256", key).update(data, "utf8").digest();
}

function sha256Hex(data: string): string {
  return hexDigest("sha256", data);
}

function signingKey(secret: string, day: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), "sqs"), "aws4_request");
}

/**
 * The headers of a JSON-protocol SQS request, signed (the headers the SDK signs for the same request, less its
 * invocation id, attempt count and user agent). AWS's description of the steps: "Create a signed AWS API
 * request" (IAM User Guide, Signature Version 4).
 */
function signedHeaders(request: SignedRequest, key: Buffer, scope: string): Record<string, string> {
  const payloadHash = sha256Hex(request.body);
  const date = isoDate(request.date);
  const headers: Record<string, string> = {
    "content-type": CONTENT_TYPE,
    host: request.host,
    "x-amz-content-sha256": payloadHash,
    "x-amz-date": date,
  };
  if (request.credentials.sessionToken) headers["x-amz-security-token"] = request.credentials.sessionToken;
  headers["x-amz-target"] = `AmazonSQS.${request.action}`;
  headers["x-amzn-query-mode"] = "true";
  // The names above are lower case and in order, as the canonical request wants them.
  const names = Object.keys(headers);
  let canonicalHeaders = "";
  for (const name of names) canonicalHeaders += `${name}:${headers[name]!.trim().replace(/\s+/g, " ")}\n`;
  const signedNames = names.join(";");
  const canonicalRequest = `POST\n${request.path}\n\n${canonicalHeaders}\n${signedNames}\n${payloadHash}`;
  const stringToSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signature = crypto.createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${request.credentials.accessKeyId}/${scope}, SignedHeaders=${signedNames}, Signature=${signature}`;
  return headers;
}

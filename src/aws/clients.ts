/**
 * The one place that constructs AWS SDK clients. The SDK itself is imported lazily, so that importing this
 * module costs nothing: `validate`, `show` and `--help` never load it.
 */

import type { CloudWatchClient, CloudWatchClientConfig } from "@aws-sdk/client-cloudwatch";
import type { EventBridgeClient, EventBridgeClientConfig } from "@aws-sdk/client-eventbridge";
import type { IAMClient, IAMClientConfig } from "@aws-sdk/client-iam";
import type { LambdaClient, LambdaClientConfig } from "@aws-sdk/client-lambda";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import type { SNSClient, SNSClientConfig } from "@aws-sdk/client-sns";
import type { SQSClient, SQSClientConfig } from "@aws-sdk/client-sqs";
import { UsageError } from "../errors.js";
import type { AwsOptions } from "../io.js";
import { endpointUrlProblem } from "../option-values.js";
import type { SqsWire } from "./sqs-wire.js";

/** The embedded local stack's conventional address, region and credentials (`--local`). */
export const LOCAL_ENDPOINT = "http://127.0.0.1:4566";
export const LOCAL_REGION = "us-east-1";
const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export type ServiceName = "sqs" | "sns" | "lambda" | "s3" | "events" | "iam" | "cloudwatch";

/**
 * Time-outs for a command-line tool rather than a server. botocore (and so the AWS CLI) waits 60 s to connect
 * and 60 s for each read, 3 to 5 times over; SDK v3 waits for ever unless told. An AWS API answers ordinary
 * calls in well under a second, so 10 s without an answer means the endpoint is not working.
 */
export const CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Tries of a request that got no answer at all (a time-out), whatever the retries for throttling. */
export const ATTEMPTS_WITHOUT_ANSWER = 2;

/**
 * Settings that tests (and only tests) add to every client: a custom `requestHandler` to simulate
 * throttling or access denied, fewer retry attempts, a middleware.
 */
export interface ClientOverrides {
  requestHandler?: unknown;
  maxAttempts?: number;
  retryStrategy?: unknown;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Called with each client after construction, e.g. to add a middleware to its stack. */
  configure?: (client: { middlewareStack: unknown }, service: ServiceName) => void;
}

/** The resolved settings one client is built from; also what error messages quote. */
export interface ClientSettings {
  region?: string;
  endpoint?: string;
  profile?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
  /** How long one request may go without an answer, before any wait of its own (a long poll's). */
  requestTimeoutMs: number;
}

const SERVICE_ENDPOINT_VARIABLES: Record<ServiceName, string> = {
  sqs: "AWS_ENDPOINT_URL_SQS",
  sns: "AWS_ENDPOINT_URL_SNS",
  lambda: "AWS_ENDPOINT_URL_LAMBDA",
  s3: "AWS_ENDPOINT_URL_S3",
  events: "AWS_ENDPOINT_URL_EVENTBRIDGE",
  iam: "AWS_ENDPOINT_URL_IAM",
  cloudwatch: "AWS_ENDPOINT_URL_CLOUDWATCH",
};

/**
 * Resolves the flags and environment into client settings. Flags win over the environment; what is not set
 * here (credentials, a region from a profile, SSO) is left to the SDK's default chain.
 *
 * The endpoint from AWS_ENDPOINT_URL(_SQS) is passed explicitly rather than left to the SDK: an SQS client
 * without an explicit endpoint sends each request to the host of the QueueUrl, and the local stack's queue URLs
 * (sqs.us-east-1.localhost) do not resolve.
 */
export function resolveClientSettings(
  service: ServiceName,
  aws: AwsOptions,
  env: NodeJS.ProcessEnv,
): ClientSettings {
  const settings: ClientSettings = { requestTimeoutMs: aws.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS };
  if (aws.local) {
    settings.endpoint = LOCAL_ENDPOINT;
    settings.region = LOCAL_REGION;
    settings.credentials = LOCAL_CREDENTIALS;
  }
  if (aws.endpointUrl) settings.endpoint = aws.endpointUrl;
  if (aws.region) settings.region = aws.region;
  if (aws.profile) settings.profile = aws.profile;
  if (!settings.endpoint && env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS !== "true") {
    const variable = env[SERVICE_ENDPOINT_VARIABLES[service]]
      ? SERVICE_ENDPOINT_VARIABLES[service]
      : "AWS_ENDPOINT_URL";
    const fromEnvironment = env[variable];
    if (fromEnvironment) {
      // Checked as --endpoint-url is: a malformed one would otherwise fail deep in the SDK ("Invalid URL").
      const problem = endpointUrlProblem(fromEnvironment);
      if (problem) {
        throw new UsageError(
          `${variable} is ${JSON.stringify(fromEnvironment)}: ${problem}; set it to an http(s) URL such as http://127.0.0.1:4566, or unset it`,
        );
      }
      settings.endpoint = fromEnvironment;
    }
  }
  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  settings.maxAttempts = Number.isInteger(attempts) && attempts > 0 ? attempts : 4;
  return settings;
}

/** `--endpoint-url E --region R --profile P` as far as the settings name them, for AWS CLI commands we print. */
export function awsCliOptions(settings: ClientSettings): string {
  let options = "";
  if (settings.endpoint) options += ` --endpoint-url ${settings.endpoint}`;
  if (settings.region) options += ` --region ${settings.region}`;
  if (settings.profile) options += ` --profile ${settings.profile}`;
  return options;
}

/**
 * The SDK's own console warnings (a Node version notice, "multiple credential sources") would break the
 * one-line-per-problem rule on stderr; our errors say what matters.
 */
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function toConfig(settings: ClientSettings, overrides: ClientOverrides): Record<string, unknown> {
  const config: Record<string, unknown> = {
    logger: quietLogger,
    // A call made without per-call options reuses the handler the SDK resolved for its command class (the
    // SDK's documented `cacheMiddleware`) instead of rebuilding the middleware stack: a quarter of a
    // receive-and-delete loop's CPU. Calls that pass options (all but SqsOperations' deletes and releases)
    // are unaffected.
    cacheMiddleware: true,
    maxAttempts: overrides.maxAttempts ?? settings.maxAttempts,
    // "Because requestTimeout was for a long time incorrectly being set as a socket idle timeout, users must
    // also opt-in for request timeout thrown errors. Without this setting, a breach of the request timeout
    // will be logged as a warning" (@smithy/types NodeHttpHandlerOptions): without throwOnRequestTimeout an
    // endpoint that accepts the connection and never answers holds the command for ever. A long poll or a
    // synchronous invoke passes its own, longer, requestTimeout with the call.
    requestHandler: overrides.requestHandler ?? {
      connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, settings.requestTimeoutMs),
      requestTimeout: settings.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
  if (settings.region) config.region = settings.region;
  if (settings.endpoint) config.endpoint = settings.endpoint;
  if (settings.profile) config.profile = settings.profile;
  if (settings.credentials) config.credentials = settings.credentials;
  if (overrides.retryStrategy) config.retryStrategy = overrides.retryStrategy;
  if (overrides.credentials) config.credentials = overrides.credentials;
  return config;
}

/** Lazily built, cached clients for one command run. */
export class AwsClients {
  readonly #aws: AwsOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #overrides: ClientOverrides;
  readonly #regional = new Map<string, AwsClients>();
  #sqs?: Promise<SQSClient>;
  #sqsWire?: Promise<SqsWire | undefined>;
  #sns?: Promise<SNSClient>;
  #lambda?: Promise<LambdaClient>;
  #s3?: Promise<S3Client>;
  #events?: Promise<EventBridgeClient>;
  #iam?: Promise<IAMClient>;
  #cloudwatch?: Promise<CloudWatchClient>;
  #answers = 0;

  constructor(aws: AwsOptions, env: NodeJS.ProcessEnv, overrides: ClientOverrides = {}) {
    this.#aws = aws;
    this.#env = env;
    this.#overrides = overrides;
  }

  settings(service: ServiceName): ClientSettings {
    return resolveClientSettings(service, this.#aws, this.#env);
  }

  /** How long one request may go without an answer (before a long poll's own wait). */
  get requestTimeoutMs(): number {
    return this.#aws.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /**
   * How many requests got an HTTP answer (an error status included), in every region: none means the
   * endpoint was never heard from.
   */
  get answers(): number {
    let total = this.#answers;
    for (const regional of this.#regional.values()) total += regional.answers;
    return total;
  }

  /** What to call the endpoint in an error message. */
  endpointLabel(service: ServiceName): string {
    const settings = this.settings(service);
    return settings.endpoint ?? `the AWS ${service.toUpperCase()} endpoint`;
  }

  sqs(): Promise<SQSClient> {
    this.#sqs ??= import("@aws-sdk/client-sqs").then(({ SQSClient }) =>
      this.#configure(new SQSClient(this.#config("sqs") as SQSClientConfig), "sqs"),
    );
    return this.#sqs;
  }

  /**
   * The receive loop's requests sent beside the SDK client (see sqs-wire.ts), with its credentials, region and
   * clock. None when a test has given the clients a request handler or a middleware of its own: what those
   * simulate must reach every call.
   */
  sqsWire(): Promise<SqsWire | undefined> {
    const overridden =
      this.#overrides.requestHandler !== undefined || this.#overrides.configure !== undefined;
    this.#sqsWire ??= overridden
      ? Promise.resolve(undefined)
      : Promise.all([this.sqs(), import("./sqs-wire.js")]).then(
          ([client, { SqsWire }]) =>
            new SqsWire({
              endpoint: this.settings("sqs").endpoint,
              region: () => client.config.region(),
              credentials: () => client.config.credentials(),
              clockOffsetMs: () => client.config.systemClockOffset ?? 0,
              answered: () => {
                this.#answers += 1;
              },
            }),
        );
    return this.#sqsWire;
  }

  sns(): Promise<SNSClient> {
    this.#sns ??= import("@aws-sdk/client-sns").then(({ SNSClient }) =>
      this.#configure(new SNSClient(this.#config("sns") as SNSClientConfig), "sns"),
    );
    return this.#sns;
  }

  lambda(): Promise<LambdaClient> {
    this.#lambda ??= import("@aws-sdk/client-lambda").then(({ LambdaClient }) =>
      this.#configure(new LambdaClient(this.#config("lambda") as LambdaClientConfig), "lambda"),
    );
    return this.#lambda;
  }

  /**
   * Path-style addressing against a given endpoint (the local stack, or an S3-compatible server): a bucket
   * name as a subdomain of 127.0.0.1 does not resolve.
   */
  s3(): Promise<S3Client> {
    this.#s3 ??= import("@aws-sdk/client-s3").then(({ S3Client }) => {
      const config = this.#config("s3");
      if (config.endpoint) config.forcePathStyle = true;
      return this.#configure(new S3Client(config as S3ClientConfig), "s3");
    });
    return this.#s3;
  }

  events(): Promise<EventBridgeClient> {
    this.#events ??= import("@aws-sdk/client-eventbridge").then(({ EventBridgeClient }) =>
      this.#configure(new EventBridgeClient(this.#config("events") as EventBridgeClientConfig), "events"),
    );
    return this.#events;
  }

  /** CloudWatch (doctor's delivery-failure metrics). */
  cloudwatch(): Promise<CloudWatchClient> {
    this.#cloudwatch ??= import("@aws-sdk/client-cloudwatch").then(({ CloudWatchClient }) =>
      this.#configure(
        new CloudWatchClient(this.#config("cloudwatch") as CloudWatchClientConfig),
        "cloudwatch",
      ),
    );
    return this.#cloudwatch;
  }

  /** IAM (doctor's policy simulation): a global service, signed for the region the other clients use. */
  iam(): Promise<IAMClient> {
    this.#iam ??= import("@aws-sdk/client-iam").then(({ IAMClient }) =>
      this.#configure(new IAMClient(this.#config("iam") as IAMClientConfig), "iam"),
    );
    return this.#iam;
  }

  /** The region the clients use (flags, environment or profile), or undefined when none is configured. */
  async region(service: ServiceName = "sqs"): Promise<string | undefined> {
    const client =
      service === "sqs"
        ? await this.sqs()
        : service === "sns"
          ? await this.sns()
          : service === "s3"
            ? await this.s3()
            : service === "events"
              ? await this.events()
              : await this.lambda();
    try {
      return await client.config.region();
    } catch {
      return undefined;
    }
  }

  /**
   * Clients for the region a queue or topic ARN names, when it is not ours: an ARN says where the resource
   * lives, so `--region` need not repeat it. Without a region the clients are these.
   */
  async forResourceRegion(region: string | undefined, service: ServiceName): Promise<AwsClients> {
    if (!region) return this;
    const current = this.settings(service).region ?? (await this.region(service));
    if (current === region) return this;
    let regional = this.#regional.get(region);
    if (!regional) {
      regional = new AwsClients({ ...this.#aws, region }, this.#env, this.#overrides);
      this.#regional.set(region, regional);
    }
    return regional;
  }

  /** Closes the clients' sockets so that the process can exit promptly. */
  async destroy(): Promise<void> {
    for (const pending of [
      this.#sqs,
      this.#sns,
      this.#lambda,
      this.#s3,
      this.#events,
      this.#iam,
      this.#cloudwatch,
    ]) {
      if (pending) (await pending).destroy();
    }
    (await this.#sqsWire)?.destroy();
    for (const regional of this.#regional.values()) await regional.destroy();
  }

  #config(service: ServiceName): Record<string, unknown> {
    return toConfig(this.settings(service), this.#overrides);
  }

  #configure<T extends { middlewareStack: unknown }>(client: T, service: ServiceName): T {
    // The logger middleware deep-copies every input and output (every message body) through the model's
    // sensitive-data filter, only to hand it to our logger, which says nothing.
    (client as unknown as SdkClientInternals).middlewareStack.remove("loggerMiddleware");
    countAnswers(client as unknown as SdkClientInternals, () => {
      this.#answers += 1;
    });
    limitUnansweredRetries(client as unknown as SdkClientInternals);
    this.#overrides.configure?.(client, service);
    return client;
  }
}

/** The parts of an SDK client that are adjusted after construction (their types are internal to the SDK). */
interface SdkClientInternals {
  middlewareStack: {
    remove(name: string): boolean;
    add(
      middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: object,
    ): void;
  };
  config: { retryStrategy?: () => Promise<RetryStrategyLike> };
}

interface RetryTokenLike {
  getRetryCount(): number;
}
interface RetryStrategyLike {
  mode?: string;
  acquireInitialRetryToken?(scope: string): Promise<RetryTokenLike>;
  refreshRetryTokenForRetry?(
    token: RetryTokenLike,
    info: { error?: unknown; errorType: string },
  ): Promise<RetryTokenLike>;
  recordSuccess?(token: RetryTokenLike): void;
}

function countAnswers(client: SdkClientInternals, answered: () => void): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const output = await next(args);
        answered();
        return output;
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode) answered();
        throw error;
      }
    },
    { step: "deserialize", name: "lambdaDestCountAnswers" },
  );
}

/**
 * A request that timed out (no connection, or no answer) is tried ATTEMPTS_WITHOUT_ANSWER times in all: the
 * SDK's strategy would retry it like any transient error, each try waiting the whole time-out again.
 * Throttling and server errors keep the strategy's own attempts and backoff.
 */
function limitUnansweredRetries(client: SdkClientInternals): void {
  const resolve = client.config.retryStrategy;
  if (typeof resolve !== "function") return;
  let limited: Promise<RetryStrategyLike> | undefined;
  client.config.retryStrategy = () =>
    (limited ??= resolve().then((strategy) => {
      const refresh = strategy.refreshRetryTokenForRetry;
      if (!strategy.acquireInitialRetryToken || !refresh || !strategy.recordSuccess) return strategy;
      return {
        mode: strategy.mode,
        acquireInitialRetryToken: (scope) => strategy.acquireInitialRetryToken!(scope),
        recordSuccess: (token) => strategy.recordSuccess!(token),
        refreshRetryTokenForRetry: async (token, info) => {
          const timedOut = (info.error as { name?: string } | undefined)?.name === "TimeoutError";
          if (timedOut && token.getRetryCount() + 1 >= ATTEMPTS_WITHOUT_ANSWER) throw info.error;
          return refresh.call(strategy, token, info);
        },
      } satisfies RetryStrategyLike;
    }));
}

/**
 * Runs a command's body with clients built from the context's AWS options, and releases them (sockets,
 * regional clients) however the body ends.
 */
export async function withClients<T>(
  context: { aws: AwsOptions; io: { env: NodeJS.ProcessEnv } },
  body: (clients: AwsClients) => Promise<T>,
): Promise<T> {
  const clients = new AwsClients(context.aws, context.io.env);
  try {
    return await body(clients);
  } finally {
    await clients.destroy();
  }
}

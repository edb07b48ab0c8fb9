/**
 * The one place that constructs AWS SDK clients. The SDK itself is imported lazily, so that importing this
 * module costs nothing: `validate`, `show` and `--help` never load it.
 */
import type { LambdaClient, LambdaClientConfig } from "@aws-sdk/client-lambda";
import type { SNSClient, SNSClientConfig } from "@aws-sdk/client-sns";
import type { SQSClient, SQSClientConfig } from "@aws-sdk/client-sqs";
import type { AwsOptions } from "../io.js";

/** The embedded local stack's conventional address, region and credentials (`--local`). */
export const LOCAL_ENDPOINT = "http://127.0.0.1:4566";
export const LOCAL_REGION = "us-east-1";
const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export type ServiceName = "sqs" | "sns" | "lambda";

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
}

const SERVICE_ENDPOINT_VARIABLES: Record<ServiceName, string> = {
  sqs: "AWS_ENDPOINT_URL_SQS",
  sns: "AWS_ENDPOINT_URL_SNS",
  lambda: "AWS_ENDPOINT_URL_LAMBDA",
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
  const settings: ClientSettings = {};
  if (aws.local) {
    settings.endpoint = LOCAL_ENDPOINT;
    settings.region = LOCAL_REGION;
    settings.credentials = LOCAL_CREDENTIALS;
  }
  if (aws.endpointUrl) settings.endpoint = aws.endpointUrl;
  if (aws.region) settings.region = aws.region;
  if (aws.profile) settings.profile = aws.profile;
  if (!settings.endpoint && env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS !== "true") {
    const fromEnvironment = env[SERVICE_ENDPOINT_VARIABLES[service]] || env.AWS_ENDPOINT_URL;
    if (fromEnvironment) settings.endpoint = fromEnvironment;
  }
  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  settings.maxAttempts = Number.isInteger(attempts) && attempts > 0 ? attempts : 4;
  return settings;
}

/**
 * The SDK's own console warnings (a Node version notice, "multiple credential sources") would break the
 * one-line-per-problem rule on stderr; our errors say what matters.
 */
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function toConfig(settings: ClientSettings, overrides: ClientOverrides): Record<string, unknown> {
  const config: Record<string, unknown> = {
    logger: quietLogger,
    maxAttempts: overrides.maxAttempts ?? settings.maxAttempts,
    // A dead endpoint should fail in seconds, not hang; long polls are bounded by their own WaitTimeSeconds.
    requestHandler: overrides.requestHandler ?? { connectionTimeout: 5_000, requestTimeout: 60_000 },
  };
  if (settings.region) config.region = settings.region;
  if (settings.endpoint) config.endpoint = settings.endpoint;
  if (settings.profile) config.profile = settings.profile;
  if (settings.credentials) config.credentials = settings.credentials;
  if (overrides.retryStrategy) config.retryStrategy = overrides.retryStrategy;
  if (overrides.credentials) config.credentials = overrides.credentials;
  return config;
}

/**
 * The SDK prints a multi-line notice through process.emitWarning on Node 20 (its future releases will need
 * Node 22). It says nothing about the user's command, so it is turned off unless the user set the variable.
 */
function silenceNodeVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/** Lazily built, cached clients for one command run. */
export class AwsClients {
  readonly #aws: AwsOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #overrides: ClientOverrides;
  readonly #regional = new Map<string, AwsClients>();
  #sqs?: Promise<SQSClient>;
  #sns?: Promise<SNSClient>;
  #lambda?: Promise<LambdaClient>;

  constructor(aws: AwsOptions, env: NodeJS.ProcessEnv, overrides: ClientOverrides = {}) {
    this.#aws = aws;
    this.#env = env;
    this.#overrides = overrides;
  }

  settings(service: ServiceName): ClientSettings {
    return resolveClientSettings(service, this.#aws, this.#env);
  }

  /** What to call the endpoint in an error message. */
  endpointLabel(service: ServiceName): string {
    const settings = this.settings(service);
    return settings.endpoint ?? `the AWS ${service.toUpperCase()} endpoint`;
  }

  sqs(): Promise<SQSClient> {
    silenceNodeVersionNotice();
    this.#sqs ??= import("@aws-sdk/client-sqs").then(({ SQSClient }) =>
      this.#configure(new SQSClient(this.#config("sqs") as SQSClientConfig), "sqs"),
    );
    return this.#sqs;
  }

  sns(): Promise<SNSClient> {
    silenceNodeVersionNotice();
    this.#sns ??= import("@aws-sdk/client-sns").then(({ SNSClient }) =>
      this.#configure(new SNSClient(this.#config("sns") as SNSClientConfig), "sns"),
    );
    return this.#sns;
  }

  lambda(): Promise<LambdaClient> {
    silenceNodeVersionNotice();
    this.#lambda ??= import("@aws-sdk/client-lambda").then(({ LambdaClient }) =>
      this.#configure(new LambdaClient(this.#config("lambda") as LambdaClientConfig), "lambda"),
    );
    return this.#lambda;
  }

  /** The region the clients use (flags, environment or profile), or undefined when none is configured. */
  async region(service: ServiceName = "sqs"): Promise<string | undefined> {
    const client =
      service === "sqs" ? await this.sqs() : service === "sns" ? await this.sns() : await this.lambda();
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
    for (const pending of [this.#sqs, this.#sns, this.#lambda]) {
      if (pending) (await pending).destroy();
    }
    for (const regional of this.#regional.values()) await regional.destroy();
  }

  #config(service: ServiceName): Record<string, unknown> {
    return toConfig(this.settings(service), this.#overrides);
  }

  #configure<T extends { middlewareStack: unknown }>(client: T, service: ServiceName): T {
    this.#overrides.configure?.(client, service);
    return client;
  }
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

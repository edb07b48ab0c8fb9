import { mkdtemp, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "fauxqs";
import { functionArn, LOCAL_ACCOUNT_ID } from "./arns.js";
import { registerEventsRoutes } from "./events/events-routes.js";
import { EventsService } from "./events/events-service.js";
import { attachSqsStore, createFauxqsStores } from "./fauxqs-stores.js";
import { InProcessAws } from "./in-process-aws.js";
import { registerLambdaRoutes } from "./lambda-routes.js";
import { LambdaService } from "./lambda-service.js";
import { type LocalFunctionSource, resolveLocalFunction } from "./local-function-source.js";
import type { LocalLogger } from "./local-logger.js";
import { silentLogger } from "./local-logger.js";
import { applyLocalStackInit, type LocalStackInit } from "./local-stack-init.js";
import { installQueueUrlRewriting } from "./queue-url-rewriting.js";
import { installRequestGuard } from "./request-guard.js";
import { Runtimes } from "./runtimes.js";
import { SqsTraceHeaders } from "./sqs-trace-headers.js";

export interface LocalStackOptions {
  /** Port on 127.0.0.1; 0 picks a free one. Default 4566 (LocalStack's convention). */
  port?: number;
  /** Interface to bind. Default 127.0.0.1: the stack has no authentication, so it never listens publicly. */
  host?: string;
  /** Region used in ARNs and queue URLs. Default us-east-1. */
  region?: string;
  /**
   * Factor applied to Lambda's async timings: the retry delays (about 60 s, then 120 s on AWS) and the
   * maximum event age, scaled together so an event ends the way it would on AWS. Default
   * DEFAULT_RETRY_DELAY_SCALE; 1 restores AWS's real timing.
   */
  retryDelayScale?: number;
  /** Execution environments one function may run at the same time. Default 8. */
  maxConcurrencyPerFunction?: number;
  /**
   * Web origins (e.g. http://localhost:3000) whose pages may call the stack, as a front end the user runs on
   * purpose; every other origin is refused. Default none.
   */
  allowOrigins?: string[];
  logger?: LocalLogger;
}

export interface LocalStack {
  /** e.g. http://127.0.0.1:4566, to use as every SDK client's `endpoint`. */
  endpoint: string;
  port: number;
  region: string;
  /** The factor applied to Lambda's async retry delays and maximum event age. */
  retryDelayScale: number;
  /** Where function code is unpacked; removed on stop. */
  workDirectory: string;
  /**
   * Registers a function whose code stays where it is (a handler file or a folder), for quick iteration:
   * every new execution environment loads the current files.
   */
  registerFunction(source: LocalFunctionSource): Promise<{ functionName: string; functionArn: string }>;
  /** Creates the queues, topics, subscriptions, buckets and functions of an init document (`local --init`). */
  applyInit(init: LocalStackInit, baseDirectory?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Default scale of Lambda's async retry timing: 1/60, so the retries that take about 1 and 2 minutes on AWS
 * take about 1 and 2 seconds locally (and a maximum event age of 60 s becomes 1 s).
 */
export const DEFAULT_RETRY_DELAY_SCALE = 1 / 60;

/**
 * Starts SQS, SNS and S3 (fauxqs), the local Lambda service and the local EventBridge on one endpoint.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? "127.0.0.1";
  const region = options.region ?? "us-east-1";
  const logger = options.logger ?? silentLogger;
  const retryDelayScale = options.retryDelayScale ?? DEFAULT_RETRY_DELAY_SCALE;
  const allowOrigins = (options.allowOrigins ?? []).map(normalizeOrigin);
  const workDirectory = await mkdtemp(path.join(os.tmpdir(), "lambda-dest-local-"));
  try {
    const sharedNodeModules = await linkSharedNodeModules(workDirectory);
    const runtimes = await Runtimes.install(path.join(workDirectory, "runtime"));
    // buildApp + listen rather than startFauxqs: startFauxqs always binds 0.0.0.0.
    const fauxqs = await createFauxqsStores();
    const app = buildApp({ logger: false, defaultRegion: region, stores: fauxqs?.stores });
    let endpoint = "";
    let publicHost = "";
    let port = 0;
    installRequestGuard(app, { port: () => port, bindHost: host, allowOrigins, logger });
    installQueueUrlRewriting(app, () => publicHost, region);
    const traceHeaders = new SqsTraceHeaders();
    traceHeaders.install(app);
    const aws = new InProcessAws(
      app,
      region,
      () => publicHost,
      fauxqs?.sqs && { call: fauxqs.sqs, traceHeaders },
    );
    // FIFO event source mappings release their own groups' locks between receives (fauxqs-stores.ts).
    attachSqsStore(aws, fauxqs?.stores);
    const service = new LambdaService({
      region,
      get endpoint() {
        return endpoint;
      },
      workDirectory,
      runtimes,
      aws,
      logger,
      timeScale: retryDelayScale,
      maxConcurrencyPerFunction: options.maxConcurrencyPerFunction ?? 8,
      sharedNodeModules,
      traceHeaders,
    });
    registerLambdaRoutes(app, service, logger);
    const events = new EventsService({
      region,
      accountId: LOCAL_ACCOUNT_ID,
      aws,
      invokeAsync: (arn, payload) => {
        service.invokeAsyncByArn(arn, payload);
      },
      logger,
    });
    registerEventsRoutes(app, events, logger);
    await app.listen({ host, port: options.port ?? 4566 });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("local stack: no TCP address");
    port = address.port;
    publicHost = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    endpoint = `http://${publicHost}`;
    logger.info(`local stack listening on ${endpoint}`);
    let stopped: Promise<void> | undefined;
    return {
      endpoint,
      port,
      region,
      retryDelayScale,
      workDirectory,
      async registerFunction(source) {
        const definition = await resolveLocalFunction(source);
        service.register(definition);
        return {
          functionName: definition.name,
          functionArn: functionArn(region, definition.name),
        };
      },
      applyInit(init, baseDirectory = process.cwd()) {
        return applyLocalStackInit(init, { aws, service, region, baseDirectory });
      },
      stop() {
        stopped ??= (async () => {
          await service.stop();
          await app.close();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await rm(workDirectory, { recursive: true, force: true });
    throw error;
  }
}

/** An origin as browsers send it (scheme://host[:port]); anything else cannot match and is a caller's mistake. */
function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`not an origin: ${JSON.stringify(value)}`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== value.replace(/\/$/, "")) {
    throw new Error(`not an origin (scheme://host[:port]): ${JSON.stringify(value)}`);
  }
  return url.origin;
}

/**
 * The managed Node.js runtimes ship the AWS SDK v3. Functions here get ours: a node_modules link above every
 * unpacked function (found by ESM and CommonJS resolution alike, as they walk up), and NODE_PATH for code
 * registered in place.
 */
async function linkSharedNodeModules(workDirectory: string): Promise<string | undefined> {
  try {
    const entry = createRequire(import.meta.url).resolve("@aws-sdk/client-sqs");
    const marker = `${path.sep}node_modules${path.sep}`;
    const nodeModules = entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1);
    await symlink(nodeModules, path.join(workDirectory, "node_modules"), "dir");
    return nodeModules;
  } catch {
    return undefined;
  }
}

export type { LocalFunctionSource } from "./local-function-source.js";
export type { LocalLogger } from "./local-logger.js";
export { silentLogger } from "./local-logger.js";
export type { LocalStackInit } from "./local-stack-init.js";
export { zipDirectory } from "./zip-directory.js";

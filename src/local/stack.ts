import { buildApp } from "fauxqs";
import type { LocalLogger } from "./localLogger.js";
import { silentLogger } from "./localLogger.js";

export interface LocalStackOptions {
  /** Port on 127.0.0.1; 0 picks a free one. Default 4566 (LocalStack's convention). */
  port?: number;
  /** Interface to bind. Default 127.0.0.1: the stack has no authentication, so it never listens publicly. */
  host?: string;
  /** Region used in ARNs and queue URLs. Default us-east-1. */
  region?: string;
  /**
   * Factor applied to Lambda's async timings (retry delays of about 60 s and 120 s, and the maximum event
   * age). Default DEFAULT_RETRY_DELAY_SCALE; 1 restores AWS's real timing.
   */
  retryDelayScale?: number;
  logger?: LocalLogger;
}

export interface LocalStack {
  /** e.g. http://127.0.0.1:4566, to use as every SDK client's `endpoint`. */
  endpoint: string;
  port: number;
  region: string;
  stop(): Promise<void>;
}

/**
 * Default scale of Lambda's async retry timing: 1/60, so the retries that take about 1 and 2 minutes on AWS
 * take about 1 and 2 seconds locally, and the ordering of retries against the maximum event age is kept.
 */
export const DEFAULT_RETRY_DELAY_SCALE = 1 / 60;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? "127.0.0.1";
  const region = options.region ?? "us-east-1";
  const logger = options.logger ?? silentLogger;
  // buildApp + listen rather than startFauxqs: startFauxqs always binds 0.0.0.0.
  const app = buildApp({ logger: false, defaultRegion: region });
  await app.listen({ host, port: options.port ?? 4566 });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("local stack: no TCP address");
  const port = address.port;
  const endpoint = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  logger.info(`local stack listening on ${endpoint}`);
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    region,
    stop() {
      stopped ??= app.close().then(() => undefined);
      return stopped;
    },
  };
}

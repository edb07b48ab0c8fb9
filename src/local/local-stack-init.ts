import * as path from "node:path";
import { functionArn, LOCAL_ACCOUNT_ID } from "./arns.js";
import type { InProcessAws } from "./in-process-aws.js";
import { initDocumentProblem } from "./init-validation.js";
import type { LambdaService } from "./lambda-service.js";
import { type LocalFunctionSource, resolveLocalFunction } from "./local-function-source.js";

/**
 * What `local --init <file>` creates at start. Queues, topics, subscriptions and buckets follow fauxqs's init
 * format; functions are local code with their async settings.
 */
export interface LocalStackInit {
  queues?: Array<{ name: string; attributes?: Record<string, string>; tags?: Record<string, string> }>;
  topics?: Array<{ name: string; attributes?: Record<string, string> }>;
  /** SQS subscriptions: topic and queue by name. */
  subscriptions?: Array<{ topic: string; queue: string; attributes?: Record<string, string> }>;
  buckets?: string[];
  functions?: Array<
    LocalFunctionSource & {
      /** Destination ARNs. */
      destinations?: { onSuccess?: string; onFailure?: string };
      maximumRetryAttempts?: number;
      maximumEventAgeInSeconds?: number;
      reservedConcurrency?: number;
      /** Queue names (or ARNs) that trigger the function through an SQS event source mapping. */
      sqsTriggers?: Array<string | { queue: string; batchSize?: number; reportBatchItemFailures?: boolean }>;
    }
  >;
}

export class InitFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InitFileError";
  }
}

/** Creates everything an init document names, in dependency order. Relative paths are from `baseDirectory`. */
export async function applyLocalStackInit(
  init: LocalStackInit,
  context: { aws: InProcessAws; service: LambdaService; region: string; baseDirectory: string },
): Promise<void> {
  const problem = initDocumentProblem(init);
  if (problem !== undefined) throw new InitFileError(problem);
  const { aws, service, region } = context;
  const queueArn = (name: string) =>
    name.startsWith("arn:") ? name : `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:${name}`;
  const step = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      throw new InitFileError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  for (const queue of init.queues ?? []) {
    await step(`queue ${queue.name}`, () =>
      aws.sqs("CreateQueue", { QueueName: queue.name, Attributes: queue.attributes, tags: queue.tags }),
    );
  }
  for (const topic of init.topics ?? []) {
    await step(`topic ${topic.name}`, () =>
      aws.sns("CreateTopic", { Name: topic.name, ...entries("Attributes", topic.attributes) }),
    );
  }
  for (const subscription of init.subscriptions ?? []) {
    await step(`subscription of ${subscription.queue} to ${subscription.topic}`, () =>
      aws.sns("Subscribe", {
        TopicArn: `arn:aws:sns:${region}:${LOCAL_ACCOUNT_ID}:${subscription.topic}`,
        Protocol: "sqs",
        Endpoint: queueArn(subscription.queue),
        ...entries("Attributes", subscription.attributes),
      }),
    );
  }
  for (const bucket of init.buckets ?? []) await step(`bucket ${bucket}`, () => aws.createBucket(bucket));
  // Every function first, then their settings: a destination may be a function listed further down.
  for (const fn of init.functions ?? []) {
    await step(`function ${fn.name}`, async () => {
      const definition = await resolveLocalFunction({
        ...fn,
        path: path.resolve(context.baseDirectory, fn.path),
      });
      service.register(definition);
    });
  }
  for (const fn of init.functions ?? []) {
    await step(`function ${fn.name}`, async () => {
      if (
        fn.destinations ||
        fn.maximumRetryAttempts !== undefined ||
        fn.maximumEventAgeInSeconds !== undefined
      ) {
        service.putEventInvokeConfig(fn.name, undefined, {
          MaximumRetryAttempts: fn.maximumRetryAttempts,
          MaximumEventAgeInSeconds: fn.maximumEventAgeInSeconds,
          DestinationConfig: {
            OnSuccess: fn.destinations?.onSuccess ? { Destination: fn.destinations.onSuccess } : undefined,
            OnFailure: fn.destinations?.onFailure ? { Destination: fn.destinations.onFailure } : undefined,
          },
        });
      }
      if (fn.reservedConcurrency !== undefined) {
        service.putFunctionConcurrency(fn.name, { ReservedConcurrentExecutions: fn.reservedConcurrency });
      }
      for (const trigger of fn.sqsTriggers ?? []) {
        const spec = typeof trigger === "string" ? { queue: trigger } : trigger;
        await service.createEventSourceMapping({
          EventSourceArn: queueArn(spec.queue),
          FunctionName: functionArn(region, fn.name),
          BatchSize: spec.batchSize,
          FunctionResponseTypes: spec.reportBatchItemFailures ? ["ReportBatchItemFailures"] : undefined,
        });
      }
    });
  }
}

/** SNS's Query encoding of a map: Attributes.entry.1.key=...&Attributes.entry.1.value=... */
function entries(prefix: string, map: Record<string, string> | undefined): Record<string, string> {
  const encoded: Record<string, string> = {};
  Object.entries(map ?? {}).forEach(([key, value], index) => {
    encoded[`${prefix}.entry.${index + 1}.key`] = key;
    encoded[`${prefix}.entry.${index + 1}.value`] = value;
  });
  return encoded;
}

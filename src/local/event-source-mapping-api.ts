import { invalidParameter, validationError } from "./lambda-service-error.js";
import { eventSourceMappingArn, type SqsEventSourceMapping } from "./sqs-event-source-mapping.js";

/**
 * The settings of an SQS event source mapping as CreateEventSourceMapping and UpdateEventSourceMapping take
 * them (BatchSize, MaximumBatchingWindowInSeconds, FunctionResponseTypes), checked as AWS checks them, and the
 * mapping as the API answers it.
 */
export function applyMappingSettings(
  settings: { batchSize: number; maximumBatchingWindowInSeconds: number; reportBatchItemFailures: boolean },
  body: Record<string, unknown>,
  fifo: boolean,
): void {
  if (body.BatchSize !== undefined) {
    const size = body.BatchSize;
    if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > 10_000) {
      throw validationError(size, "batchSize", "Member must have value between 1 and 10000");
    }
    settings.batchSize = size;
  }
  if (body.MaximumBatchingWindowInSeconds !== undefined) {
    const window = body.MaximumBatchingWindowInSeconds;
    if (typeof window !== "number" || !Number.isInteger(window) || window < 0 || window > 300) {
      throw validationError(
        window,
        "maximumBatchingWindowInSeconds",
        "Member must have value between 0 and 300",
      );
    }
    settings.maximumBatchingWindowInSeconds = window;
  }
  if (fifo && settings.batchSize > 10) {
    throw invalidParameter("Batch size for FIFO queues must be between 1 and 10.");
  }
  if (settings.batchSize > 10 && settings.maximumBatchingWindowInSeconds < 1) {
    throw invalidParameter(
      "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
    );
  }
  if (body.FunctionResponseTypes !== undefined) {
    const types = body.FunctionResponseTypes;
    if (!Array.isArray(types) || types.some((type) => type !== "ReportBatchItemFailures")) {
      throw validationError(
        types,
        "functionResponseTypes",
        "Member must satisfy enum value set: [ReportBatchItemFailures]",
      );
    }
    settings.reportBatchItemFailures = types.length > 0;
  }
}

export function mappingResponse(mapping: SqsEventSourceMapping): Record<string, unknown> {
  const settings = mapping.settings;
  return {
    UUID: settings.uuid,
    BatchSize: settings.batchSize,
    MaximumBatchingWindowInSeconds: settings.maximumBatchingWindowInSeconds,
    EventSourceArn: settings.eventSourceArn,
    FunctionArn: settings.functionArn,
    LastModified: settings.lastModified,
    State: mapping.state,
    StateTransitionReason: "USER_INITIATED",
    FunctionResponseTypes: settings.reportBatchItemFailures ? ["ReportBatchItemFailures"] : [],
    EventSourceMappingArn: eventSourceMappingArn(settings),
  };
}

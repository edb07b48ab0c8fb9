/**
 * lambda-dest as a library: `import { analyze, validate, generate, kinds } from "lambda-dest"`.
 * Only pure modules load from here: no AWS SDK, no local stack, no terminal.
 */

export {
  isDeadLetterMessage,
  isEsmFailureRecord,
  isEventBridgeEvent,
  isFailureRecord,
  isInvocationRecord,
  isLambdaSnsEvent,
  isLambdaSqsEvent,
  isProcessingResult,
  isReceiveMessageOutput,
  isS3Object,
  isSnsNotification,
  isSqsMessage,
  isSuccessRecord,
} from "./envelopes/guards.js";
export {
  analyze,
  type CheckOptions,
  describeKind,
  kinds,
  schema,
  type ValidationResult,
  validate,
} from "./envelopes/library.js";
export type * from "./envelopes/shapes.js";
export type { AnalyzedEnvelope, EnvelopeSummary, Finding, Kind, Outcome } from "./envelopes/types.js";
export { UsageError } from "./errors.js";
export type {
  Generated,
  GeneratedItem,
  GeneratedPayloads,
  GenerateOptions,
  WrapperShapes,
} from "./generate/index.js";
export {
  ESM_CONDITIONS as esmConditions,
  ESM_SOURCES as esmSources,
  type EsmSource,
  GENERATE_KINDS as generateKinds,
  type GenerateKind,
  generate,
  INVOCATION_CONDITIONS as invocationConditions,
  RUNTIMES as runtimes,
  type Runtime,
  WRAPPERS as wrappers,
  type Wrapper,
} from "./generate/index.js";

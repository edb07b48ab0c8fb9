// Types for the standalone validators that scripts/compile-validators.mjs generates at build time.
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: import("./schema-errors.js").AjvError[] | null;
}
export const articleEnvelope: CompiledValidator;
export const esmFailureRecord: CompiledValidator;
export const eventbridgeEvent: CompiledValidator;
export const invocationRecord: CompiledValidator;
export const lambdaSnsEvent: CompiledValidator;
export const lambdaSqsEvent: CompiledValidator;
export const processingResult: CompiledValidator;
export const snsNotification: CompiledValidator;
export const sqsMessage: CompiledValidator;

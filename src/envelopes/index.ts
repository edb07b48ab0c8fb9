export { findSyntaxError, locatePointer } from "../sources/positions.js";
export {
  type AnalyzeOptions,
  analyzeSafely,
  analyzeValue,
  type ForcedSchema,
  unprocessableEnvelope,
} from "./analyze.js";
export { detectKind } from "./detect.js";
export { isKind, KIND_INFO, validateAgainstKind } from "./kinds.js";
export * from "./types.js";

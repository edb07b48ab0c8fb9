export type RecordCondition = "Success" | "RetriesExhausted" | "EventAgeExceeded" | "ZeroReservedConcurrency";

export interface InvocationRecordInput {
  timestamp: Date;
  requestId: string;
  /** Qualified, e.g. arn:aws:lambda:us-east-1:000000000000:function:NAME:$LATEST. */
  functionArn: string;
  condition: RecordCondition;
  approximateInvokeCount: number;
  /** The event as the caller sent it (valid JSON text). */
  requestPayload: string;
  /** Absent when the function never ran (ZeroReservedConcurrency). */
  response?: {
    executedVersion: string;
    functionError?: "Unhandled";
    /** What the runtime answered. */
    payload: string;
  };
}

/**
 * Builds the record Lambda sends to a destination, as text rather than through JSON.stringify: the keys must
 * come in AWS's order and the payloads' bytes must survive as they were (whitespace, number spelling).
 */
export function buildInvocationRecord(input: InvocationRecordInput): string {
  const requestContext =
    `{"requestId":${JSON.stringify(input.requestId)},"functionArn":${JSON.stringify(input.functionArn)},` +
    `"condition":${JSON.stringify(input.condition)},"approximateInvokeCount":${input.approximateInvokeCount}}`;
  let record =
    `{"version":"1.0","timestamp":${JSON.stringify(input.timestamp.toISOString())},` +
    `"requestContext":${requestContext},"requestPayload":${input.requestPayload}`;
  if (input.response) {
    const functionError =
      input.response.functionError === undefined
        ? ""
        : `,"functionError":${JSON.stringify(input.response.functionError)}`;
    record +=
      `,"responseContext":{"statusCode":200,"executedVersion":${JSON.stringify(input.response.executedVersion)}${functionError}}` +
      `,"responsePayload":${asJsonText(input.response.payload)}`;
  }
  return `${record}}`;
}

/**
 * A runtime's answer, made compact (Python's json.dumps puts spaces after separators) without re-serialising,
 * so numbers keep their spelling and keys their order. Anything that is not JSON is carried as a JSON string
 * rather than breaking the record.
 */
function asJsonText(payload: string): string {
  if (payload.trim() === "") return "null";
  try {
    JSON.parse(payload);
  } catch {
    return JSON.stringify(payload);
  }
  // Most answers (every JSON.stringify's) have no whitespace at all: nothing to take out.
  return WHITESPACE.test(payload) ? compactJson(payload) : payload;
}

const WHITESPACE = /[ \n\r\t]/;

/** Drops the insignificant whitespace of valid JSON text; strings are copied untouched. */
export function compactJson(text: string): string {
  let result = "";
  let inString = false;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === " " || char === "\n" || char === "\r" || char === "\t") {
      result += text.slice(start, index);
      start = index + 1;
    }
  }
  return result + text.slice(start);
}

/**
 * The envelope view's stack traces (own frames first, the runtime's folded) for each runtime's error shape,
 * and the times (ISO in the summary line, with the age when tail shows a record as it arrives). The shapes:
 * Node.js {errorType, errorMessage, trace: string[]}; Python {errorMessage, errorType, stackTrace: string[]};
 * Java {errorMessage, errorType, stackTrace: string[], cause?}; Go, after a panic, {errorMessage, errorType,
 * stackTrace: [{path, line, label}]} (AWS Lambda developer guide, function errors per runtime).
 */
import { describe, expect, it } from "vitest";
import { analyzeValue } from "../../../src/envelopes/analyze.js";
import { plainColors } from "../../../src/render/colors.js";
import { age, renderEnvelope, stackTrace, timeText } from "../../../src/render/envelope.js";
import { tailText } from "../../../src/render/tail.js";

const colors = plainColors();

function failure(responsePayload: Record<string, unknown>, timestamp = "2025-11-14T18:19:12.004Z") {
  const [envelope] = analyzeValue({
    version: "1.0",
    timestamp,
    requestContext: {
      requestId: "0b7c5b2e-8d0e-4c1f-9a57-3f1de9f0c2aa",
      functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:orders:$LATEST",
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload: {},
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload,
  });
  return envelope!;
}

function traceOf(responsePayload: Record<string, unknown>) {
  return stackTrace(failure(responsePayload)).frames.map((frame) => [frame.runtime, ...frame.lines]);
}

describe("stackTrace: which frames are the runtime's", () => {
  it("Java: lambdainternal and reflection are the runtime's; the cause is kept", () => {
    const trace = stackTrace(
      failure({
        errorMessage: "no stock",
        errorType: "example.StockException",
        stackTrace: [
          "example.Warehouse.reserve(Warehouse.java:41)",
          "example.Handler.handleRequest(Handler.java:17)",
          "java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)",
          "java.base/java.lang.reflect.Method.invoke(Unknown Source)",
          "lambdainternal.EventHandlerLoader$PojoHandlerAsStreamHandler.handleRequest(EventHandlerLoader.java:199)",
        ],
        cause: { errorMessage: "timeout", errorType: "java.io.IOException", stackTrace: [] },
      }),
    );
    expect(trace.frames.map((frame) => frame.runtime)).toEqual([false, false, true, true, true]);
    expect(trace.causes).toEqual(["caused by: java.io.IOException: timeout"]);
  });

  it("Go: the aws-lambda-go library and the Go runtime's panic frames are the runtime's", () => {
    expect(
      traceOf({
        errorMessage: "runtime error: index out of range [3] with length 1",
        errorType: "runtime.boundsError",
        stackTrace: [
          {
            path: "github.com/aws/aws-lambda-go@v1.47.0/lambda/errors.go",
            line: 39,
            label: "lambdaPanicResponse",
          },
          { path: "/usr/local/go/src/runtime/panic.go", line: 770, label: "gopanic" },
          { path: "/var/task/main.go", line: 21, label: "handler" },
        ],
      }),
    ).toEqual([
      [true, "lambdaPanicResponse github.com/aws/aws-lambda-go@v1.47.0/lambda/errors.go:39"],
      [true, "gopanic /usr/local/go/src/runtime/panic.go:770"],
      [false, "handler /var/task/main.go:21"],
    ]);
  });

  it("the local stack's bootstraps are the runtime's too", () => {
    expect(
      traceOf({
        errorType: "Error",
        errorMessage: "boom",
        trace: [
          "Error: boom",
          "    at handler (file:///work/fn/index.mjs:2:9)",
          "    at invoke (file:///tmp/lambda-dest-runtimes-x/bootstrap.mjs:150:22)",
        ],
      }),
    ).toEqual([
      [false, "    at handler (file:///work/fn/index.mjs:2:9)"],
      [true, "    at invoke (file:///tmp/lambda-dest-runtimes-x/bootstrap.mjs:150:22)"],
    ]);
  });
});

describe("renderEnvelope: the trace under the error line", () => {
  const record = failure({
    errorType: "Error",
    errorMessage: "boom",
    trace: [
      "Error: boom",
      "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:25)",
      "    at handler (file:///var/task/index.mjs:2:9)",
    ],
  });

  it("own frames first, then one line counting the runtime's", () => {
    const lines = renderEnvelope(record, { colors, detailed: true }).split("\n");
    expect(lines.slice(2, 5)).toEqual([
      "  error    Error: boom",
      "               at handler (file:///var/task/index.mjs:2:9)",
      "           … 1 runtime frame (-v shows them)",
    ]);
  });

  it("verbose: every frame, in the order the runtime wrote them", () => {
    const lines = renderEnvelope(record, { colors, detailed: true, verbose: true }).split("\n");
    expect(lines.slice(2, 5)).toEqual([
      "  error    Error: boom",
      "               at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:25)",
      "               at handler (file:///var/task/index.mjs:2:9)",
    ]);
  });
});

describe("times", () => {
  it("age: seconds, minutes, hours, days; ahead of the clock said so", () => {
    expect(age(12_400)).toBe("12 s ago");
    expect(age(-300)).toBe("0 s ago");
    expect(age(119_000)).toBe("119 s ago");
    expect(age(180_000)).toBe("3 min ago");
    expect(age(5 * 3_600_000)).toBe("5 h ago");
    expect(age(3 * 86_400_000)).toBe("3 days ago");
    expect(age(-5_000)).toBe("5 s ahead of this clock");
  });

  it("timeText: ISO as written, another parsable form in ISO, anything else as written", () => {
    expect(timeText("2025-11-14T18:19:12.004Z", undefined)).toBe("2025-11-14T18:19:12.004Z");
    expect(timeText("2025-11-14T19:19:12+01:00", undefined)).toBe("2025-11-14T18:19:12.000Z");
    expect(timeText("yesterday\u001b[2J", undefined)).toBe("yesterday\\x1b[2J");
    expect(timeText("2025-11-14T18:19:12.004Z", new Date("2025-11-14T18:19:24.500Z"))).toBe(
      "2025-11-14T18:19:12.004Z (12 s ago)",
    );
  });

  it("tail: the summary line gives the record's time in ISO and its age when it arrived", () => {
    const record = failure({ errorType: "Error", errorMessage: "boom" });
    const facts = { receivedAt: new Date("2025-11-14T18:19:24.500Z"), source: "sqs:order-failures" };
    expect(tailText(record, facts, colors, false, 200)).toBe(
      "18:19:24 sqs:order-failures  ✗ FAILURE  invocation-record  orders:$LATEST  RetriesExhausted  attempts 3  request 0b7c5b2e-8d0e-4c1f-9a57-3f1de9f0c2aa  2025-11-14T18:19:12.004Z (12 s ago)\n",
    );
    // At 100 columns the summary goes on under the kind, whole parts to a line.
    expect(tailText(record, facts, colors, false, 100).split("\n")).toEqual([
      "18:19:24 sqs:order-failures  ✗ FAILURE  invocation-record  orders:$LATEST  RetriesExhausted",
      "                                        attempts 3  request 0b7c5b2e-8d0e-4c1f-9a57-3f1de9f0c2aa",
      "                                        2025-11-14T18:19:12.004Z (12 s ago)",
      "",
    ]);
  });
});

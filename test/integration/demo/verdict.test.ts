/**
 * How the demo decides its exit code: every expected envelope must arrive, be of the expected kind, outcome
 * and condition, validate, and carry the id AWS returned; anything else is named. Pure (no stack), kept
 * beside the demo's other tests.
 */
import { describe, expect, it } from "vitest";
import { summaryRows } from "../../../src/demo/render.js";
import { expectedEnvelopes, ORDERS, SOURCES } from "../../../src/demo/scenario.js";
import { DemoTracker, describeVerdict } from "../../../src/demo/tracker.js";
import { analyzeValue } from "../../../src/envelopes/index.js";

const FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:order-processor:$LATEST";
const order = (id: string) => ORDERS.find((candidate) => candidate.orderId === id)!;

function processingResult(orderId: string, messageId: string) {
  const { payload, fails } = order(orderId);
  const result = fails
    ? { message_id: messageId, body: payload, error: "boom", status: "FAILURE" }
    : { message_id: messageId, body: payload, status: "SUCCESS" };
  return analyzeValue(result)[0]!;
}

function invocationRecord(orderId: string, requestId: string, condition: string, attempts: number) {
  const record = {
    version: "1.0",
    timestamp: "2026-01-01T00:00:00.000Z",
    requestContext: { requestId, functionArn: FUNCTION_ARN, condition, approximateInvokeCount: attempts },
    requestPayload: JSON.parse(order(orderId).payload),
    responseContext:
      condition === "Success"
        ? { statusCode: 200, executedVersion: "$LATEST" }
        : { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload:
      condition === "Success"
        ? { status: "SUCCESS" }
        : { errorType: "Error", errorMessage: "boom", trace: ["Error: boom"] },
  };
  return analyzeValue(record)[0]!;
}

const REQUEST_2001 = "11111111-1111-4111-8111-111111111111";
const REQUEST_2002 = "22222222-2222-4222-8222-222222222222";
const now = new Date("2026-01-01T00:00:01Z");

function recordAll(tracker: DemoTracker) {
  tracker.record(processingResult("1001", "m-1001"), SOURCES.successTopic, now);
  tracker.record(processingResult("1002", "m-1002"), SOURCES.successTopic, now);
  tracker.record(processingResult("1003", "m-1003"), SOURCES.failureTopic, now);
  tracker.record(invocationRecord("2001", REQUEST_2001, "Success", 1), SOURCES.destinationTopic, now);
  tracker.record(
    invocationRecord("2002", REQUEST_2002, "RetriesExhausted", 2),
    SOURCES.destinationQueue,
    now,
  );
}

function identifyAll(tracker: DemoTracker) {
  for (const id of ["1001", "1002", "1003"]) tracker.identify(id, `m-${id}`);
  tracker.identify("2001", REQUEST_2001);
  tracker.identify("2002", REQUEST_2002);
}

describe("the demo's verdict", () => {
  it("all five, right and valid: ok, and complete resolves", async () => {
    const tracker = new DemoTracker(expectedEnvelopes());
    identifyAll(tracker);
    recordAll(tracker);
    await tracker.complete;
    expect(tracker.verdict()).toEqual({ ok: true, missing: [], wrong: [] });
    expect(
      summaryRows(tracker).map((row) => [
        row.kind,
        row.outcome,
        row.condition,
        row.expected,
        row.arrived,
        row.valid,
      ]),
    ).toEqual([
      ["processing-result", "success", "-", 2, 2, 2],
      ["processing-result", "failure", "-", 1, 1, 1],
      ["invocation-record", "success", "Success", 1, 1, 1],
      ["invocation-record", "failure", "RetriesExhausted", 1, 1, 1],
    ]);
  });

  it("names what never arrived", () => {
    const tracker = new DemoTracker(expectedEnvelopes());
    tracker.record(processingResult("1001", "m-1001"), SOURCES.successTopic, now);
    const verdict = tracker.verdict();
    expect(verdict.ok).toBe(false);
    expect(describeVerdict(verdict)).toEqual([
      "missing: processing result SUCCESS for order 1002 at sns:order-success",
      "missing: processing result FAILURE for order 1003 at sns:order-failure",
      "missing: invocation record Success for order 2001 at sns:order-invocation-success",
      "missing: invocation record RetriesExhausted for order 2002 at sqs:order-invocation-failure",
    ]);
  });

  it("a wrong condition, attempt count or place, a duplicate and a wrong id are each named", () => {
    const tracker = new DemoTracker(expectedEnvelopes());
    identifyAll(tracker);
    tracker.record(processingResult("1001", "m-other"), SOURCES.successTopic, now);
    tracker.record(processingResult("1002", "m-1002"), SOURCES.failureTopic, now);
    tracker.record(processingResult("1003", "m-1003"), SOURCES.failureTopic, now);
    tracker.record(processingResult("1003", "m-1003"), SOURCES.failureTopic, now);
    tracker.record(invocationRecord("2001", REQUEST_2001, "Success", 1), SOURCES.destinationTopic, now);
    tracker.record(
      invocationRecord("2002", REQUEST_2002, "EventAgeExceeded", 1),
      SOURCES.destinationQueue,
      now,
    );
    const verdict = tracker.verdict();
    expect(verdict.ok).toBe(false);
    expect(verdict.missing).toEqual([]);
    expect(describeVerdict(verdict)).toEqual([
      "wrong: processing result SUCCESS for order 1001 at sns:order-success: message_id is m-other, but AWS returned m-1001 for the order",
      "wrong: processing result SUCCESS for order 1002 at sns:order-success: arrived at sns:order-failure, expected at sns:order-success",
      "unexpected: processing-result at sns:order-failure: order 1003 was already answered (a duplicate delivery)",
      "wrong: invocation record RetriesExhausted for order 2002 at sqs:order-invocation-failure: condition is EventAgeExceeded; reports 1 attempts, expected 2",
    ]);
  });

  it("an invalid envelope fails the demo even when it is the one expected", () => {
    const tracker = new DemoTracker(expectedEnvelopes());
    const broken = analyzeValue({ message_id: "", body: order("1001").payload, status: "SUCCESS" })[0]!;
    tracker.record(broken, SOURCES.successTopic, now);
    expect(describeVerdict(tracker.verdict())).toContain(
      "wrong: processing result SUCCESS for order 1001 at sns:order-success: does not validate",
    );
  });
});

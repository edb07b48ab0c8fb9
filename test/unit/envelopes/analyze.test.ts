import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeValue } from "../../../src/envelopes/analyze.js";

const fixtureDir = join(import.meta.dirname, "../../fixtures/envelopes");
const load = (name: string): any => JSON.parse(readFileSync(join(fixtureDir, name), "utf8"));
const clone = <T>(value: T): T => structuredClone(value);
const only = (value: unknown, options = {}) => {
  const results = analyzeValue(value, options);
  expect(results).toHaveLength(1);
  return results[0]!;
};

describe("valid fixtures are detected as their kind and layers", () => {
  it.each([
    ["success-record.json", "invocation-record", ["invocation-record"], "success"],
    ["failure-node.json", "invocation-record", ["invocation-record"], "failure"],
    ["failure-python.json", "invocation-record", ["invocation-record"], "failure"],
    ["timeout-record.json", "invocation-record", ["invocation-record"], "failure"],
    ["crash-record.json", "invocation-record", ["invocation-record"], "failure"],
    ["event-age-record.json", "invocation-record", ["invocation-record"], "failure"],
    ["zero-concurrency-record.json", "invocation-record", ["invocation-record"], "failure"],
    ["masked-account-record.json", "invocation-record", ["invocation-record"], "success"],
    ["kinesis-failure.json", "esm-failure-record", ["esm-failure-record"], "failure"],
    ["dynamodb-failure.json", "esm-failure-record", ["esm-failure-record"], "failure"],
    ["kafka-failure.json", "esm-failure-record", ["esm-failure-record"], "failure"],
    ["s3-esm-failure.json", "esm-failure-record", ["esm-failure-record"], "failure"],
    ["kafka-topic-failure.json", "esm-failure-record", ["esm-failure-record"], "failure"],
    ["sqs-message-success.json", "invocation-record", ["sqs-message", "invocation-record"], "success"],
    [
      "cli-receive-sns-failure.json",
      "invocation-record",
      ["sqs-message", "sns-notification", "invocation-record"],
      "failure",
    ],
    ["lambda-sns-event.json", "invocation-record", ["lambda-sns-event", "invocation-record"], "success"],
    ["eventbridge-success.json", "invocation-record", ["eventbridge-event", "invocation-record"], "success"],
    [
      "processing-result-via-sns.json",
      "processing-result",
      ["sqs-message", "sns-notification", "processing-result"],
      "failure",
    ],
    ["article-envelope.json", "article-envelope", ["article-envelope"], "failure"],
    ["dlq-message.json", "sqs-message", ["sqs-message"], "failure"],
  ])("%s", (file, kind, layers, outcome) => {
    const result = only(load(file));
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.kind).toBe(kind);
    expect(result.layers).toEqual(layers);
    expect(result.summary.outcome).toBe(outcome);
  });

  it("splits a Lambda SQS event into one result per record", () => {
    const results = analyzeValue(load("lambda-sqs-event.json"));
    expect(results.map((result) => [result.kind, result.valid, result.summary.outcome])).toEqual([
      ["invocation-record", true, "success"],
      ["invocation-record", true, "failure"],
    ]);
    expect(results[1]!.layers).toEqual(["lambda-sqs-event", "invocation-record"]);
  });

  it("summarises a failure with function, qualifier, condition, attempts and the error", () => {
    const summary = only(load("failure-python.json")).summary;
    expect(summary).toMatchObject({
      functionName: "py-orders",
      qualifier: "live",
      condition: "RetriesExhausted",
      attempts: 3,
      requestId: "5f0a8b3c-1d2e-4f6a-8b9c-0d1e2f3a4b5c",
      errorType: "ValueError",
      errorMessage: "bad order",
    });
  });

  it("explains the failure conditions", () => {
    expect(only(load("zero-concurrency-record.json")).summary.explanation).toMatch(/never ran/);
    expect(only(load("event-age-record.json")).summary.explanation).toMatch(/MaximumEventAgeInSeconds/);
    expect(only(load("success-record.json")).summary.explanation).toBeUndefined();
  });

  it("recognises a dead-letter message by its attributes", () => {
    const result = only(load("dlq-message.json"));
    expect(result.payload).toEqual({ orderId: "error-9" });
    expect(result.summary.requestId).toBe("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
    expect(result.summary.errorMessage).toBe("order error-9 cannot be processed");
    expect(result.summary.notes.join(" ")).toMatch(/dead-letter/);
  });

  it("accepts the article envelope with a note naming the invocation record", () => {
    const result = only(load("article-envelope.json"));
    expect(result.warnings).toEqual([]);
    expect(result.summary.notes.join(" ")).toMatch(/AWS does not send this shape.*invocation record/);
  });
});

describe("leniency: real-world variations are warnings, not errors", () => {
  it("warns about a masked account and an unknown condition, and --strict fails them", () => {
    const record = load("success-record.json");
    record.requestContext.functionArn = "arn:aws:lambda:us-east-1:<account>:function:f:$LATEST";
    record.requestContext.condition = "SomethingNew";
    const result = only(record);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.warnings.map((warning) => warning.path)).toEqual([
      "/requestContext/condition",
      "/requestContext/functionArn",
    ]);
    expect(only(record, { strict: true }).valid).toBe(false);
  });

  it("accepts extra fields with a warning", () => {
    const record = load("success-record.json");
    record.traceId = "abc";
    const result = only(record);
    expect(result.valid).toBe(true);
    expect(result.warnings).toEqual([expect.objectContaining({ path: "/traceId" })]);
  });

  it("accepts an SNS notification with Subject null and the Lambda event's Url spellings", () => {
    const event = load("lambda-sns-event.json");
    expect(event.Records[0].Sns.Subject).toBeNull();
    expect(only(event).valid).toBe(true);
  });

  it('warns on EventBridge source "aws.lambda"', () => {
    const event = load("eventbridge-success.json");
    event.source = "aws.lambda";
    const result = only(event);
    expect(result.valid).toBe(true);
    expect(result.warnings[0]).toMatchObject({ path: "/source" });
  });

  it("accepts date-times with offsets, leap days and second precision", () => {
    for (const timestamp of [
      "2024-02-29T23:59:59Z",
      "2025-11-14T18:16:05.568+01:00",
      "2016-12-31T23:59:60Z",
    ]) {
      const result = only({ ...load("success-record.json"), timestamp });
      expect(result.errors).toEqual([]);
    }
  });

  it("unwraps ReceiveMessage output that an SDK printed with its response metadata", () => {
    const output = load("cli-receive-sns-failure.json");
    output.ResponseMetadata = { RequestId: "x", HTTPStatusCode: 200 };
    const result = only(output);
    expect(result.valid).toBe(true);
    expect(result.layers).toEqual(["sqs-message", "sns-notification", "invocation-record"]);
  });

  it("accepts documentation-style ids (xmpl) and self-managed Kafka without an eventSourceArn", () => {
    const kafka = load("kafka-failure.json");
    kafka.requestContext.requestId = "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81";
    delete kafka.KafkaBatchInfo.eventSourceArn;
    const result = only(kafka);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((warning) => warning.path)).toEqual(["/requestContext/requestId"]);
  });

  it("never rejects for key order", () => {
    const record = load("success-record.json");
    const reversed = Object.fromEntries(Object.entries(record).reverse());
    expect(only(reversed).valid).toBe(true);
  });
});

describe("mutations that must fail", () => {
  const success = () => load("success-record.json");
  const failure = () => load("failure-node.json");
  const cases: Array<[string, () => unknown, string]> = [
    ["version is not 1.0", () => ({ ...success(), version: "2.0" }), "/version"],
    ["timestamp is not a date", () => ({ ...success(), timestamp: "yesterday" }), "/timestamp"],
    [
      "timestamp is February 30th",
      () => ({ ...success(), timestamp: "2025-02-30T10:00:00.000Z" }),
      "/timestamp",
    ],
    ["timestamp has no zone", () => ({ ...success(), timestamp: "2025-02-03T10:00:00.000" }), "/timestamp"],
    ["timestamp hour 24", () => ({ ...success(), timestamp: "2025-02-03T24:00:00.000Z" }), "/timestamp"],
    [
      "requestContext lacks requestId",
      () => {
        const value = success();
        delete value.requestContext.requestId;
        return value;
      },
      "/requestContext",
    ],
    [
      "functionArn is unqualified",
      () => {
        const value = success();
        value.requestContext.functionArn = "arn:aws:lambda:us-east-1:123456789012:function:f";
        return value;
      },
      "/requestContext/functionArn",
    ],
    [
      "approximateInvokeCount is a string",
      () => {
        const value = success();
        value.requestContext.approximateInvokeCount = "1";
        return value;
      },
      "/requestContext/approximateInvokeCount",
    ],
    [
      "Success record carries a functionError",
      () => {
        const value = success();
        value.responseContext.functionError = "Unhandled";
        value.responsePayload = { errorMessage: "x" };
        return value;
      },
      "/responseContext",
    ],
    [
      "Success record without responseContext",
      () => {
        const value = success();
        delete value.responseContext;
        delete value.responsePayload;
        return value;
      },
      "",
    ],
    [
      "RetriesExhausted without responsePayload",
      () => {
        const value = failure();
        delete value.responsePayload;
        return value;
      },
      "",
    ],
    [
      "function error payload has no errorMessage",
      () => {
        const value = failure();
        value.responsePayload = { errorType: "Error" };
        return value;
      },
      "/responsePayload",
    ],
    [
      "executedVersion is an alias name",
      () => {
        const value = success();
        value.responseContext.executedVersion = "live";
        return value;
      },
      "/responseContext/executedVersion",
    ],
    [
      "ZeroReservedConcurrency with a responseContext",
      () => {
        const value = load("zero-concurrency-record.json");
        value.responseContext = { statusCode: 200, executedVersion: "$LATEST" };
        value.responsePayload = null;
        return value;
      },
      "/responseContext",
    ],
    [
      "ZeroReservedConcurrency with attempts",
      () => {
        const value = load("zero-concurrency-record.json");
        value.requestContext.approximateInvokeCount = 1;
        return value;
      },
      "/requestContext/approximateInvokeCount",
    ],
    [
      "Kinesis sequence number is a number",
      () => {
        const value = load("kinesis-failure.json");
        value.KinesisBatchInfo.startSequenceNumber = 12;
        return value;
      },
      "/KinesisBatchInfo/startSequenceNumber",
    ],
    [
      "DynamoDB batch info with a Kinesis stream ARN",
      () => {
        const value = load("dynamodb-failure.json");
        value.DDBStreamBatchInfo.streamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
        return value;
      },
      "/DDBStreamBatchInfo/streamArn",
    ],
    [
      "ESM record with two batch infos",
      () => {
        const value = load("kinesis-failure.json");
        value.DDBStreamBatchInfo = load("dynamodb-failure.json").DDBStreamBatchInfo;
        return value;
      },
      "",
    ],
    [
      "RecordAgeExceeded with a responseContext",
      () => {
        const value = load("dynamodb-failure.json");
        value.responseContext = { statusCode: 200, executedVersion: "$LATEST" };
        return value;
      },
      "/responseContext",
    ],
    [
      "processing result FAILURE without error",
      () => ({ message_id: "m1", body: "x", status: "FAILURE" }),
      "",
    ],
    [
      "processing result with a lowercase status",
      () => ({ message_id: "m1", body: "x", status: "success" }),
      "/status",
    ],
    [
      "article envelope with neither response nor error",
      () => {
        const value = load("article-envelope.json");
        delete value.invocationError;
        return value;
      },
      "",
    ],
  ];

  it.each(cases)("%s", (_name, make, path) => {
    const result = only(make());
    expect(result.valid).toBe(false);
    expect(result.errors.map((error) => error.path)).toContain(path);
  });

  it("explains a broken rule with the schema's reason", () => {
    const value = success();
    value.responseContext.functionError = "Unhandled";
    value.responsePayload = { errorMessage: "x" };
    expect(only(value).errors[0]!.message).toMatch(/Success record contradicts itself/);
  });

  it("EventBridge: an en dash in detail-type, and a Success event holding a failure record", () => {
    const dashed = load("eventbridge-success.json");
    dashed["detail-type"] = "Lambda Function Invocation Result \u2013 Success";
    expect(only(dashed).errors.map((error) => error.path)).toContain("/detail-type");
    const contradicting = load("eventbridge-success.json");
    contradicting.detail.requestContext.condition = "RetriesExhausted";
    expect(only(contradicting).valid).toBe(false);
  });

  it("points into a string: the SQS Body, then the path inside the SNS Message", () => {
    const message = load("cli-receive-sns-failure.json");
    const notification = JSON.parse(message.Messages[0].Body);
    const record = JSON.parse(notification.Message);
    record.requestContext.approximateInvokeCount = -1;
    notification.Message = JSON.stringify(record);
    message.Messages[0].Body = JSON.stringify(notification);
    const result = only(message);
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatchObject({
      path: "/Messages/0/Body",
      innerPath: "/Message > /requestContext/approximateInvokeCount",
      layer: "invocation-record",
    });
  });

  it("an SNS layer error is reported on the wrapper even when the record is fine", () => {
    const event = load("lambda-sns-event.json");
    event.Records[0].Sns.TopicArn = "not-an-arn";
    const result = only(event);
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatchObject({ path: "/Records/0/Sns/TopicArn", layer: "lambda-sns-event" });
  });

  it("an object of no known kind at the top level is invalid with kind null", () => {
    const result = only({ hello: "world" });
    expect(result).toMatchObject({ valid: false, kind: null, layers: [] });
    expect(result.errors[0]!.message).toMatch(/not a known envelope/);
  });

  it("an SQS message whose body is not a known payload is valid with a warning", () => {
    const message = load("sqs-message-success.json");
    message.Body = "plain text";
    delete message.MD5OfBody;
    const result = only(message);
    expect(result).toMatchObject({ valid: true, kind: "sqs-message", payload: "plain text" });
    expect(result.warnings[0]!.message).toMatch(/no known kind/);
  });
});

describe("forced schemas", () => {
  it("a forced payload kind applies to the innermost payload after unwrapping", () => {
    const result = only(load("sqs-message-success.json"), { forced: { kind: "processing-result" } });
    expect(result.layers).toEqual(["sqs-message", "processing-result"]);
    expect(result.valid).toBe(false);
  });

  it("a forced wrapper kind applies to the outermost value", () => {
    const result = only(load("success-record.json"), { forced: { kind: "sqs-message" } });
    expect(result.layers[0]).toBe("sqs-message");
    expect(result.valid).toBe(false);
  });

  it("a user's validator is used for the payload", () => {
    const result = only(clone(load("success-record.json")), {
      forced: { name: "mine", validate: () => [{ path: "/x", message: "nope" }] },
    });
    expect(result).toMatchObject({ kind: "mine", valid: false, errors: [{ path: "/x", message: "nope" }] });
  });
});

describe("keys given twice inside a JSON string", () => {
  it('SNS\'s own spaced text in an SQS body: a key given twice there is still found (the cheap check counts `"key" :`)', () => {
    const message = load("sqs-message-success.json");
    const record = message.Body as string;
    const notification = (extra: string) =>
      `{\n  "Type" : "Notification",\n  "MessageId" : "9f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b",${extra}\n  "TopicArn" : "arn:aws:sns:eu-west-1:123456789012:order-results",\n  "Message" : ${JSON.stringify(record)},\n  "Timestamp" : "2025-11-14T18:19:12.100Z"\n}`;
    delete message.MD5OfBody;
    message.Body = notification("");
    const clean = only(message);
    expect(clean.layers).toEqual(["sqs-message", "sns-notification", "invocation-record"]);
    expect(clean.warnings).toEqual([]);
    message.Body = notification('\n  "Type" : "Notification",');
    const twice = only(message);
    expect(twice.warnings).toHaveLength(1);
    expect(twice.warnings[0]).toMatchObject({ path: "/Body", innerPath: "/Type" });
    expect(twice.warnings[0]!.message).toContain(
      'key "Type" is given twice in one object (line 4, column 3 of the string)',
    );
  });
});

/**
 * What replay sends for each value: the exact bytes of requestPayload (or a dead-letter body), the function
 * and qualifier, or why nothing is sent. Record shapes: Lambda developer guide, "Capturing records of Lambda
 * asynchronous invocations" (requestContext.functionArn/condition, requestPayload) and "Adding a
 * dead-letter queue" (the event as body, attributes RequestID, ErrorCode, ErrorMessage); Kinesis batch info:
 * "Lambda event source mappings: on-failure destinations" (shardId, startSequenceNumber, endSequenceNumber,
 * streamArn).
 */
import { describe, expect, it } from "vitest";
import { type PlanOptions, planValue } from "../../src/commands/replay-plan.js";
import { classifySource } from "../../src/commands/replay-source.js";

const ODD = '{ "z" : 1e400,"a":-0,  "n":{"b":1.50,"a":[ ]} }';
const record = (condition: string, payload = ODD) =>
  `{"version":"1.0","timestamp":"2025-11-14T18:16:05.568Z","requestContext":{"requestId":"req-1","functionArn":"arn:aws:lambda:eu-west-1:123456789012:function:orders:live","condition":"${condition}","approximateInvokeCount":1},"requestPayload":${payload},"responseContext":{"statusCode":200,"executedVersion":"3","functionError":"Unhandled"},"responsePayload":{"errorType":"Error","errorMessage":"x"}}`;
const origin = { label: "test" };
const plain: PlanOptions = { includeSuccess: false };

function plan(text: string, options = plain) {
  return planValue(JSON.parse(text), text, origin, options);
}

describe("planValue", () => {
  it("sends requestPayload byte for byte to the function and qualifier of functionArn", () => {
    const [item] = plan(record("RetriesExhausted"));
    expect(item).toMatchObject({
      kind: "failure-record",
      condition: "RetriesExhausted",
      originalRequestId: "req-1",
      functionName: "arn:aws:lambda:eu-west-1:123456789012:function:orders",
      qualifier: "live",
      payload: ODD,
    });
    expect(item!.skip).toBeUndefined();
  });

  it("--function and --qualifier replace the record's", () => {
    const [item] = plan(record("EventAgeExceeded"), { ...plain, functionName: "other", qualifier: "2" });
    expect(item).toMatchObject({ functionName: "other", qualifier: "2", payload: ODD });
  });

  it("skips Success records unless asked, and marks ZeroReservedConcurrency ones for a check", () => {
    expect(plan(record("Success"))[0]!.skip).toContain("--include-success");
    expect(plan(record("Success"), { includeSuccess: true })[0]!.skip).toBeUndefined();
    expect(plan(record("ZeroReservedConcurrency"))[0]!.needsConcurrency).toBe(true);
  });

  it("finds the record inside an SQS message and an SNS notification, bytes intact", () => {
    const sns = JSON.stringify({
      Type: "Notification",
      MessageId: "a",
      TopicArn: "arn:aws:sns:us-east-1:123456789012:t",
      Message: record("RetriesExhausted"),
      Timestamp: "2019-11-14T18:16:05.568Z",
      SignatureVersion: "1",
      Signature: "x",
      SigningCertURL: "https://x",
      UnsubscribeURL: "https://x",
    });
    const [item] = planValue({ MessageId: "m", ReceiptHandle: "r", Body: sns }, undefined, origin, plain);
    expect(item).toMatchObject({ kind: "failure-record", payload: ODD });
  });

  it("a tail --json line: the payload as the line holds it", () => {
    const line = `{"version":1,"receivedAt":"2025-11-14T18:16:06.000Z","source":"sqs:f","messageId":"m","layers":["sqs-message","invocation-record"],"kind":"invocation-record","valid":true,"summary":{"outcome":"failure","notes":[]},"payload":${record("RetriesExhausted", '{"b":2,"a":1}')},"errors":[],"warnings":[]}`;
    expect(plan(line)[0]).toMatchObject({ kind: "failure-record", payload: '{"b":2,"a":1}' });
  });

  it("a dead-letter message: its body, to --function only", () => {
    const message = {
      MessageId: "m",
      Body: '{"fail" : 1e400}',
      MessageAttributes: {
        RequestID: { DataType: "String", StringValue: "dlq-req" },
        ErrorCode: { DataType: "Number", StringValue: "200" },
        ErrorMessage: { DataType: "String", StringValue: "boom" },
      },
    };
    const [without] = planValue(message, undefined, origin, plain);
    expect(without).toMatchObject({ kind: "dead-letter", originalRequestId: "dlq-req" });
    expect(without!.skip).toContain("give --function");
    const [withFunction] = planValue(message, undefined, origin, { ...plain, functionName: "orders" });
    expect(withFunction).toMatchObject({ functionName: "orders", payload: '{"fail" : 1e400}' });
    expect(withFunction!.skip).toBeUndefined();
  });

  it("explains an event source mapping's failure record instead of replaying it", () => {
    const esm = {
      requestContext: {
        requestId: "r",
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:f",
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 1,
      },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      timestamp: "2019-11-14T00:13:49.717Z",
      KinesisBatchInfo: {
        shardId: "shardId-000000000001",
        startSequenceNumber: "4954",
        endSequenceNumber: "4955",
        approximateArrivalOfFirstRecord: "2019-11-14T00:12:54.215Z",
        approximateArrivalOfLastRecord: "2019-11-14T00:12:58.215Z",
        batchSize: 2,
        streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
      },
    };
    const [item] = plan(JSON.stringify(esm));
    expect(item!.kind).toBe("esm-failure");
    expect(item!.skip).toContain("shard shardId-000000000001, sequence numbers 4954 to 4955");
    expect(item!.skip).toContain("aws kinesis get-shard-iterator");
  });

  it("anything else is not replayed, saying what it is", () => {
    expect(plan('{"orderId":1}')[0]!.skip).toContain("nothing to replay");
  });
});

describe("classifySource", () => {
  it("tells queues, S3 prefixes and files apart", () => {
    expect(classifySource(["s3://bucket/aws/lambda/"], "/").type).toBe("bucket");
    expect(classifySource(["sqs:failures"], "/").type).toBe("queue");
    expect(classifySource(["https://sqs.eu-west-1.amazonaws.com/123456789012/f"], "/").type).toBe("queue");
    expect(classifySource(["arn:aws:sqs:eu-west-1:123456789012:f"], "/").type).toBe("queue");
    expect(classifySource(["failures"], "/nonexistent-dir").type).toBe("queue");
    expect(classifySource(["-"], "/").type).toBe("files");
    expect(classifySource(["a.json", "b.json"], "/").type).toBe("files");
    expect(() => classifySource(["arn:aws:sns:eu-west-1:123456789012:t"], "/")).toThrow(/cannot replay/);
  });
});

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { analyzeValue } from "../../../src/envelopes/analyze.js";
import { UsageError } from "../../../src/errors.js";
import { type GenerateOptions, generate, generateTexts } from "../../../src/generate/index.js";

const one = (kind: Parameters<typeof generateTexts>[0], options: GenerateOptions = {}) => {
  const [item] = [...generateTexts(kind, { seed: 7, ...options })];
  return item!;
};
const parse = (text: string): any => JSON.parse(text);
const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

describe("invocation records as Lambda writes them (Lambda developer guide, invocation-async-retain-records)", () => {
  it("keys in Lambda's order, a qualified ARN, ms-precision UTC timestamp, version 1.0", () => {
    const record = parse(one("invocation-record", { condition: "Success", function: "orders" }).text);
    expect(Object.keys(record)).toEqual([
      "version",
      "timestamp",
      "requestContext",
      "requestPayload",
      "responseContext",
      "responsePayload",
    ]);
    expect(Object.keys(record.requestContext)).toEqual([
      "requestId",
      "functionArn",
      "condition",
      "approximateInvokeCount",
    ]);
    expect(record.version).toBe("1.0");
    expect(record.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(record.requestContext.functionArn).toMatch(
      /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:orders:\$LATEST$/,
    );
    expect(record.requestContext.requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    // A Success record has no functionError key at all (absent, not null).
    expect(record.responseContext).toEqual({ statusCode: 200, executedVersion: "$LATEST" });
  });

  it("keeps the request's bytes (whitespace, number spelling) in the record and in every text layer", () => {
    const request = '{ "amount" : 1.10,\t"id": 12345678901234567890 }';
    const record = one("invocation-record", { requestJson: request, condition: "RetriesExhausted" }).text;
    expect(record).toContain(`"requestPayload":${request},"responseContext"`);
    const inQueue = one("invocation-record", { requestJson: request, wrap: ["sns", "sqs"] }).text;
    const notification = parse(inQueue).Body;
    expect(parse(notification).Message).toContain(`"requestPayload":${request},`);
  });

  it("the executed version is never an alias; an ARN sets region, account and qualifier", () => {
    const record = parse(
      one("invocation-record", {
        function: "arn:aws:lambda:eu-west-1:123456789012:function:orders:live",
        condition: "RetriesExhausted",
      }).text,
    );
    expect(record.requestContext.functionArn).toBe(
      "arn:aws:lambda:eu-west-1:123456789012:function:orders:live",
    );
    expect(record.responseContext.executedVersion).toMatch(/^\d+$/);
    const version = parse(one("invocation-record", { qualifier: "12", condition: "Success" }).text);
    expect(version.responseContext.executedVersion).toBe("12");
  });

  it("ZeroReservedConcurrency: attempts 0, no responseContext, no responsePayload", () => {
    const record = parse(one("invocation-record", { condition: "ZeroReservedConcurrency" }).text);
    expect(record.requestContext.approximateInvokeCount).toBe(0);
    expect(Object.keys(record)).toEqual(["version", "timestamp", "requestContext", "requestPayload"]);
  });

  // As each runtime reports an error on AWS: Node {errorType, errorMessage, trace}; Python 3.12+ {errorMessage, errorType, requestId,
  // stackTrace}; Java {errorMessage, errorType, stackTrace, cause?}; Go {errorMessage, errorType} and, for a
  // panic, stackTrace [{path, line, label}] (aws-lambda-go lambda/messages/messages.go: `json:"path"`,
  // `json:"line"`, `json:"label"`).
  it.each([
    ["nodejs", ["errorType", "errorMessage", "trace"]],
    ["python", ["errorMessage", "errorType", "requestId", "stackTrace"]],
    ["java", ["errorMessage", "errorType", "stackTrace"]],
    ["go", ["errorMessage", "errorType"]],
  ] as const)("%s: the runtime's error object, in its key order", (runtime, keys) => {
    for (let seed = 0; seed < 20; seed++) {
      const record = parse(
        one("invocation-record", {
          runtime,
          condition: "RetriesExhausted",
          error: "OrderError: order 7 failed",
          seed,
        }).text,
      );
      const error = record.responsePayload;
      expect(record.responseContext.functionError).toBe("Unhandled");
      expect(Object.keys(error).slice(0, keys.length)).toEqual(keys);
      expect(error.errorType).toBe("OrderError");
      expect(error.errorMessage).toBe("order 7 failed");
      if (runtime === "nodejs") expect(error.trace[0]).toBe("OrderError: order 7 failed");
      if (runtime === "nodejs")
        expect(error.trace[1]).toMatch(/^ {4}at \S+ \((file:\/\/)?\/var\/task\/\S+:\d+:\d+\)$/);
      if (runtime === "python") expect(error.requestId).toBe(record.requestContext.requestId);
      if (runtime === "python")
        expect(error.stackTrace[0]).toMatch(/^ {2}File "\/var\/task\/\w+\.py", line \d+, in \w+\n/);
      if (runtime === "java")
        expect(error.stackTrace[0]).toMatch(/^com\.example\.\w+\.Handler\.\w+\(Handler\.java:\d+\)$/);
      if (runtime === "go" && error.stackTrace) {
        for (const frame of error.stackTrace) expect(Object.keys(frame)).toEqual(["path", "line", "label"]);
      }
    }
  });

  it("without --runtime, failures include timeouts and crashes as Lambda reports them", () => {
    const errors = [
      ...generateTexts("invocation-record", { seed: 3, count: 300, condition: "RetriesExhausted" }),
    ].map((item) => parse(item.text).responsePayload);
    const timeout = errors.find((error) => error.errorType === "Sandbox.Timedout");
    expect(timeout.errorMessage).toMatch(
      /^RequestId: [0-9a-f-]{36} Error: Task timed out after \d+\.00 seconds$/,
    );
    const crash = errors.find((error) => !("errorType" in error));
    expect(crash).toEqual({
      errorMessage: expect.stringMatching(
        /^RequestId: [0-9a-f-]{36} Process exited before completing request$/,
      ),
    });
  });
});

describe("wrappers as SQS and SNS deliver them", () => {
  it("SNS to SQS: the Body is the notification as SNS writes it (two spaces, ' : '), no Subject", () => {
    // As SNS delivers it to a queue without raw delivery, e.g. '{\n  "Type" : "Notification",\n  "MessageId" : ...'.
    const message = parse(one("invocation-record", { wrap: ["sns", "sqs"] }).text);
    expect(message.Body).toMatch(/^\{\n {2}"Type" : "Notification",\n {2}"MessageId" : "/);
    const notification = parse(message.Body);
    expect(Object.keys(notification)).toEqual([
      "Type",
      "MessageId",
      "TopicArn",
      "Message",
      "Timestamp",
      "SignatureVersion",
      "Signature",
      "SigningCertURL",
      "UnsubscribeURL",
    ]);
    expect(message.MD5OfBody).toBe(md5(message.Body));
    expect(Buffer.from(notification.Signature, "base64")).toHaveLength(256);
  });

  it("the AWS CLI's receive-message output is indented by four spaces", () => {
    const text = one("processing-result", { wrap: ["sqs", "cli-receive"] }).text;
    expect(text).toMatch(/^\{\n {4}"Messages": \[\n {8}\{\n {12}"MessageId": "/);
  });

  it("EventBridge: detail keys sorted at every depth, time to the second, detail-type by outcome", () => {
    for (const condition of ["Success", "EventAgeExceeded"]) {
      const event = parse(one("invocation-record", { condition, wrap: ["eventbridge"] }).text);
      const sorted = (value: any): boolean =>
        typeof value !== "object" || value === null
          ? true
          : Array.isArray(value)
            ? value.every(sorted)
            : Object.keys(value).join() === Object.keys(value).sort().join() &&
              Object.values(value).every(sorted);
      expect(sorted(event.detail)).toBe(true);
      expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(event.source).toBe("lambda");
      expect(event["detail-type"]).toBe(
        `Lambda Function Invocation Result - ${condition === "Success" ? "Success" : "Failure"}`,
      );
      expect(event.resources[1]).toBe(event.detail.requestContext.functionArn);
    }
  });

  it("Lambda SNS event: SigningCertUrl/UnsubscribeUrl spelling, Subject null, MessageAttributes {}", () => {
    const event = parse(one("invocation-record", { wrap: ["lambda-sns-event"] }).text);
    const sns = event.Records[0].Sns;
    expect(sns.SigningCertUrl).toMatch(
      /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com\/SimpleNotificationService-[0-9a-f]{32}\.pem$/,
    );
    expect(sns.UnsubscribeUrl).toContain("?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:");
    expect(sns.Subject).toBeNull();
    expect(sns.MessageAttributes).toEqual({});
    expect(event.Records[0].EventSubscriptionArn.startsWith(sns.TopicArn)).toBe(true);
  });

  it("S3: on-failure only, the object is the record, keyed aws/lambda/async/<function>/YYYY/MM/DD/...", () => {
    // "aws/lambda/async/<function-name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>" (Lambda developer guide,
    // invocation-async-retain-records).
    const item = one("invocation-record", { function: "orders", wrap: ["s3"] });
    const record = parse(item.text);
    expect(record.requestContext.condition).not.toBe("Success");
    const day = record.timestamp.slice(0, 10).replace(/-/g, "/");
    expect(item.s3Key).toMatch(
      new RegExp(
        `^aws/lambda/async/orders/${day}/\\d{4}-\\d\\d-\\d\\dT\\d\\d\\.\\d\\d\\.\\d\\d-[0-9a-f-]{36}$`,
      ),
    );
    expect(() => one("invocation-record", { condition: "Success", wrap: ["s3"] })).toThrow(
      /failure records only/,
    );
  });
});

describe("event source mapping records as Lambda writes them", () => {
  it("Kinesis: the documented key order, decimal sequence numbers, ms arrival times, stream ARN", () => {
    // Lambda developer guide, kinesis-on-failure-destination: requestContext, responseContext, version, timestamp,
    // KinesisBatchInfo {shardId, startSequenceNumber, endSequenceNumber, approximateArrivalOfFirstRecord,
    // approximateArrivalOfLastRecord, batchSize, streamArn}.
    const record = parse(
      one("esm-failure-record", { source: "kinesis", condition: "RetryAttemptsExhausted" }).text,
    );
    expect(Object.keys(record)).toEqual([
      "requestContext",
      "responseContext",
      "version",
      "timestamp",
      "KinesisBatchInfo",
    ]);
    const info = record.KinesisBatchInfo;
    expect(Object.keys(info)).toEqual([
      "shardId",
      "startSequenceNumber",
      "endSequenceNumber",
      "approximateArrivalOfFirstRecord",
      "approximateArrivalOfLastRecord",
      "batchSize",
      "streamArn",
    ]);
    expect(BigInt(info.endSequenceNumber) >= BigInt(info.startSequenceNumber)).toBe(true);
    expect(info.approximateArrivalOfFirstRecord).toMatch(/\.\d{3}Z$/);
    expect(info.streamArn).toMatch(/^arn:aws:kinesis:[a-z0-9-]+:\d{12}:stream\/.+$/);
    expect(record.requestContext.functionArn).not.toMatch(/:\$LATEST$/);
  });

  it("DynamoDB: second-precision arrivals and a table/stream ARN; RecordAgeExceeded has no responseContext", () => {
    const record = parse(
      one("esm-failure-record", { source: "dynamodb", condition: "RecordAgeExceeded" }).text,
    );
    expect(record).not.toHaveProperty("responseContext");
    expect(record.DDBStreamBatchInfo.approximateArrivalOfFirstRecord).toMatch(/:\d\dZ$/);
    expect(record.DDBStreamBatchInfo.streamArn).toMatch(
      /^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/[^/]+\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/,
    );
  });

  it("Kafka: recordsInfo per topic-partition; MaximumPayloadSizeExceeded has a null responseContext", () => {
    const record = parse(one("esm-failure-record", { condition: "MaximumPayloadSizeExceeded" }).text);
    expect(record.responseContext).toBeNull();
    const [key, info] = Object.entries(record.KafkaBatchInfo.recordsInfo)[0] as [string, any];
    expect(key).toMatch(/^[a-z]+-\d$/);
    expect(Object.keys(info)).toEqual([
      "firstRecordOffset",
      "lastRecordOffset",
      "firstRecordTimestamp",
      "lastRecordTimestamp",
    ]);
    expect(record.KafkaBatchInfo.payloadSize).toBeGreaterThan(6 * 1024 * 1024);
    expect(() =>
      one("esm-failure-record", { source: "kinesis", condition: "MaximumPayloadSizeExceeded" }),
    ).toThrow(/only to Kafka/);
  });

  it("S3: payload is the whole original event as a JSON string; key aws/lambda/<ESM-UUID>/<shard>/...", () => {
    // "aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>" (Lambda developer guide).
    for (const source of ["kinesis", "dynamodb", "kafka"] as const) {
      const item = one("esm-failure-record", { source, wrap: ["s3"] });
      const record = parse(item.text);
      const event = parse(record.payload);
      if (source === "kafka") {
        expect(event.eventSource).toBe("aws:kafka");
        expect(Object.values(event.records).flat()).toHaveLength(record.KafkaBatchInfo.batchSize);
      } else {
        const info = record.KinesisBatchInfo ?? record.DDBStreamBatchInfo;
        expect(event.Records).toHaveLength(info.batchSize);
        const sequences = event.Records.map(
          (entry: any) => entry.kinesis?.sequenceNumber ?? entry.dynamodb.SequenceNumber,
        );
        expect([sequences[0], sequences[sequences.length - 1]]).toEqual([
          info.startSequenceNumber,
          info.endSequenceNumber,
        ]);
        expect(item.s3Key).toContain(`/${info.shardId}/`);
      }
      expect(item.s3Key).toMatch(
        /^aws\/lambda\/[0-9a-f-]{36}\/[^/]+\/\d{4}\/\d\d\/\d\d\/\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d-[0-9a-f-]{36}$/,
      );
    }
  });
});

describe("dead-letter messages and processing results", () => {
  it("a DLQ message: the event as body, RequestID/ErrorCode/ErrorMessage attributes, MD5s that match", () => {
    // Lambda developer guide (dlq): "RequestID String Unique request identifier; ErrorCode Number 3-digit HTTP
    // error code; ErrorMessage String Error message (truncated to 1 KB)".
    const request = '{"orderId": 7}';
    const message = parse(one("dlq-message", { requestJson: request, error: "Error: no stock" }).text);
    expect(message.Body).toBe(request);
    expect(message.MD5OfBody).toBe(md5(request));
    expect(message.MessageAttributes).toEqual({
      RequestID: { StringValue: expect.stringMatching(/^[0-9a-f-]{36}$/), DataType: "String" },
      ErrorCode: { StringValue: "200", DataType: "Number" },
      ErrorMessage: { StringValue: "no stock", DataType: "String" },
    });
    const [envelope] = analyzeValue(message);
    expect(envelope!.summary).toMatchObject({ outcome: "failure", errorMessage: "no stock" });
  });

  it("a DLQ message's ErrorMessage keeps the first 1 KB", () => {
    const message = parse(one("dlq-message", { error: "é".repeat(700) }).text);
    const kept = message.MessageAttributes.ErrorMessage.StringValue;
    expect(Buffer.byteLength(kept)).toBe(1024);
    expect(kept).toBe("é".repeat(512));
  });

  it("a processing result as the example publishes it: message_id, body, error?, status", () => {
    const failure = parse(one("processing-result", { status: "FAILURE" }).text);
    expect(Object.keys(failure)).toEqual(["message_id", "body", "error", "status"]);
    expect(failure.error).toBe(`Order could not be processed: the payload contains "error": ${failure.body}`);
    const success = parse(one("processing-result", { status: "SUCCESS" }).text);
    expect(Object.keys(success)).toEqual(["message_id", "body", "status"]);
  });
});

describe("bad options are refused with one line that says what to do", () => {
  it.each([
    ["invocation-record", { condition: "Sucess" }, /--condition "Sucess" is not one of: Success, /],
    [
      "invocation-record",
      { condition: "Success", error: "boom" },
      /only RetriesExhausted and EventAgeExceeded/,
    ],
    ["invocation-record", { attempts: 4 }, /--attempts takes a whole number from 0 to 3/],
    ["invocation-record", { attempts: 2, condition: "ZeroReservedConcurrency" }, /always has 0 attempts/],
    ["invocation-record", { requestJson: "{oops" }, /--request is not valid JSON/],
    ["invocation-record", { responseJson: "[1]", condition: "RetriesExhausted" }, /errorMessage string/],
    ["invocation-record", { function: "my function" }, /--function takes a function name/],
    [
      "invocation-record",
      { function: "arn:aws:lambda:eu-west-1:123456789012:function:f:live", qualifier: "7" },
      /contradicts/,
    ],
    [
      "invocation-record",
      { wrap: ["sqs", "sns"] },
      /--wrap sns: an SQS message is not published to SNS as is/,
    ],
    ["invocation-record", { wrap: ["sns", "eventbridge"] }, /--wrap eventbridge: .* comes first/],
    ["invocation-record", { wrap: ["cli-receive", "sqs"] }, /nothing goes around cli-receive/],
    ["invocation-record", { wrap: ["sqss" as never] }, /--wrap "sqss" is not one of: sqs, sns/],
    [
      "esm-failure-record",
      { wrap: ["eventbridge"] },
      /EventBridge destinations take invocation records only/,
    ],
    ["esm-failure-record", { requestJson: "{}" }, /--request does not apply to esm-failure-record/],
    ["dlq-message", { wrap: ["sns"] }, /read from its SQS queue/],
    ["processing-result", { runtime: "go" }, /--runtime does not apply to processing-result/],
    ["processing-result", { status: "SUCCESS", error: "x" }, /--error contradicts --status SUCCESS/],
    [
      "nonsense",
      {},
      /kind "nonsense" is not one of: invocation-record, esm-failure-record, dlq-message, processing-result/,
    ],
    ["invocation-record", { count: 0 }, /--count takes a whole number from 1 to 1000000/],
  ])("%s %j", (kind, options, message) => {
    expect(() => [...generateTexts(kind, options as GenerateOptions)]).toThrow(UsageError);
    expect(() => [...generateTexts(kind, options as GenerateOptions)]).toThrow(message);
  });

  it("a user's value is quoted with its control and bidi characters escaped", () => {
    let message = "";
    try {
      [...generateTexts("invocation-record", { function: "\u001b[2Jx\u202egnp.exe" })];
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('"\\u001b[2Jx\\u202egnp.exe"');
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
  });
});

describe("the library's generate()", () => {
  it("returns parsed values typed by kind and outermost wrapper", () => {
    const [record] = generate("invocation-record", { seed: 1, condition: "Success" });
    expect(record!.value.requestContext.condition).toBe("Success");
    const [event] = generate("invocation-record", { seed: 1, wrap: ["sns", "lambda-sqs-event"] });
    expect(event!.value.Records[0]!.eventSource).toBe("aws:sqs");
    expect(JSON.parse(event!.text)).toEqual(event!.value);
  });
});

import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../src/aws/batch-send.js";
import { formatBytes, planBatches, SNS_BATCH_LIMITS, SQS_BATCH_LIMITS } from "../../../src/aws/batches.js";
import { AwsClients, resolveClientSettings } from "../../../src/aws/clients.js";
import {
  parseFunctionReference,
  parseQueueReference,
  parseTailTarget,
  parseTopicReference,
} from "../../../src/aws/targets.js";
import { TAIL_QUEUE_PREFIX } from "../../../src/aws/temporary-resources.js";
import { temporaryQueueName, topicOnlyPolicy } from "../../../src/aws/topic-tap.js";
import { UsageError } from "../../../src/errors.js";
import { attributesSize, parseAttribute, parseAttributes } from "../../../src/input/attributes.js";
import { splitLines } from "../../../src/input/body.js";

const files: Record<string, Uint8Array> = { "blob.bin": new Uint8Array([1, 2, 3]) };
const readFile = (path: string) => {
  const bytes = files[path];
  if (!bytes) throw new Error("ENOENT: no such file");
  return bytes;
};

describe("parseAttribute", () => {
  it.each([
    ["source=cli", { name: "source", dataType: "String", stringValue: "cli" }],
    ["url=http://x:1/y", { name: "url", dataType: "String", stringValue: "http://x:1/y" }],
    ["note=String:a=b", { name: "note", dataType: "String", stringValue: "a=b" }],
    ["priority=Number:42", { name: "priority", dataType: "Number", stringValue: "42" }],
    ["ratio=Number:-1.5e3", { name: "ratio", dataType: "Number", stringValue: "-1.5e3" }],
    ["price=Number.float:9.99", { name: "price", dataType: "Number.float", stringValue: "9.99" }],
    ["blob=Binary:@blob.bin", { name: "blob", dataType: "Binary", binaryValue: new Uint8Array([1, 2, 3]) }],
    ["b64=Binary:AQID", { name: "b64", dataType: "Binary", binaryValue: Buffer.from([1, 2, 3]) }],
  ])("%s", (text, expected) => {
    expect(parseAttribute(text, readFile)).toEqual(expected);
  });

  it.each([
    ["novalue", /write name=value/],
    ["=x", /write name=value/],
    ["AWS.trace=x", /not a valid attribute name/],
    ["bad name=x", /not a valid attribute name/],
    ["n=Number:abc", /"abc" is not a number/],
    ["b=Binary:@missing.bin", /cannot read missing\.bin/],
    ["b=Binary:not base64!", /@file or base64/],
    ["empty=", /the value is empty/],
  ])("refuses %s", (text, message) => {
    expect(() => parseAttribute(text, readFile)).toThrow(message);
  });

  it("refuses duplicates and more than 10, and counts name, type and value bytes", () => {
    expect(() => parseAttributes(["a=1", "a=2"], readFile)).toThrow(/given twice/);
    expect(() =>
      parseAttributes(
        Array.from({ length: 11 }, (_, i) => `a${i}=x`),
        readFile,
      ),
    ).toThrow(/at most 10/);
    expect(
      attributesSize(parseAttributes(["ab=xyz", "n=Number:42", "blob=Binary:@blob.bin"], readFile)),
    ).toBe(2 + 6 + 3 + (1 + 6 + 2) + (4 + 6 + 3));
  });
});

describe("planBatches", () => {
  const sizes = (batches: number[][]) => batches.map((batch) => batch.length);
  it.each([
    ["11 small messages: 10 + 1", Array(11).fill(10), SQS_BATCH_LIMITS, [10, 1]],
    ["20 small messages: 10 + 10", Array(20).fill(10), SQS_BATCH_LIMITS, [10, 10]],
    ["3 x 400 KiB: 2 + 1 under 1 MiB", Array(3).fill(400 * 1024), SQS_BATCH_LIMITS, [2, 1]],
    ["exactly 1 MiB fits one batch", [524_288, 524_288], SQS_BATCH_LIMITS, [2]],
    ["1 byte over splits", [524_288, 524_289], SQS_BATCH_LIMITS, [1, 1]],
    ["SNS: 3 x 100 KiB by 256 KiB", Array(3).fill(100 * 1024), SNS_BATCH_LIMITS, [2, 1]],
    ["nothing", [], SQS_BATCH_LIMITS, []],
  ])("%s", (_name, items, limits, expected) => {
    const batches = planBatches(items as number[], (size) => size, limits);
    expect(sizes(batches)).toEqual(expected);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(limits.maxEntries);
      expect(batch.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(limits.maxBytes);
    }
    expect(batches.flat()).toEqual(items);
  });

  it("formats sizes with the exact byte count", () => {
    expect(formatBytes(12)).toBe("12 bytes");
    expect(formatBytes(409_600)).toBe("400 KiB (409600 bytes)");
    expect(formatBytes(1_048_577)).toBe("1.00 MiB (1048577 bytes)");
  });

  it("backs off exponentially, capped at 5 s", () => {
    expect(backoffDelay(1, () => 0)).toBe(100);
    expect(backoffDelay(1, () => 1)).toBe(200);
    expect(backoffDelay(10, () => 1)).toBe(5000);
  });
});

describe("splitLines", () => {
  it("keeps line numbers, drops blank lines and \\r", () => {
    expect(splitLines("a\r\n\n  \nb\nc")).toEqual([
      { line: 1, text: "a" },
      { line: 4, text: "b" },
      { line: 5, text: "c" },
    ]);
  });
});

describe("target resolution (parsing)", () => {
  it.each([
    ["orders", { type: "either", name: "orders" }],
    ["sqs:orders", { type: "queue", name: "orders" }],
    ["sns:orders", { type: "topic", name: "orders" }],
    ["orders.fifo", { type: "either", name: "orders.fifo" }],
    [
      "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
      {
        type: "queue",
        name: "orders",
        url: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
        accountId: "123456789012",
        region: "eu-west-1",
      },
    ],
    [
      "arn:aws:sqs:eu-west-1:123456789012:orders",
      {
        type: "queue",
        name: "orders",
        arn: "arn:aws:sqs:eu-west-1:123456789012:orders",
        region: "eu-west-1",
        accountId: "123456789012",
      },
    ],
    [
      "arn:aws:sns:eu-west-1:123456789012:events",
      {
        type: "topic",
        name: "events",
        arn: "arn:aws:sns:eu-west-1:123456789012:events",
        region: "eu-west-1",
        accountId: "123456789012",
      },
    ],
    ["function:fn", { type: "function", functionName: "fn", name: "fn", qualifier: undefined }],
    ["function:fn:live", { type: "function", functionName: "fn:live", name: "fn", qualifier: "live" }],
    [
      "arn:aws:lambda:eu-west-1:123456789012:function:fn:7",
      {
        type: "function",
        functionName: "arn:aws:lambda:eu-west-1:123456789012:function:fn:7",
        name: "fn",
        qualifier: "7",
      },
    ],
  ])("tail %s", (text, expected) => {
    expect(parseTailTarget(text)).toEqual(expected);
  });

  it.each([
    ["s3://records", { type: "bucket", bucket: "records", prefix: "" }],
    ["s3://records/", { type: "bucket", bucket: "records", prefix: "" }],
    [
      "s3://records/aws/lambda/async/fn/",
      { type: "bucket", bucket: "records", prefix: "aws/lambda/async/fn/" },
    ],
    ["arn:aws:s3:::records", { type: "bucket", bucket: "records", prefix: "" }],
  ])("tail %s (a bucket)", (text, expected) => {
    expect(parseTailTarget(text)).toEqual(expected);
  });

  it.each([
    ["arn:aws:dynamodb:us-east-1:123456789012:table/t", /cannot tail/],
    ["s3://Bad_Bucket", /does not name a bucket/],
    ["s3://ab", /does not name a bucket/],
    ["bad name!", /not a topic or queue name/],
    ["function:", /function is empty/],
  ])("refuses tail %s", (text, message) => {
    expect(() => parseTailTarget(text)).toThrow(message);
  });

  it("queue, topic and function parsers refuse the wrong kind of ARN", () => {
    expect(() => parseQueueReference("arn:aws:sns:us-east-1:1:t")).toThrow(/not an SQS queue ARN/);
    expect(() => parseTopicReference("arn:aws:sqs:us-east-1:1:q")).toThrow(/not an SNS topic ARN/);
    expect(() => parseTopicReference("arn:aws:sns:us-east-1:1:t:sub-id")).toThrow(/not an SNS topic ARN/);
    expect(() => parseFunctionReference("a:b:c")).toThrow(/not a function name/);
    expect(() => parseQueueReference("x".repeat(81))).toThrow(/up to 80 characters/);
  });
});

describe("temporary queues", () => {
  it("are named with the prefix, the topic and a random part, within 80 characters, .fifo for FIFO", () => {
    expect(temporaryQueueName("order-events", false, "abcd1234")).toBe(
      `${TAIL_QUEUE_PREFIX}order-events-abcd1234`,
    );
    expect(temporaryQueueName("orders.fifo", true, "abcd1234")).toBe(
      `${TAIL_QUEUE_PREFIX}orders-abcd1234.fifo`,
    );
    expect(temporaryQueueName("t".repeat(256), true, "abcd1234")).toHaveLength(80);
  });

  it("admit only the topic through aws:SourceArn", () => {
    expect(JSON.parse(topicOnlyPolicy("arn:aws:sqs:us-east-1:1:q", "arn:aws:sns:us-east-1:1:t"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "lambda-dest-tail",
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: "arn:aws:sqs:us-east-1:1:q",
          Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:1:t" } },
        },
      ],
    });
  });
});

describe("resolveClientSettings", () => {
  it.each([
    ["nothing: the SDK's default chain", "sqs", {}, {}, { maxAttempts: 4, requestTimeoutMs: 10_000 }],
    [
      "--local: the embedded stack's endpoint, region and test credentials",
      "sqs",
      { local: true },
      {},
      {
        endpoint: "http://127.0.0.1:4566",
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 4,
        requestTimeoutMs: 10_000,
      },
    ],
    [
      "flags win over --local",
      "sns",
      { local: true, endpointUrl: "http://127.0.0.1:9999", region: "eu-west-1", profile: "dev" },
      {},
      {
        endpoint: "http://127.0.0.1:9999",
        region: "eu-west-1",
        profile: "dev",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 4,
        requestTimeoutMs: 10_000,
      },
    ],
    [
      "AWS_ENDPOINT_URL_SQS before AWS_ENDPOINT_URL, passed explicitly",
      "sqs",
      {},
      { AWS_ENDPOINT_URL: "http://a", AWS_ENDPOINT_URL_SQS: "http://b", AWS_MAX_ATTEMPTS: "7" },
      { endpoint: "http://b", maxAttempts: 7, requestTimeoutMs: 10_000 },
    ],
    [
      "AWS_ENDPOINT_URL for the others",
      "lambda",
      {},
      { AWS_ENDPOINT_URL: "http://a", AWS_ENDPOINT_URL_SQS: "http://b" },
      { endpoint: "http://a", maxAttempts: 4, requestTimeoutMs: 10_000 },
    ],
    [
      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
      "sqs",
      {},
      { AWS_ENDPOINT_URL: "http://a", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" },
      { maxAttempts: 4, requestTimeoutMs: 10_000 },
    ],
    [
      "--endpoint-url wins over the environment",
      "sqs",
      { endpointUrl: "http://flag" },
      { AWS_ENDPOINT_URL_SQS: "http://b" },
      { endpoint: "http://flag", maxAttempts: 4, requestTimeoutMs: 10_000 },
    ],
    [
      "--request-timeout",
      "sqs",
      { requestTimeoutMs: 2_500 },
      {},
      { maxAttempts: 4, requestTimeoutMs: 2_500 },
    ],
  ] as const)("%s", (_name, service, aws, env, expected) => {
    expect(resolveClientSettings(service, aws, env)).toEqual(expected);
  });

  it("#8.18 an endpoint from the environment that is not an http(s) URL is a usage error naming the variable", () => {
    expect(() => resolveClientSettings("sqs", {}, { AWS_ENDPOINT_URL_SQS: "127.0.0.1:4566" })).toThrow(
      /^AWS_ENDPOINT_URL_SQS is "127\.0\.0\.1:4566": not a URL; set it to an http\(s\) URL/,
    );
    expect(() => resolveClientSettings("sqs", {}, { AWS_ENDPOINT_URL: "notaurl" })).toThrow(UsageError);
  });
});

describe("AwsClients.forResourceRegion", () => {
  it("uses the region an ARN names when it is not ours, and ours otherwise", async () => {
    const clients = new AwsClients({ region: "us-east-1" }, {});
    expect(await clients.forResourceRegion(undefined, "sqs")).toBe(clients);
    expect(await clients.forResourceRegion("us-east-1", "sqs")).toBe(clients);
    const regional = await clients.forResourceRegion("eu-west-1", "sns");
    expect(regional).not.toBe(clients);
    expect(regional.settings("sns").region).toBe("eu-west-1");
    expect(await clients.forResourceRegion("eu-west-1", "sqs")).toBe(regional);
    await clients.destroy();
  });
});

/**
 * The one ARN parser (src/arn.ts) and the local stack's stricter reading of it. ARN format, from the IAM
 * User Guide ("IAM identifiers", ARN format): arn:partition:service:region:account-id:resource, where the
 * resource may itself hold colons (a function's qualifier: function:NAME:QUALIFIER).
 */
import { describe, expect, it } from "vitest";
import { hasMaskedAccount, parseArn, parseFunctionArn } from "../../src/arn.js";
import { parseValidArn } from "../../src/local/arns.js";

describe("parseArn", () => {
  it("splits the five fields and keeps the colons of the resource", () => {
    expect(parseArn("arn:aws:lambda:eu-west-1:123456789012:function:orders:live")).toEqual({
      partition: "aws",
      service: "lambda",
      region: "eu-west-1",
      accountId: "123456789012",
      resource: "function:orders:live",
    });
    expect(parseArn("arn:aws:s3:::my-bucket")).toMatchObject({
      region: "",
      accountId: "",
      resource: "my-bucket",
    });
  });

  it.each([["not-an-arn"], ["arn:aws:sqs"], [42], [undefined], ["arn:aws:sqs:us-east-1:123456789012:"]])(
    "is undefined for %o",
    (text) => {
      expect(parseArn(text)).toBeUndefined();
    },
  );
});

describe("parseFunctionArn", () => {
  it("reads a function ARN with and without a qualifier", () => {
    expect(parseFunctionArn("arn:aws:lambda:us-east-2:123456789012:function:my-function:$LATEST")).toEqual({
      region: "us-east-2",
      account: "123456789012",
      functionName: "my-function",
      qualifier: "$LATEST",
    });
    expect(
      parseFunctionArn("arn:aws-cn:lambda:cn-north-1:123456789012:function:f")?.qualifier,
    ).toBeUndefined();
  });

  it("refuses other services and other Lambda resources", () => {
    expect(parseFunctionArn("arn:aws:sqs:us-east-1:123456789012:function:f")).toBeUndefined();
    expect(parseFunctionArn("arn:aws:lambda:us-east-1:123456789012:layer:l:1")).toBeUndefined();
    expect(parseFunctionArn("arn:aws:lambda:us-east-1:123456789012:function:f:1:extra")).toBeUndefined();
  });
});

describe("hasMaskedAccount", () => {
  it.each([
    ["arn:aws:lambda:us-east-1:XXXXXXXXXXXX:function:f", true],
    ["arn:aws:lambda:us-east-1:<account>:function:f", true],
    ["arn:aws:lambda:us-east-1:123456789012:function:f", false],
    ["arn:aws:s3:::bucket", false],
  ])("%s: %s", (arn, masked) => {
    expect(hasMaskedAccount(arn)).toBe(masked);
  });
});

describe("parseValidArn (the local stack)", () => {
  it("takes what AWS takes in a request", () => {
    expect(parseValidArn("arn:aws:sqs:us-east-1:000000000000:orders")?.resource).toBe("orders");
    expect(parseValidArn("arn:aws:s3:::bucket")?.resource).toBe("bucket");
  });

  it.each([
    ["arn:aws:sqs:us-east-1:XXXXXXXXXXXX:orders"],
    ["arn:AWS:sqs:us-east-1:000000000000:orders"],
    ["arn:aws:SQS:us-east-1:000000000000:orders"],
    ["arn:aws:sqs:US_EAST:000000000000:orders"],
  ])("refuses %s", (arn) => {
    expect(parseValidArn(arn)).toBeUndefined();
  });
});

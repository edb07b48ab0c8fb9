import {
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListFunctionsCommand,
  PreconditionFailedException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { zipDirectory } from "../../../src/local/zip-directory.js";
import { type Clients, clientsFor, destroyClients } from "./helpers.js";

// Expected shapes are AWS's recorded responses: LocalStack's AWS-validated
// tests/aws/services/lambda_/test_lambda_api.snapshot.json, test_function_lifecycle ("create_response",
// "get_function_response", "update_func_conf_response", "update_code_response") and
// test_lambda_zip_file_to_image ("create-image-response": no Environment member when none was given).

let stack: LocalStack;
let clients: Clients;
let zip: Uint8Array;
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const ROLE = "arn:aws:iam::000000000000:role/lambda-role";

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
  zip = await zipDirectory("test/fixtures/functions/node-esm");
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

describe("function configuration as AWS returns it", () => {
  it("CreateFunction: Pending with its reason, every member AWS returns, no Environment when none given", async () => {
    const created = await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "fid-config",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: ROLE,
        Code: { ZipFile: zip },
      }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      FunctionName: "fid-config",
      FunctionArn: `${ARN}:fid-config`,
      Version: "$LATEST",
      State: "Pending",
      StateReason: "The function is being created.",
      StateReasonCode: "Creating",
      PackageType: "Zip",
      Architectures: ["x86_64"],
      EphemeralStorage: { Size: 512 },
      SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
      TracingConfig: { Mode: "PassThrough" },
      LoggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/fid-config" },
      Description: "",
      Timeout: 3,
      MemorySize: 128,
    });
    expect(created.RuntimeVersionConfig?.RuntimeVersionArn).toMatch(
      /^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/,
    );
    expect(created.LastUpdateStatus).toBeUndefined();
    expect(created.Environment).toBeUndefined();
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    const got = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "fid-config" }),
    );
    expect(got).toMatchObject({ State: "Active", LastUpdateStatus: "Successful" });
    // The RevisionId moves once more when the function becomes Active ("create_response" <uuid:1>,
    // "get_function_response" <uuid:2> in test_function_lifecycle).
    expect(got.RevisionId).not.toBe(created.RevisionId);
    expect(got.StateReason).toBeUndefined();
    expect(got.Environment).toBeUndefined();
  });

  it("updates answer InProgress, then Successful; RevisionId changes on every update", async () => {
    const before = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "fid-config" }),
    );
    const updated = await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "fid-config",
        Description: "Changed-Description",
        Environment: { Variables: { ENV_A: "a" } },
        Timeout: 10,
      }),
    );
    expect(updated).toMatchObject({
      State: "Active",
      LastUpdateStatus: "InProgress",
      LastUpdateStatusReason: "The function is being created.",
      LastUpdateStatusReasonCode: "Creating",
      Description: "Changed-Description",
      Environment: { Variables: { ENV_A: "a" } },
      Timeout: 10,
    });
    expect(updated.RevisionId).not.toBe(before.RevisionId);
    const settled = await clients.lambda.send(new GetFunctionCommand({ FunctionName: "fid-config" }));
    expect(settled.Configuration?.LastUpdateStatus).toBe("Successful");
    // And again when the update completes ("update_func_conf_response" <uuid:3>, then <uuid:4>).
    expect(settled.Configuration?.RevisionId).not.toBe(updated.RevisionId);

    const code = await clients.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: "fid-config", ZipFile: zip }),
    );
    expect(code.LastUpdateStatus).toBe("InProgress");
    expect(code.RevisionId).not.toBe(updated.RevisionId);

    // A stale RevisionId: PreconditionFailedException, 412 (test_lambda_api snapshot, PreconditionFailed cases).
    const stale = await clients.lambda
      .send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "fid-config",
          RevisionId: before.RevisionId,
          Timeout: 5,
        }),
      )
      .catch((error) => error);
    expect(stale).toBeInstanceOf(PreconditionFailedException);
    expect(stale.$metadata.httpStatusCode).toBe(412);
    expect(stale.message).toBe(
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    );
  });

  it("Qualifier=$LATEST answers the qualified ARN", async () => {
    const got = await clients.lambda.send(
      new GetFunctionCommand({ FunctionName: "fid-config", Qualifier: "$LATEST" }),
    );
    expect(got.Configuration?.FunctionArn).toBe(`${ARN}:fid-config:$LATEST`);
    expect(got.Configuration?.Version).toBe("$LATEST");
    const config = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: `${ARN}:fid-config:$LATEST` }),
    );
    expect(config.FunctionArn).toBe(`${ARN}:fid-config:$LATEST`);
  });

  it("ListFunctions leaves out the status members, as AWS's lists do", async () => {
    const listed = await clients.lambda.send(new ListFunctionsCommand({}));
    const fn = listed.Functions?.find((item) => item.FunctionName === "fid-config");
    expect(fn).toMatchObject({ FunctionArn: `${ARN}:fid-config`, LoggingConfig: { LogFormat: "Text" } });
    expect(fn?.State).toBeUndefined();
    expect(fn?.LastUpdateStatus).toBeUndefined();
  });

  it("architectures and DeadLetterConfig are stored and returned", async () => {
    const created = await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "fid-arm",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: ROLE,
        Code: { ZipFile: zip },
        Architectures: ["arm64"],
        DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:000000000000:fid-dlq" },
      }),
    );
    expect(created.Architectures).toEqual(["arm64"]);
    // test_lambda_destinations snapshot, test_dead_letter_queue "create_lambda_with_dlq".
    expect(created.DeadLetterConfig).toEqual({ TargetArn: "arn:aws:sqs:us-east-1:000000000000:fid-dlq" });
    const changed = await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "fid-arm",
        DeadLetterConfig: { TargetArn: "arn:aws:sns:us-east-1:000000000000:fid-dlq-topic" },
      }),
    );
    expect(changed.DeadLetterConfig?.TargetArn).toBe("arn:aws:sns:us-east-1:000000000000:fid-dlq-topic");
    const got = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fid-arm" }));
    expect(got.DeadLetterConfig?.TargetArn).toBe("arn:aws:sns:us-east-1:000000000000:fid-dlq-topic");
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "fid-arm",
        DeadLetterConfig: { TargetArn: "" },
      }),
    );
    const cleared = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "fid-arm" }),
    );
    expect(cleared.DeadLetterConfig).toBeUndefined();
  });
});

describe("routes the Lambda service does not know", () => {
  it("answer as AWS's Lambda answers an unknown operation, never from the S3 emulator", async () => {
    for (const [method, path] of [
      ["GET", "/2015-03-31/functions/fid-config/policy"],
      ["POST", "/2015-03-31/functions/fid-config/policy"],
      ["GET", "/2015-03-31/functions/fid-config/nothing/here"],
      ["PUT", "/2021-10-31/functions/fid-config/url"],
      ["GET", "/2015-03-31/layers"],
      ["GET", "/2015-03-31"],
      ["POST", "/2019-09-25"],
    ] as const) {
      const response = await fetch(`${stack.endpoint}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
      expect(await response.text()).not.toMatch(/<Error>|NoSuchBucket|ListBucketResult/);
    }
    // The SDK gets no 200 either: it fails on the unknown-operation answer as it would against AWS.
    const unknown = new LambdaClient({
      endpoint: stack.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const { GetPolicyCommand } = await import("@aws-sdk/client-lambda");
    await expect(unknown.send(new GetPolicyCommand({ FunctionName: "fid-config" }))).rejects.toBeInstanceOf(
      Error,
    );
    unknown.destroy();
  });
});

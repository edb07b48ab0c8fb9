import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  InvalidParameterValueException,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaServiceException,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionsCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { zipDirectory } from "../../../src/local/zip-directory.js";
import { type Clients, clientsFor, deployFixture, destroyClients } from "./helpers.js";

let stack: LocalStack;
let clients: Clients;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, retryDelayScale: 0.001 });
  clients = clientsFor(stack);
  await deployFixture(clients, "api-node", "node-esm");
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

async function invokeSync(functionName: string, payload: string, logType?: "Tail") {
  const response = await clients.lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(payload), LogType: logType }),
  );
  return { ...response, text: Buffer.from(response.Payload ?? new Uint8Array()).toString("utf8") };
}

describe("functions", () => {
  it("gets, lists, updates and deletes a function", async () => {
    const got = await clients.lambda.send(new GetFunctionCommand({ FunctionName: "api-node" }));
    expect(got.Configuration).toMatchObject({
      FunctionName: "api-node",
      FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:api-node",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Version: "$LATEST",
      State: "Active",
    });
    const listed = await clients.lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((fn) => fn.FunctionName)).toContain("api-node");

    await deployFixture(clients, "api-swap", "node-esm");
    expect((await invokeSync("api-swap", "{}")).text).toContain('"ok":true');
    await clients.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: "api-swap",
        ZipFile: await zipDirectory("test/fixtures/functions/node-batch"),
      }),
    );
    // The warm environment ran the old code; the update must retire it.
    expect((await invokeSync("api-swap", '{"Records":[]}')).text).toBe('{"batchItemFailures":[]}');
    await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: "api-swap" }));
    await expect(
      clients.lambda.send(new GetFunctionCommand({ FunctionName: "api-swap" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("RequestResponse answers with the result, X-Amz-Executed-Version and a log tail", async () => {
    const response = await invokeSync("api-node", '{"x":1}', "Tail");
    expect(response.StatusCode).toBe(200);
    expect(response.ExecutedVersion).toBe("$LATEST");
    expect(response.FunctionError).toBeUndefined();
    expect(JSON.parse(response.text)).toMatchObject({ ok: true, echo: { x: 1 } });
    const log = Buffer.from(response.LogResult!, "base64").toString("utf8");
    const requestId = response.$metadata.requestId;
    expect(log).toContain(`START RequestId: ${requestId} Version: $LATEST`);
    expect(log).toMatch(new RegExp(`\\t${requestId}\\tINFO\\tevent \\{"x":1\\}`));
    expect(log).toContain(`END RequestId: ${requestId}`);
    expect(log).toContain(`REPORT RequestId: ${requestId}\tDuration: `);
  });

  it("a handler error sets X-Amz-Function-Error: Unhandled", async () => {
    const response = await invokeSync("api-node", '{"fail":"sync"}');
    expect(response.FunctionError).toBe("Unhandled");
    expect(JSON.parse(response.text)).toMatchObject({
      errorType: "OrderError",
      errorMessage: "failing on purpose: sync",
    });
  });

  it("DryRun answers 204 and runs nothing", async () => {
    const response = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "api-node", InvocationType: "DryRun" }),
    );
    expect(response.StatusCode).toBe(204);
  });

  it("runs CommonJS callback handlers", async () => {
    await deployFixture(clients, "api-cjs", "node-cjs-callback");
    const ok = await invokeSync("api-cjs", "{}");
    expect(JSON.parse(ok.text)).toEqual({ style: "callback", functionName: "api-cjs" });
    const failed = await invokeSync("api-cjs", '{"fail":"cb"}');
    expect(failed.FunctionError).toBe("Unhandled");
    expect(JSON.parse(failed.text)).toMatchObject({
      errorType: "TypeError",
      errorMessage: "callback failure: cb",
    });
  });

  it("reports init errors the way the real runtimes do", async () => {
    await deployFixture(clients, "api-missing", "node-esm", { handler: "missing.handler" });
    const missing = JSON.parse((await invokeSync("api-missing", "{}")).text);
    expect(missing.errorType).toBe("Runtime.ImportModuleError");
    expect(missing.errorMessage).toMatch(/^Error: Cannot find module 'missing'/);

    await deployFixture(clients, "api-syntax", "node-syntax-error");
    const syntax = await invokeSync("api-syntax", "{}");
    expect(syntax.FunctionError).toBe("Unhandled");
    expect(JSON.parse(syntax.text)).toMatchObject({ errorType: "Runtime.UserCodeSyntaxError" });
    expect(JSON.parse(syntax.text).errorMessage).toMatch(/^SyntaxError: /);

    await deployFixture(clients, "api-no-export", "node-esm", { handler: "index.nothing" });
    expect(JSON.parse((await invokeSync("api-no-export", "{}")).text)).toMatchObject({
      errorType: "Runtime.HandlerNotFound",
      errorMessage: "index.nothing is undefined or not exported",
    });

    await deployFixture(clients, "api-py-import", "python-import-error", {
      runtime: "python3.11",
      handler: "app.handler",
    });
    const pyImport = await invokeSync("api-py-import", "{}");
    expect(pyImport.FunctionError).toBe("Unhandled");
    expect(JSON.parse(pyImport.text)).toEqual({
      errorMessage: "Unable to import module 'app': No module named 'module_that_does_not_exist'",
      errorType: "Runtime.ImportModuleError",
      stackTrace: [],
    });
  });

  it("python3.11 error objects have no requestId", async () => {
    await deployFixture(clients, "api-py311", "python-app", {
      runtime: "python3.11",
      handler: "app.handler",
    });
    const failed = JSON.parse((await invokeSync("api-py311", '{"fail":"old"}')).text);
    expect(Object.keys(failed)).toEqual(["errorMessage", "errorType", "stackTrace"]);
  });
});

describe("bad requests get AWS's error classes", () => {
  it("unknown function: ResourceNotFoundException", async () => {
    const error = await clients.lambda
      .send(new InvokeCommand({ FunctionName: "does-not-exist", Payload: Buffer.from("{}") }))
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    // Invoke names the version it looked for, $LATEST by default (AWS's answer, LocalStack's AWS-validated
    // test_lambda_api snapshots; lambda-fidelity-errors.test.ts checks the rest of the error's shape).
    expect(error.message).toBe(
      "Function not found: arn:aws:lambda:us-east-1:000000000000:function:does-not-exist:$LATEST",
    );
    expect(error.$metadata.httpStatusCode).toBe(404);
    await expect(
      clients.lambda.send(
        new InvokeCommand({ FunctionName: "api-node", Qualifier: "7", Payload: Buffer.from("{}") }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("a payload that is not JSON: InvalidRequestContentException", async () => {
    await expect(
      clients.lambda.send(new InvokeCommand({ FunctionName: "api-node", Payload: Buffer.from("{nope") })),
    ).rejects.toBeInstanceOf(InvalidRequestContentException);
  });

  it("a broken zip: InvalidParameterValueException", async () => {
    const error = await clients.lambda
      .send(
        new CreateFunctionCommand({
          FunctionName: "broken-zip",
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Role: "arn:aws:iam::000000000000:role/lambda-role",
          Code: { ZipFile: Buffer.from("this is not a zip file") },
        }),
      )
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toContain("Could not unzip uploaded file");
  });

  it("a second function of the same name: ResourceConflictException", async () => {
    await expect(deployFixture(clients, "api-node", "node-esm")).rejects.toBeInstanceOf(
      ResourceConflictException,
    );
  });

  it("out-of-range event invoke config values: ValidationException", async () => {
    for (const input of [
      { MaximumRetryAttempts: 3 },
      { MaximumEventAgeInSeconds: 59 },
      { MaximumEventAgeInSeconds: 21_601 },
    ]) {
      const error = await clients.lambda
        .send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "api-node", ...input }))
        .catch((caught) => caught);
      expect(error).toBeInstanceOf(LambdaServiceException);
      expect(error.name).toBe("ValidationException");
      expect(error.message).toMatch(/^1 validation error detected: Value '\d+' at 'maximum/);
    }
  });

  it("S3-on-success and non-destination ARNs: InvalidParameterValueException; FIFO accepted as on AWS", async () => {
    // AWS accepts a FIFO queue or topic and then fails every delivery (Lambda developer guide, "Capturing
    // records of Lambda asynchronous invocations": DestinationDeliveryFailures for SQS and SNS FIFO destinations).
    for (const destination of [
      { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:orders.fifo" } },
      { OnSuccess: { Destination: "arn:aws:sns:us-east-1:000000000000:topic.fifo" } },
    ]) {
      const accepted = await clients.lambda.send(
        new PutFunctionEventInvokeConfigCommand({ FunctionName: "api-node", DestinationConfig: destination }),
      );
      expect(accepted.DestinationConfig).toMatchObject(destination);
    }
    await clients.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "api-node" }));
    for (const destination of [
      { OnSuccess: { Destination: "arn:aws:s3:::bucket" } },
      { OnFailure: { Destination: "arn:aws:dynamodb:us-east-1:000000000000:table/t" } },
    ]) {
      await expect(
        clients.lambda.send(
          new PutFunctionEventInvokeConfigCommand({
            FunctionName: "api-node",
            DestinationConfig: destination,
          }),
        ),
      ).rejects.toBeInstanceOf(InvalidParameterValueException);
    }
  });
});

describe("event invoke config", () => {
  it("PUT replaces, POST merges, GET reads back unset destinations as {}, DELETE removes", async () => {
    const queueArn = "arn:aws:sqs:us-east-1:000000000000:somewhere";
    const put = await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "api-node",
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnSuccess: { Destination: queueArn } },
      }),
    );
    expect(put.FunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:api-node:$LATEST");
    expect(put.DestinationConfig).toEqual({ OnSuccess: { Destination: queueArn }, OnFailure: {} });
    expect(put.LastModified).toBeInstanceOf(Date);

    const merged = await clients.lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "api-node", MaximumEventAgeInSeconds: 120 }),
    );
    expect(merged).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 120 });
    expect(merged.DestinationConfig?.OnSuccess?.Destination).toBe(queueArn);

    const replaced = await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "api-node", MaximumRetryAttempts: 0 }),
    );
    expect(replaced.MaximumEventAgeInSeconds).toBeUndefined();
    expect(replaced.DestinationConfig).toEqual({ OnSuccess: {}, OnFailure: {} });

    const listed = await clients.lambda.send(
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: "api-node" }),
    );
    expect(listed.FunctionEventInvokeConfigs).toHaveLength(1);
    await clients.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "api-node" }));
    await expect(
      clients.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "api-node" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

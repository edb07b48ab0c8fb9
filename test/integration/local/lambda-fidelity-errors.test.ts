import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ListFunctionEventInvokeConfigsCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceNotFoundException,
  UpdateFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { zipDirectory } from "../../../src/local/zip-directory.js";
import { type Clients, clientsFor, deployFixture, destroyClients } from "./helpers.js";

// Expected values come from responses recorded on AWS: LocalStack's AWS-validated snapshots
// tests/aws/services/lambda_/test_lambda_api.snapshot.json (cited below as "test_lambda_api snapshot"), and the
// Lambda API reference (Errors sections, and the SDK model the AWS SDK for JavaScript v3 is generated from).

let stack: LocalStack;
let clients: Clients;
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
  await deployFixture(clients, "fid-err", "node-esm");
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

function caught<T>(promise: Promise<T>): Promise<Record<string, unknown> & Error> {
  return promise.then(
    () => {
      throw new Error("the call succeeded");
    },
    (error: Record<string, unknown> & Error) => error,
  );
}

/** The raw answer, to see the wire members the SDK reads. */
async function raw(method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.endpoint}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get("x-amzn-errortype"),
    text: await response.text(),
  };
}

describe("error bodies carry the message member AWS's model gives each exception", () => {
  it("ResourceNotFoundException: Type and Message (capital M) on the wire; the SDK reads it", async () => {
    // test_lambda_api snapshot, test_function_lifecycle "delete_postdelete": {"Message": "Function not found:
    // arn:…:function:NAME", "Type": "User"}, HTTP 404.
    const answer = await raw("GET", "/2015-03-31/functions/nope/configuration");
    expect(answer.status).toBe(404);
    expect(answer.type).toBe("ResourceNotFoundException");
    expect(JSON.parse(answer.text)).toEqual({ Type: "User", Message: `Function not found: ${ARN}:nope` });
    const error = await caught(clients.lambda.send(new GetFunctionCommand({ FunctionName: "nope" })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    // SDK v3 (3.1164) moves the model's Message member to the exception's `message` property.
    expect(error.Type).toBe("User");
    expect(error.message).toBe(`Function not found: ${ARN}:nope`);
  });

  it("InvalidParameterValueException keeps the lowercase message, as AWS sends it", async () => {
    // test_lambda_api snapshot, test_lambda_zip_file_to_image "zipfile-to-image-error":
    // {"Type": "User", "message": "…"} for InvalidParameterValueException.
    const answer = await raw("PUT", "/2019-09-25/functions/fid-err/event-invoke-config", {});
    expect(answer.status).toBe(400);
    expect(answer.type).toBe("InvalidParameterValueException");
    expect(JSON.parse(answer.text)).toEqual({
      Type: "User",
      message: "You must specify at least one of error handling or destination setting.",
    });
  });

  it("Invoke's not-found ARN names $LATEST", async () => {
    // LocalStack's Invoke resolves to the qualified $LATEST version and AWS's recorded invoke errors name it.
    const error = await caught(
      clients.lambda.send(new InvokeCommand({ FunctionName: "nope", Payload: Buffer.from("{}") })),
    );
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe(`Function not found: ${ARN}:nope:$LATEST`);
  });
});

describe("event invoke config errors, in AWS's order and words", () => {
  it("Put with no settings: InvalidParameterValueException even for a missing function", async () => {
    // test_lambda_api snapshot (TestLambdaEventInvokeConfig exceptions): "You must specify at least one of
    // error handling or destination setting." comes before the function is looked up.
    const error = await caught(
      clients.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "nope" })),
    );
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toBe("You must specify at least one of error handling or destination setting.");
  });

  it('Put and Update on a missing function or version: "The function doesn\'t exist."', async () => {
    for (const input of [
      { FunctionName: "nope", MaximumRetryAttempts: 1 },
      { FunctionName: "fid-err", Qualifier: "9", MaximumRetryAttempts: 1 },
      { FunctionName: "fid-err", Qualifier: "no-alias", MaximumRetryAttempts: 1 },
    ]) {
      const put = await caught(clients.lambda.send(new PutFunctionEventInvokeConfigCommand(input)));
      expect(put).toBeInstanceOf(ResourceNotFoundException);
      expect(put.message).toBe("The function doesn't exist.");
      const update = await caught(clients.lambda.send(new UpdateFunctionEventInvokeConfigCommand(input)));
      expect(update.message).toBe("The function doesn't exist.");
    }
    const list = await caught(
      clients.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "nope" })),
    );
    expect(list.message).toBe("The function doesn't exist.");
  });

  it("Update without a configuration is not found (not 200); Get and Delete say which ARN has none", async () => {
    // test_lambda_api snapshot, "get_invokeconfig_postpublish": "The function arn:…:NAME:1 doesn't have an
    // EventInvokeConfig", 404.
    const update = await caught(
      clients.lambda.send(
        new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "fid-err", MaximumRetryAttempts: 1 }),
      ),
    );
    expect(update).toBeInstanceOf(ResourceNotFoundException);
    expect(update.message).toBe(`The function ${ARN}:fid-err:$LATEST doesn't have an EventInvokeConfig`);
    const get = await caught(
      clients.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "nope" })),
    );
    expect(get.message).toBe(`The function ${ARN}:nope:$LATEST doesn't have an EventInvokeConfig`);
    const remove = await caught(
      clients.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "fid-err" })),
    );
    expect(remove.message).toBe(`The function ${ARN}:fid-err:$LATEST doesn't have an EventInvokeConfig`);
  });

  it("a Lambda destination that does not exist, or is the function itself, is refused", async () => {
    // AWS's answers as LocalStack reproduces them from its AWS-validated destination-config tests.
    const missing = `${ARN}:no-such-function`;
    const error = await caught(
      clients.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: "fid-err",
          DestinationConfig: { OnFailure: { Destination: missing } },
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toBe(`The destination ARN ${missing} is invalid.`);
    const self = await caught(
      clients.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: "fid-err",
          DestinationConfig: { OnSuccess: { Destination: `${ARN}:fid-err` } },
        }),
      ),
    );
    expect(self.message).toBe("You can't specify the function as a destination for itself.");
  });

  it("a destination ARN outside the pattern: ValidationException quoting AWS's pattern", async () => {
    const error = await caught(
      clients.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: "fid-err",
          DestinationConfig: {
            OnFailure: { Destination: "arn:aws:_-/!lambda:us-east-1:000000000000:function:x" },
          },
        }),
      ),
    );
    expect(error.name).toBe("ValidationException");
    expect(error.message).toBe(
      "1 validation error detected: Value 'arn:aws:_-/!lambda:us-east-1:000000000000:function:x' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)",
    );
  });
});

describe("request validation", () => {
  it("an invalid qualifier is a ValidationException quoting the qualifier pattern, not not-found", async () => {
    // AWS: "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)" at 'qualifier'.
    const error = await caught(
      clients.lambda.send(new GetFunctionCommand({ FunctionName: "fid-err", Qualifier: "a:b!" })),
    );
    expect(error.name).toBe("ValidationException");
    expect(error.message).toBe(
      "1 validation error detected: Value 'a:b!' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
    );
  });

  it("an invalid function name quotes AWS's FunctionName pattern", async () => {
    const error = await caught(clients.lambda.send(new GetFunctionCommand({ FunctionName: "bad name!" })));
    expect(error.name).toBe("ValidationException");
    expect(error.message).toBe(
      "1 validation error detected: Value 'bad name!' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
    );
  });

  it("a role like r1 and an unknown architecture are refused with AWS's messages", async () => {
    const zip = await zipDirectory("test/fixtures/functions/node-esm");
    const base = {
      FunctionName: "fid-refused",
      Runtime: "nodejs20.x" as const,
      Handler: "index.handler",
      Code: { ZipFile: zip },
    };
    const role = await caught(clients.lambda.send(new CreateFunctionCommand({ ...base, Role: "r1" })));
    expect(role.name).toBe("ValidationException");
    expect(role.message).toBe(
      "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
    );
    const architecture = await caught(
      clients.lambda.send(
        new CreateFunctionCommand({
          ...base,
          Role: "arn:aws:iam::000000000000:role/lambda-role",
          Architectures: ["mips" as "x86_64"],
        }),
      ),
    );
    expect(architecture.name).toBe("ValidationException");
    expect(architecture.message).toBe(
      "1 validation error detected: Value '[mips]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]",
    );
    const two = await caught(
      clients.lambda.send(
        new CreateFunctionCommand({
          ...base,
          Role: "arn:aws:iam::000000000000:role/lambda-role",
          Architectures: ["x86_64", "arm64"],
        }),
      ),
    );
    expect(two.message).toBe(
      "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1",
    );
  });

  it("another region's ARN is not reachable; a matching ARN qualifier is looked up as such", async () => {
    // test_lambda_api snapshot, test_get_function_wrong_region and test_ops_with_arn_qualifier_mismatch.
    const wrong = await caught(
      clients.lambda.send(
        new GetFunctionCommand({ FunctionName: "arn:aws:lambda:eu-west-1:000000000000:function:fid-err" }),
      ),
    );
    expect(wrong).toBeInstanceOf(ResourceNotFoundException);
    expect(wrong.message).toBe("Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");
    const mismatch = await caught(
      clients.lambda.send(
        new GetFunctionCommand({ FunctionName: `${ARN}:some-function:$LATEST`, Qualifier: "1" }),
      ),
    );
    expect(mismatch).toBeInstanceOf(InvalidParameterValueException);
    expect(mismatch.message).toBe(
      "The derived qualifier from the function name does not match the specified qualifier.",
    );
    const match = await caught(
      clients.lambda.send(
        new GetFunctionCommand({ FunctionName: `${ARN}:some-function:$LATEST`, Qualifier: "$LATEST" }),
      ),
    );
    expect(match.message).toBe(`Function not found: ${ARN}:some-function:$LATEST`);
    const deleteLatest = await caught(
      clients.lambda.send(new DeleteFunctionCommand({ FunctionName: `${ARN}:some-function:$LATEST` })),
    );
    expect(deleteLatest).toBeInstanceOf(InvalidParameterValueException);
    expect(deleteLatest.message).toBe("$LATEST version cannot be deleted without deleting the function.");
  });

  it("PutFunctionConcurrency refuses a qualified ARN", async () => {
    const error = await caught(
      clients.lambda.send(
        new PutFunctionConcurrencyCommand({
          FunctionName: `${ARN}:fid-err:$LATEST`,
          ReservedConcurrentExecutions: 1,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toBe(
      "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.",
    );
    const missing = await caught(
      clients.lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: "nope", ReservedConcurrentExecutions: 1 }),
      ),
    );
    expect(missing.message).toBe(`Function not found: ${ARN}:nope:$LATEST`);
  });
});

/**
 * The one answer of IAM's policy simulator that no local server gives on demand: AccessDenied, when the caller
 * may not call iam:SimulatePrincipalPolicy. Everything else runs against the local stack; only the IAM client's
 * transport is replaced, by a handler that answers as IAM does.
 *
 * The answer's shape: IAM is a Query API, whose errors are an XML ErrorResponse with Error/Type, Error/Code and
 * Error/Message and a RequestId ("Query API error responses" in the IAM API reference, and what the SDK's
 * awsQuery protocol parses). The code and message are AWS's as recorded by the AWS CLI: "An error occurred
 * (AccessDenied) when calling the SimulatePrincipalPolicy operation: User: arn:aws:sts::...:assumed-role/...
 * is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::...:role/... because no
 * identity-based policy allows the iam:SimulatePrincipalPolicy action".
 */
import { Readable } from "node:stream";
import { Chalk } from "chalk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AwsClients } from "../../../src/aws/clients.js";
import { doctor } from "../../../src/commands/doctor.js";
import type { CommandContext } from "../../../src/io.js";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import type { DoctorDocument } from "../../../src/render/doctor.js";
import { clientsFor, createQueue, createTopic, deployFunction } from "./support.js";

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  const clients = clientsFor(stack);
  const queue = await createQueue(clients, "denied-success");
  const topic = await createTopic(clients, "denied-failure");
  await deployFunction(clients, "denied", { onSuccess: queue.arn, onFailure: topic });
});
afterAll(async () => {
  await stack?.stop();
});

const DENIED = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:sts::000000000000:assumed-role/dev/me is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::000000000000:role/lambda-role because no identity-based policy allows the iam:SimulatePrincipalPolicy action</Message>
  </Error>
  <RequestId>6b2c6f0e-8a51-4c1e-9d3b-0a6f5f0a1b2c</RequestId>
</ErrorResponse>`;

function deniedIam() {
  const bodies: string[] = [];
  const handler = {
    async handle(request: { body?: string | Uint8Array }) {
      bodies.push(request.body ? Buffer.from(request.body).toString("utf8") : "");
      return {
        response: {
          statusCode: 403,
          headers: { "content-type": "text/xml", "x-amzn-requestid": "6b2c6f0e-8a51-4c1e-9d3b-0a6f5f0a1b2c" },
          body: Readable.from([Buffer.from(DENIED)]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, bodies };
}

function contextFor(json: boolean): CommandContext & { out: () => string } {
  let stdout = "";
  const colors = new Chalk({ level: 0 });
  return {
    io: {
      stdout: {
        write: (text) => {
          stdout += text;
        },
        isTTY: false,
      },
      stderr: { write: () => {}, isTTY: false },
      stdin: Readable.from([]),
      env: {},
      cwd: process.cwd(),
      now: () => new Date(),
      watchInterrupts: () => new AbortController().signal,
    },
    colors,
    errorColors: colors,
    output: { json, quiet: false, verbose: false },
    aws: { endpointUrl: stack.endpoint, region: stack.region },
    out: () => stdout,
  };
}

it("AccessDenied on SimulatePrincipalPolicy: 'could not check' (unknown, not ok), asked once, exit 0", async () => {
  const iam = deniedIam();
  const context = contextFor(true);
  const clients = new AwsClients(
    context.aws,
    {},
    {
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      configure: (client, service) => {
        // Only IAM's transport is simulated; Lambda, SQS and SNS are the local stack's.
        if (service === "iam")
          (client as unknown as { config: { requestHandler: unknown } }).config.requestHandler = iam.handler;
      },
    },
  );
  try {
    const code = await doctor({ functions: ["denied"], all: false }, context, clients);
    expect(code).toBe(0);
  } finally {
    await clients.destroy();
  }
  const document = JSON.parse(context.out()) as DoctorDocument;
  const checks = Object.fromEntries(document.functions[0]!.checks.map((check) => [check.id, check]));
  expect(checks["on-success.permission"]).toEqual({
    id: "on-success.permission",
    status: "unknown",
    message:
      "on success: could not check whether the execution role allows sqs:SendMessage on queue denied-success (your credentials may not call iam:SimulatePrincipalPolicy)",
  });
  expect(checks["on-failure.permission"]).toEqual({
    id: "on-failure.permission",
    status: "unknown",
    message:
      "on failure: could not check whether the execution role allows sns:Publish on topic denied-failure (your credentials may not call iam:SimulatePrincipalPolicy)",
  });
  // The request was the simulation of the function's execution role; a denial is not asked again.
  expect(iam.bodies).toHaveLength(1);
  const request = new URLSearchParams(iam.bodies[0]);
  expect(request.get("Action")).toBe("SimulatePrincipalPolicy");
  expect(request.get("PolicySourceArn")).toBe("arn:aws:iam::000000000000:role/lambda-role");
  expect(request.get("ActionNames.member.1")).toBe("sqs:SendMessage");
  expect(request.get("ResourceArns.member.1")).toBe("arn:aws:sqs:us-east-1:000000000000:denied-success");
});

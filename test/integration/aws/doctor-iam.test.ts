/**
 * The answers of IAM's policy simulator and of CloudWatch that no local server gives on demand: AccessDenied, when
 * the caller may not call iam:SimulatePrincipalPolicy; the simulator's decisions (allowed, implicitDeny); the
 * Lambda metrics of failed deliveries. Everything else runs against the local stack; only the IAM client's
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

/**
 * A SimulatePrincipalPolicy answer as IAM writes it (IAM API reference, SimulatePrincipalPolicy, "Example"):
 * SimulatePrincipalPolicyResult/EvaluationResults/member with EvalActionName, EvalResourceName and EvalDecision
 * ("allowed", "explicitDeny" or "implicitDeny", EvaluationResult data type).
 */
function simulatedIam(decision: (action: string) => string) {
  const handler = {
    async handle(request: { body?: string | Uint8Array }) {
      const form = new URLSearchParams(request.body ? Buffer.from(request.body).toString("utf8") : "");
      const resource = form.get("ResourceArns.member.1") ?? "*";
      const members = [...form.entries()]
        .filter(([key]) => key.startsWith("ActionNames.member."))
        .map(
          ([, action]) =>
            `<member><EvalActionName>${action}</EvalActionName><EvalResourceName>${resource}</EvalResourceName><EvalDecision>${decision(action)}</EvalDecision><MatchedStatements/><MissingContextValues/></member>`,
        )
        .join("");
      const body = `<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>${members}</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>004d7059-4c14-11e5-b121-bd8c7EXAMPLE</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`;
      return {
        response: {
          statusCode: 200,
          headers: { "content-type": "text/xml" },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return handler;
}

/**
 * A GetMetricData answer (CloudWatch API reference, GetMetricData: MetricDataResults with Id, Label, Timestamps,
 * Values, StatusCode), in the AWS JSON 1.0 protocol the SDK's CloudWatch client speaks. The metrics are Lambda's
 * (Lambda developer guide, "Types of metrics for Lambda functions": DestinationDeliveryFailures, DeadLetterErrors).
 */
function simulatedCloudWatch(values: Record<string, number[]>) {
  const requests: unknown[] = [];
  const handler = {
    async handle(request: { body?: string | Uint8Array }) {
      const text =
        typeof request.body === "string"
          ? request.body
          : new TextDecoder().decode(request.body ?? new Uint8Array());
      const body = JSON.parse(text || "{}");
      requests.push(body);
      const results = (
        body.MetricDataQueries as { Id: string; MetricStat: { Metric: { MetricName: string } } }[]
      ).map((query) => ({
        Id: query.Id,
        Label: query.MetricStat.Metric.MetricName,
        Timestamps: (values[query.MetricStat.Metric.MetricName] ?? []).map(
          (_, index) => 1796378400 - index * 3600,
        ),
        Values: values[query.MetricStat.Metric.MetricName] ?? [],
        StatusCode: "Complete",
      }));
      return {
        response: {
          statusCode: 200,
          headers: { "content-type": "application/x-amz-json-1.0" },
          body: Readable.from([Buffer.from(JSON.stringify({ MetricDataResults: results, Messages: [] }))]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, requests };
}

async function runWith(
  handlers: Partial<Record<string, unknown>>,
): Promise<Record<string, { status: string; message: string; fix?: string }>> {
  const context = contextFor(true);
  const clients = new AwsClients(
    context.aws,
    {},
    {
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      configure: (client, service) => {
        const handler = handlers[service];
        if (handler)
          (client as unknown as { config: { requestHandler: unknown } }).config.requestHandler = handler;
      },
    },
  );
  try {
    await doctor({ functions: ["denied"], all: false }, context, clients);
  } finally {
    await clients.destroy();
  }
  const document = JSON.parse(context.out()) as DoctorDocument;
  return Object.fromEntries(document.functions[0]!.checks.map((check) => [check.id, check]));
}

it("the simulator's decisions: allowed is ✓, implicitDeny is ✗ with the policy that grants it", async () => {
  const checks = await runWith({
    iam: simulatedIam((action) => (action === "sqs:SendMessage" ? "allowed" : "implicitDeny")),
  });
  expect(checks["on-success.permission"]?.status).toBe("ok");
  expect(checks["on-success.permission"]?.message).toContain("sqs:SendMessage");
  expect(checks["on-failure.permission"]?.status).toBe("fail");
  expect(checks["on-failure.permission"]?.message).toContain("sns:Publish");
  expect(checks["on-failure.permission"]?.fix).toContain("put-role-policy");
});

it("CloudWatch metrics: failed deliveries of the last 24 hours are ✗; none are ✓", async () => {
  const failing = simulatedCloudWatch({ DestinationDeliveryFailures: [2, 1], DeadLetterErrors: [] });
  const checks = await runWith({ cloudwatch: failing.handler });
  expect(checks["delivery-failures"]).toMatchObject({
    status: "fail",
    message:
      "AWS failed to deliver records in the last 24 hours: 3 DestinationDeliveryFailures, 0 DeadLetterErrors (CloudWatch, AWS/Lambda): those records are lost",
  });
  const request = failing.requests[0] as {
    MetricDataQueries: {
      MetricStat: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] } };
    }[];
  };
  expect(request.MetricDataQueries.map((query) => query.MetricStat.Metric)).toEqual([
    {
      Namespace: "AWS/Lambda",
      MetricName: "DestinationDeliveryFailures",
      Dimensions: [{ Name: "FunctionName", Value: "denied" }],
    },
    {
      Namespace: "AWS/Lambda",
      MetricName: "DeadLetterErrors",
      Dimensions: [{ Name: "FunctionName", Value: "denied" }],
    },
  ]);
  const quiet = await runWith({ cloudwatch: simulatedCloudWatch({}).handler });
  expect(quiet["delivery-failures"]?.status).toBe("ok");
});

import {
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import { zipDirectory } from "../../../src/local/zip-directory.js";
import {
  type Clients,
  clientsFor,
  createQueue,
  deployFixture,
  destroyClients,
  receiveBodies,
} from "./helpers.js";

// Expected values are AWS's recorded responses: LocalStack's AWS-validated snapshots
// tests/aws/services/lambda_/test_lambda_api.snapshot.json ("publish_version_result", "create_alias_response",
// "get_alias", "get_invokeconfig_postpublish", "put_published_invokeconfig") and
// tests/aws/services/lambda_/test_lambda_destinations.snapshot.json (test_dead_letter_queue "receive_result":
// the DLQ message's RequestID, ErrorCode and ErrorMessage attributes), and the Lambda API reference.

let stack: LocalStack;
let clients: Clients;
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, retryDelayScale: 0.001 });
  clients = clientsFor(stack);
  await deployFixture(clients, "fid-ver", "node-esm");
});

afterAll(async () => {
  destroyClients(clients);
  await stack?.stop();
});

async function invoke(functionName: string, qualifier?: string, payload = "{}") {
  const response = await clients.lambda.send(
    new InvokeCommand({ FunctionName: functionName, Qualifier: qualifier, Payload: Buffer.from(payload) }),
  );
  return {
    ...response,
    json: JSON.parse(Buffer.from(response.Payload ?? new Uint8Array()).toString("utf8")),
  };
}

describe("versions", () => {
  it("PublishVersion freezes $LATEST as 1 (201), again only after a change; ListVersionsByFunction lists them", async () => {
    const before = await clients.lambda.send(new GetFunctionCommand({ FunctionName: "fid-ver" }));
    const v1 = await clients.lambda.send(new PublishVersionCommand({ FunctionName: "fid-ver" }));
    expect(v1.$metadata.httpStatusCode).toBe(201);
    expect(v1).toMatchObject({
      FunctionArn: `${ARN}:fid-ver:1`,
      Version: "1",
      State: "Active",
      LastUpdateStatus: "Successful",
      CodeSha256: before.Configuration?.CodeSha256,
    });
    // The version has a RevisionId of its own; $LATEST keeps its own (test_function_versions snapshot:
    // "get_function_latest_result" keeps <uuid:2>, the version has <uuid:3>).
    expect(v1.RevisionId).not.toBe(before.Configuration?.RevisionId);
    const after = await clients.lambda.send(new GetFunctionCommand({ FunctionName: "fid-ver" }));
    expect(after.Configuration?.RevisionId).toBe(before.Configuration?.RevisionId);
    // Nothing changed: the same version again.
    const again = await clients.lambda.send(new PublishVersionCommand({ FunctionName: "fid-ver" }));
    expect(again.Version).toBe("1");

    await clients.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: "fid-ver",
        ZipFile: await zipDirectory("test/fixtures/functions/node-batch"),
      }),
    );
    const v2 = await clients.lambda.send(
      new PublishVersionCommand({ FunctionName: "fid-ver", Description: "batch" }),
    );
    expect(v2).toMatchObject({ Version: "2", Description: "batch", FunctionArn: `${ARN}:fid-ver:2` });

    const listed = await clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "fid-ver" }));
    expect(listed.Versions?.map((version) => [version.Version, version.FunctionArn])).toEqual([
      ["$LATEST", `${ARN}:fid-ver:$LATEST`],
      ["1", `${ARN}:fid-ver:1`],
      ["2", `${ARN}:fid-ver:2`],
    ]);

    const all = await clients.lambda.send(new ListFunctionsCommand({ FunctionVersion: "ALL" }));
    expect(all.Functions?.filter((fn) => fn.FunctionName === "fid-ver").map((fn) => fn.FunctionArn)).toEqual([
      `${ARN}:fid-ver:$LATEST`,
      `${ARN}:fid-ver:1`,
      `${ARN}:fid-ver:2`,
    ]);

    const got = await clients.lambda.send(
      new GetFunctionCommand({ FunctionName: "fid-ver", Qualifier: "1" }),
    );
    expect(got.Configuration).toMatchObject({ Version: "1", FunctionArn: `${ARN}:fid-ver:1` });
    const missing = await clients.lambda
      .send(new GetFunctionCommand({ FunctionName: "fid-ver", Qualifier: "9" }))
      .catch((error) => error);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing.message).toBe(`Function not found: ${ARN}:fid-ver:9`);
  });

  it("each version runs its own code and says so in X-Amz-Executed-Version", async () => {
    const v1 = await invoke("fid-ver", "1", '{"Records":[]}');
    expect(v1.ExecutedVersion).toBe("1");
    expect(v1.json).toMatchObject({ ok: true });
    const latest = await invoke("fid-ver", undefined, '{"Records":[]}');
    expect(latest.ExecutedVersion).toBe("$LATEST");
    expect(latest.json).toEqual({ batchItemFailures: [] });
    const byArn = await invoke(`${ARN}:fid-ver:2`, undefined, '{"Records":[]}');
    expect(byArn.ExecutedVersion).toBe("2");
  });
});

describe("aliases", () => {
  it("CreateAlias/GetAlias/UpdateAlias (RoutingConfig)/ListAliases/DeleteAlias", async () => {
    const created = await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: "fid-ver", Name: "live", FunctionVersion: "1" }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      AliasArn: `${ARN}:fid-ver:live`,
      Description: "",
      FunctionVersion: "1",
      Name: "live",
    });
    expect(created.RoutingConfig).toBeUndefined();
    const got = await clients.lambda.send(new GetAliasCommand({ FunctionName: "fid-ver", Name: "live" }));
    expect(got.RevisionId).toBe(created.RevisionId);

    const viaAlias = await invoke("fid-ver", "live", '{"Records":[]}');
    expect(viaAlias.ExecutedVersion).toBe("1");
    const config = await clients.lambda.send(
      new GetFunctionCommand({ FunctionName: "fid-ver", Qualifier: "live" }),
    );
    expect(config.Configuration).toMatchObject({ FunctionArn: `${ARN}:fid-ver:live`, Version: "1" });

    const updated = await clients.lambda.send(
      new UpdateAliasCommand({
        FunctionName: "fid-ver",
        Name: "live",
        FunctionVersion: "2",
        RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } },
      }),
    );
    expect(updated).toMatchObject({
      FunctionVersion: "2",
      RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } },
    });
    expect(updated.RevisionId).not.toBe(created.RevisionId);
    const seen = new Set<string>();
    for (let call = 0; call < 30 && seen.size < 2; call += 1) {
      seen.add((await invoke("fid-ver", "live", '{"Records":[]}')).ExecutedVersion ?? "");
    }
    expect([...seen].sort()).toEqual(["1", "2"]);

    const listed = await clients.lambda.send(new ListAliasesCommand({ FunctionName: "fid-ver" }));
    expect(listed.Aliases?.map((alias) => alias.Name)).toEqual(["live"]);
    const filtered = await clients.lambda.send(
      new ListAliasesCommand({ FunctionName: "fid-ver", FunctionVersion: "1" }),
    );
    expect(filtered.Aliases).toEqual([]);

    const removed = await clients.lambda.send(
      new DeleteAliasCommand({ FunctionName: "fid-ver", Name: "live" }),
    );
    expect(removed.$metadata.httpStatusCode).toBe(204);
    const gone = await clients.lambda
      .send(new GetAliasCommand({ FunctionName: "fid-ver", Name: "live" }))
      .catch((error) => error);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toBe(`Cannot find alias arn: ${ARN}:fid-ver:live`);
  });

  // "You can't delete a version that an alias references" (Lambda API reference, DeleteFunction); the message
  // is AWS's recorded answer to DeleteFunction on such a version: "ResourceConflictException: Unable to delete
  // version because the following aliases reference it: [live]" (HTTP 409).
  it("DeleteFunction refuses a version an alias points to, and deletes it once the alias is gone", async () => {
    await deployFixture(clients, "fid-ver-delete", "node-esm");
    const published = await clients.lambda.send(
      new PublishVersionCommand({ FunctionName: "fid-ver-delete" }),
    );
    expect(published.Version).toBe("1");
    await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: "fid-ver-delete", Name: "live", FunctionVersion: "1" }),
    );
    const refused = await clients.lambda
      .send(new DeleteFunctionCommand({ FunctionName: "fid-ver-delete", Qualifier: "1" }))
      .catch((error) => error);
    expect(refused).toBeInstanceOf(ResourceConflictException);
    expect(refused.$metadata.httpStatusCode).toBe(409);
    expect(refused.message).toBe(
      "Unable to delete version because the following aliases reference it: [live]",
    );
    // Nothing went: the version is listed, and the alias still runs it.
    const versions = await clients.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: "fid-ver-delete" }),
    );
    expect(versions.Versions?.map((version) => version.Version)).toEqual(["$LATEST", "1"]);
    expect((await invoke("fid-ver-delete", "live", '{"Records":[]}')).ExecutedVersion).toBe("1");

    await clients.lambda.send(new DeleteAliasCommand({ FunctionName: "fid-ver-delete", Name: "live" }));
    const deleted = await clients.lambda.send(
      new DeleteFunctionCommand({ FunctionName: "fid-ver-delete", Qualifier: "1" }),
    );
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    const left = await clients.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: "fid-ver-delete" }),
    );
    expect(left.Versions?.map((version) => version.Version)).toEqual(["$LATEST"]);
  });

  it("refuses what AWS refuses, in its words", async () => {
    await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: "fid-ver", Name: "dup", FunctionVersion: "1" }),
    );
    const duplicate = await clients.lambda
      .send(new CreateAliasCommand({ FunctionName: "fid-ver", Name: "dup", FunctionVersion: "1" }))
      .catch((error) => error);
    expect(duplicate).toBeInstanceOf(ResourceConflictException);
    expect(duplicate.message).toBe(`Alias already exists: ${ARN}:fid-ver:dup`);
    const numeric = await clients.lambda
      .send(new CreateAliasCommand({ FunctionName: "fid-ver", Name: "12", FunctionVersion: "1" }))
      .catch((error) => error);
    expect(numeric.name).toBe("ValidationException");
    expect(numeric.message).toBe(
      "1 validation error detected: Value '12' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
    );
    const noVersion = await clients.lambda
      .send(new CreateAliasCommand({ FunctionName: "fid-ver", Name: "later", FunctionVersion: "7" }))
      .catch((error) => error);
    expect(noVersion.message).toBe(`Function not found: ${ARN}:fid-ver:7`);
    const self = await clients.lambda
      .send(
        new CreateAliasCommand({
          FunctionName: "fid-ver",
          Name: "selfish",
          FunctionVersion: "1",
          RoutingConfig: { AdditionalVersionWeights: { "1": 0.2 } },
        }),
      )
      .catch((error) => error);
    expect(self).toBeInstanceOf(InvalidParameterValueException);
    expect(self.message).toBe(
      "Invalid function version 1. Function version 1 is already included in routing configuration.",
    );
    // test_notfound_and_invalid_routingconfigs snapshot: the routing-config answers, word for word.
    const routing = async (functionVersion: string, weights: Record<string, number>) =>
      clients.lambda
        .send(
          new CreateAliasCommand({
            FunctionName: "fid-ver",
            Name: "routed",
            FunctionVersion: functionVersion,
            RoutingConfig: { AdditionalVersionWeights: weights },
          }),
        )
        .catch((error) => error);
    expect((await routing("1", { "2": 0.1, "3": 0.1 })).message).toBe(
      "Number of items in AdditionalVersionWeights cannot be greater than 1",
    );
    const tooHigh = await routing("1", { "2": 2 });
    expect(tooHigh.name).toBe("ValidationException");
    expect(tooHigh.message).toBe(
      "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
    );
    expect((await routing("$LATEST", { "1": 0.5 })).message).toBe(
      "$LATEST is not supported for an alias pointing to more than 1 version",
    );
    expect((await routing("1", { $LATEST: 0.5 })).message).toBe(
      "1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member must not be null]",
    );
    expect((await routing("1", { "10": 0.5 })).message).toBe(`Function not found: ${ARN}:fid-ver:10`);
    const mismatch = await clients.lambda
      .send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: "fid-ver:1",
          Qualifier: "2",
          MaximumRetryAttempts: 1,
        }),
      )
      .catch((error) => error);
    expect(mismatch.message).toBe(
      "The derived qualifier from the function name does not match the specified qualifier.",
    );
  });
});

describe("event invoke configs and records per qualifier", () => {
  it("a version's config is its own (test_lambda_api snapshot, get_invokeconfig_postpublish)", async () => {
    const put = await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "fid-ver",
        Qualifier: "1",
        MaximumEventAgeInSeconds: 120,
      }),
    );
    expect(put.FunctionArn).toBe(`${ARN}:fid-ver:1`);
    const latest = await clients.lambda
      .send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "fid-ver" }))
      .catch((error) => error);
    expect(latest.message).toBe(`The function ${ARN}:fid-ver:$LATEST doesn't have an EventInvokeConfig`);
    const two = await clients.lambda
      .send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "fid-ver", Qualifier: "2" }))
      .catch((error) => error);
    expect(two.message).toBe(`The function ${ARN}:fid-ver:2 doesn't have an EventInvokeConfig`);
  });

  it("records of a version or alias invocation carry the qualified functionArn and the version that ran", async () => {
    const records = await createQueue(clients, "fid-records");
    await deployFixture(clients, "fid-rec", "node-esm");
    await clients.lambda.send(new PublishVersionCommand({ FunctionName: "fid-rec" }));
    await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: "fid-rec", Name: "prod", FunctionVersion: "1" }),
    );
    for (const qualifier of ["1", "prod"]) {
      await clients.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: "fid-rec",
          Qualifier: qualifier,
          DestinationConfig: { OnSuccess: { Destination: records.arn } },
        }),
      );
    }
    await clients.lambda.send(
      new InvokeCommand({
        FunctionName: "fid-rec",
        Qualifier: "1",
        InvocationType: "Event",
        Payload: Buffer.from('{"n":1}'),
      }),
    );
    await clients.lambda.send(
      new InvokeCommand({
        FunctionName: "fid-rec:prod",
        InvocationType: "Event",
        Payload: Buffer.from('{"n":2}'),
      }),
    );
    const bodies = (await receiveBodies(clients, records.url, 2)).map((body) => JSON.parse(body));
    const byEvent = new Map(bodies.map((record) => [record.requestPayload.n, record]));
    expect(byEvent.get(1).requestContext.functionArn).toBe(`${ARN}:fid-rec:1`);
    expect(byEvent.get(1).responseContext.executedVersion).toBe("1");
    expect(byEvent.get(2).requestContext.functionArn).toBe(`${ARN}:fid-rec:prod`);
    expect(byEvent.get(2).responseContext.executedVersion).toBe("1");
  });
});

describe("event source mappings on an alias", () => {
  it("the mapping shows the alias ARN and the poller runs the alias's version", async () => {
    // CreateEventSourceMapping takes a version or alias ARN as FunctionName (Lambda API reference,
    // CreateEventSourceMapping: "Version or Alias ARN"), and FunctionArn echoes it.
    const old = await createQueue(clients, "fid-esm-v1");
    const current = await createQueue(clients, "fid-esm-latest");
    const source = await createQueue(clients, "fid-esm-source");
    await deployFixture(clients, "fid-esm", "node-forwarder", {
      environment: { FORWARD_QUEUE: "fid-esm-v1" },
    });
    await clients.lambda.send(new PublishVersionCommand({ FunctionName: "fid-esm" }));
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "fid-esm",
        Environment: { Variables: { FORWARD_QUEUE: "fid-esm-latest" } },
      }),
    );
    await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: "fid-esm", Name: "stable", FunctionVersion: "1" }),
    );
    const mapping = await clients.lambda.send(
      new CreateEventSourceMappingCommand({ EventSourceArn: source.arn, FunctionName: "fid-esm:stable" }),
    );
    expect(mapping.FunctionArn).toBe(`${ARN}:fid-esm:stable`);
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: "via alias" }));
    const [forwarded] = await receiveBodies(clients, old.url, 1);
    expect(JSON.parse(forwarded!).Records[0].body).toBe("via alias");
    expect(await receiveBodies(clients, current.url, 1, 1500)).toEqual([]);
    await clients.lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
  });
});

describe("dead-letter queues", () => {
  it("after the last failed attempt the event goes to the SQS DLQ with AWS's attributes, and the record to OnFailure", async () => {
    const dlq = await createQueue(clients, "fid-dlq");
    const failures = await createQueue(clients, "fid-failures");
    await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "fid-dead",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/lambda-role",
        Code: { ZipFile: await zipDirectory("test/fixtures/functions/node-esm") },
        DeadLetterConfig: { TargetArn: dlq.arn },
      }),
    );
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "fid-dead",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: failures.arn } },
      }),
    );
    const invoked = await clients.lambda.send(
      new InvokeCommand({
        FunctionName: "fid-dead",
        InvocationType: "Event",
        Payload: Buffer.from('{"fail":"dlq"}'),
      }),
    );
    const requestId = invoked.$metadata.requestId;
    const message = await receiveOne(dlq.url);
    expect(message.Body).toBe('{"fail":"dlq"}');
    // test_lambda_destinations snapshot, test_dead_letter_queue "receive_result".
    expect(message.MessageAttributes).toEqual({
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "failing on purpose: dlq" },
      RequestID: { DataType: "String", StringValue: requestId },
    });
    const [record] = await receiveBodies(clients, failures.url, 1);
    expect(JSON.parse(record!).requestContext).toMatchObject({ requestId, condition: "RetriesExhausted" });
  });

  it("an SNS dead-letter topic gets the event with the same attributes", async () => {
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: "fid-dlq-topic" }));
    const subscriber = await createQueue(clients, "fid-dlq-topic-subscriber");
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: "sqs",
        Endpoint: subscriber.arn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "fid-dead-sns",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/lambda-role",
        Code: { ZipFile: await zipDirectory("test/fixtures/functions/node-esm") },
        DeadLetterConfig: { TargetArn: TopicArn },
      }),
    );
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "fid-dead-sns", MaximumRetryAttempts: 0 }),
    );
    const invoked = await clients.lambda.send(
      new InvokeCommand({
        FunctionName: "fid-dead-sns",
        InvocationType: "Event",
        Payload: Buffer.from('{"fail":"sns"}'),
      }),
    );
    const message = await receiveOne(subscriber.url);
    expect(message.Body).toBe('{"fail":"sns"}');
    expect(message.MessageAttributes).toMatchObject({
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "failing on purpose: sns" },
      RequestID: { DataType: "String", StringValue: invoked.$metadata.requestId },
    });
  });
});

async function receiveOne(queueUrl: string) {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MessageAttributeNames: ["All"],
        WaitTimeSeconds: 1,
      }),
    );
    if (Messages[0]) return Messages[0];
  }
  throw new Error(`no message on ${queueUrl}`);
}

/**
 * `tail s3://BUCKET[/PREFIX]`, an S3 on-failure destination followed by `tail function:NAME` and `invoke --wait`,
 * against the local stack's S3 (fauxqs) and Lambda service, through the built binary.
 *
 * Key layout, from the Lambda developer guide ("Capturing records of Lambda asynchronous invocations", S3
 * destinations): aws/lambda/async/<function-name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>.
 */
import {
  CreateBucketCommand,
  GetBucketLocationCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../src/local/stack.js";
import {
  CliProcess,
  clientsFor,
  deployFunction,
  invocationRecord,
  parseLines,
  runCli,
  type StackClients,
} from "./support.js";

let stack: LocalStack;
let clients: StackClients;
let s3: S3Client;

const LAMBDA_KEY =
  /^aws\/lambda\/async\/s3-failing\/\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}-[0-9a-f-]{36}$/;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  clients = clientsFor(stack);
  s3 = clients.s3;
  for (const bucket of ["records", "busy", "failures"]) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  await s3.send(new GetBucketLocationCommand({ Bucket: "records" }));
  await deployFunction(clients, "s3-failing", { onFailure: "arn:aws:s3:::failures", retries: 0 });
});
afterAll(async () => {
  clients?.destroy();
  await stack?.stop();
});

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

async function put(bucket: string, key: string, body: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function keysIn(bucket: string): Promise<string[]> {
  const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (Contents ?? []).map((item) => item.Key!);
}

describe("tail s3://", () => {
  it("shows only objects written after it started, each once, as s3-object › invocation-record; --since shows older ones", async () => {
    await put("records", "old/1", invocationRecord({ requestId: uuid(1), success: true }));
    const tail = new CliProcess(stack, ["tail", "s3://records/", "--json", "--max", "2"]);
    await tail.waitFor("listening on s3://records/");
    await put("records", "new/2", invocationRecord({ requestId: uuid(2), success: false }));
    await put("records", "new/3", "{not json");
    const result = await tail.done;
    expect(result.code, result.stderr).toBe(0);
    const lines = parseLines(result.stdout);
    // An object that is not a record is shown, as a queue message would be, with a warning.
    expect(lines.map((line) => [line.source, line.layers, line.warnings.length])).toEqual([
      ["s3://records/new/2", ["s3-object", "invocation-record"], 0],
      ["s3://records/new/3", ["s3-object"], 1],
    ]);
    expect(lines[0].summary).toMatchObject({ outcome: "failure", requestId: uuid(2) });

    const since = await runCli(stack, [
      "tail",
      "s3://records/old/",
      "--since",
      "1h",
      "--json",
      "--max",
      "1",
      "--timeout",
      "20s",
    ]);
    expect(since.code, since.stderr).toBe(0);
    expect(parseLines(since.stdout).map((line) => line.summary.requestId)).toEqual([uuid(1)]);
  });

  it("reads none of 10,000 older objects without --since, and shows the next one", async () => {
    const body = invocationRecord({ requestId: uuid(9), success: true });
    for (let start = 0; start < 10_000; start += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, index) =>
          put("busy", `older/${String(start + index).padStart(5, "0")}`, body),
        ),
      );
    }
    const tail = new CliProcess(stack, ["tail", "s3://busy", "--json", "--max", "1", "--timeout", "60s"]);
    await tail.waitFor("listening on s3://busy/");
    await put("busy", "zzz-newest", invocationRecord({ requestId: uuid(10), success: true }));
    const result = await tail.done;
    expect(result.code, result.stderr).toBe(0);
    expect(parseLines(result.stdout).map((line) => line.source)).toEqual(["s3://busy/zzz-newest"]);
  }, 120_000);

  it("refuses what is not a bucket, and --since on a queue", async () => {
    const bad = await runCli(stack, ["tail", "s3://Not_A_Bucket/x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^lambda-dest: "s3:\/\/Not_A_Bucket\/x" does not name a bucket/);
    const since = await runCli(stack, ["tail", "sqs:anything", "--since", "1h"]);
    expect(since.code).toBe(2);
    expect(since.stderr).toBe(
      "lambda-dest: --since applies to s3:// targets only: a queue or topic cannot be read back in time\n",
    );
    const missing = await runCli(stack, ["tail", "s3://no-such-bucket"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split("\n").filter(Boolean)).toEqual([
      expect.stringMatching(/^lambda-dest: bucket no-such-bucket does not exist/),
    ]);
  });
});

describe("an S3 on-failure destination", () => {
  it("a failed async invocation appears once in tail s3:// and tail function:NAME, under Lambda's key layout; invoke --wait exits 1", async () => {
    const bucketTail = new CliProcess(stack, ["tail", "s3://failures", "--json", "--max", "2"]);
    const functionTail = new CliProcess(stack, ["tail", "function:s3-failing", "--json", "--max", "2"]);
    await bucketTail.waitFor("listening on s3://failures/");
    await functionTail.waitFor("listening on s3://failures/aws/lambda/async/s3-failing/");

    const waited = await runCli(stack, [
      "invoke",
      "s3-failing",
      '{"fail":"no stock"}',
      "--wait",
      "--timeout",
      "30s",
    ]);
    expect(waited.code, waited.stderr).toBe(1);
    expect(waited.stderr).toContain("on-failure s3://failures/aws/lambda/async/s3-failing/");
    expect(waited.stdout).toContain("OrderError: failing on purpose: no stock");
    await runCli(stack, ["invoke", "s3-failing", '{"fail":"again"}']);

    for (const result of [await bucketTail.done, await functionTail.done]) {
      expect(result.code, result.stderr).toBe(0);
      const lines = parseLines(result.stdout);
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line.layers).toEqual(["s3-object", "invocation-record"]);
        expect(line.valid).toBe(true);
        expect(line.summary).toMatchObject({ outcome: "failure", functionName: "s3-failing" });
        expect(line.source.replace("s3://failures/", "")).toMatch(LAMBDA_KEY);
      }
      expect(new Set(lines.map((line) => line.source)).size).toBe(2);
    }
    expect((await keysIn("failures")).every((key) => LAMBDA_KEY.test(key))).toBe(true);
  }, 60_000);
});

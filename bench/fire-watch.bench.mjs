// Fire and watch, side by side with the bare SDK (and the AWS CLI where installed), against the embedded local
// stack started in this process. Needs a build (npm run build). Prints a table with ratios; one run each.
//
//   drain:  `tail --consume --json --max 10000`   vs a bare SDK ReceiveMessage + DeleteMessageBatch loop
//           (and with --concurrency 8 receive loops, AWS's advice for a busy queue); the same records, the
//           same sink (a pipe read here), BENCH_DRAIN_ROUNDS rounds (default 3), the worst round's ratio; on
//           a small uniform record, and on the validate benchmark's realistic mix
//   send:   `send --lines` of 10,000 lines         vs a bare SDK SendMessageBatch loop (batches of 10)
//   single: one `send`                             vs `aws sqs send-message` (median of 5 runs)
//   wait:   `invoke --wait` (record ~200 ms later)  vs a bare SDK invoke + long poll of the destination queue,
//           on an empty queue and behind 100 earlier records (the bare script then hides what it reads)
//
// Each side runs as its own Node (or Python) process, so start-up and SDK loading count on both sides.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = process.env.LAMBDA_DEST_BIN ?? join(root, "bin/lambda-dest.cjs");
const COUNT = 10_000;
const { startLocalStack } = await import(join(root, "dist/local/stack.js"));
const { realisticPool } = await import("./lib/realistic-records.mjs");

// The SDK's notice about Node 20 would clutter the table; it says nothing about the benchmark.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const stack = await startLocalStack({ port: 0 });
const env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: "us-east-1",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  NO_COLOR: "1",
};
const endpointArgs = ["--endpoint-url", stack.endpoint, "--region", "us-east-1"];
const sqs = new SQSClient({
  endpoint: stack.endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-bench-"));
const DRAIN_ROUNDS = Number(process.env.BENCH_DRAIN_ROUNDS ?? 3);
const DRAIN_CONCURRENCY = 8;
// Preloaded into a drain's process (either side): writes the process's CPU time (user + system) on exit.
const cpuReporter = join(scratch, "cpu-reporter.cjs");
writeFileSync(
  cpuReporter,
  `process.on("exit", () => { const u = process.cpuUsage(); require("node:fs").writeFileSync(process.env.BENCH_CPU_FILE, String((u.user + u.system) / 1e6)); });`,
);

const record = (index) =>
  JSON.stringify({
    version: "1.0",
    timestamp: "2025-11-14T18:16:05.568Z",
    requestContext: {
      requestId: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:order-processor:$LATEST",
      condition: index % 5 === 0 ? "RetriesExhausted" : "Success",
      approximateInvokeCount: index % 5 === 0 ? 3 : 1,
    },
    requestPayload: { orderId: index },
    responseContext:
      index % 5 === 0
        ? { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" }
        : { statusCode: 200, executedVersion: "$LATEST" },
    responsePayload:
      index % 5 === 0
        ? { errorType: "OrderError", errorMessage: "no stock", trace: ["OrderError: no stock"] }
        : { ok: true },
  });

async function createQueue(name) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return QueueUrl;
}

/** Sends `count` messages, the body of message i being `body(i)` (the small fixture's record by default). */
async function fill(url, count, body = record) {
  const batches = [];
  for (let start = 0; start < count; start += 10) {
    const entries = [];
    for (let index = start; index < Math.min(count, start + 10); index += 1) {
      entries.push({ Id: String(index - start), MessageBody: body(index) });
    }
    batches.push(entries);
  }
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const entries = batches[next++];
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function depth(url) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

/** Messages visible in the queue now (none hidden by a receive). */
async function visible(url) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages);
}

async function purge(url) {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
}

/** Runs a process to its end (asynchronously: the stack lives in this process); returns seconds and output. */
function timed(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const serverStarted = process.cpuUsage();
    const cpuFile = join(scratch, `cpu-${started}`);
    const childEnv = options.cpu
      ? {
          ...env,
          NODE_OPTIONS: `${env.NODE_OPTIONS ?? ""} --require ${cpuReporter}`,
          BENCH_CPU_FILE: cpuFile,
        }
      : env;
    const child = spawn(command, args, { env: childEnv, cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = 0;
    let lines = 0;
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk.length;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const server = process.cpuUsage(serverStarted);
      const serverCpu = (server.user + server.system) / 1e6;
      const cpu = options.cpu ? Number(readFileSync(cpuFile, "utf8")) : undefined;
      if (code !== 0 && !options.allowFailure) {
        reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr}`));
      } else {
        resolve({ seconds, stdoutBytes: stdout, lines, stderr, code, cpu, serverCpu });
      }
    });
  });
}

const bareDrain = `
import { SQSClient, ReceiveMessageCommand, DeleteMessageBatchCommand } from "@aws-sdk/client-sqs";
const [endpoint, url, total] = process.argv.slice(1);
const sqs = new SQSClient({ endpoint, region: "us-east-1" });
let done = 0;
while (done < Number(total)) {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30 }));
  if (Messages.length === 0) continue;
  for (const message of Messages) process.stdout.write(message.Body + "\\n");
  await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  done += Messages.length;
}
sqs.destroy();
`;

// The same loop with DRAIN_CONCURRENCY of them sharing the count: a reference for what concurrent receivers
// gain when nothing but the SDK runs in the process (no analysis, no rendering).
const bareConcurrentDrain = `
import { SQSClient, ReceiveMessageCommand, DeleteMessageBatchCommand } from "@aws-sdk/client-sqs";
const [endpoint, url, total, loops] = process.argv.slice(1);
const sqs = new SQSClient({ endpoint, region: "us-east-1" });
let done = 0;
const loop = async () => {
  while (done < Number(total)) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30 }));
    if (Messages.length === 0) continue;
    done += Messages.length;
    for (const message of Messages) process.stdout.write(message.Body + "\\n");
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }
};
await Promise.all(Array.from({ length: Number(loops) }, loop));
sqs.destroy();
`;

const bareSend = `
import { readFileSync } from "node:fs";
import { SQSClient, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
const [endpoint, url, file] = process.argv.slice(1);
const sqs = new SQSClient({ endpoint, region: "us-east-1" });
const lines = readFileSync(file, "utf8").split("\\n").filter((line) => line !== "");
for (let start = 0; start < lines.length; start += 10) {
  const Entries = lines.slice(start, start + 10).map((body, i) => ({ Id: String(i), MessageBody: body }));
  const { Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
  if (Failed.length) throw new Error("failed entries");
}
sqs.destroy();
`;

const bareWait = `
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
import { SQSClient, ReceiveMessageCommand, DeleteMessageBatchCommand } from "@aws-sdk/client-sqs";
const [endpoint, url] = process.argv.slice(1);
const lambda = new LambdaClient({ endpoint, region: "us-east-1" });
const sqs = new SQSClient({ endpoint, region: "us-east-1" });
const { $metadata } = await lambda.send(new InvokeCommand({ FunctionName: "bench-wait", InvocationType: "Event", Payload: '{"orderId":1}' }));
for (;;) {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  if (Messages.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  if (Messages.some((m) => m.Body.includes($metadata.requestId))) break;
}
lambda.destroy();
sqs.destroy();
`;

// Behind a backlog: receives (hiding what it reads for 30 s, giving nothing back) until its record comes.
const bareBacklogWait = `
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
import { SQSClient, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
const [endpoint, url] = process.argv.slice(1);
const lambda = new LambdaClient({ endpoint, region: "us-east-1" });
const sqs = new SQSClient({ endpoint, region: "us-east-1" });
const { $metadata } = await lambda.send(new InvokeCommand({ FunctionName: "bench-wait", InvocationType: "Event", Payload: '{"orderId":1}' }));
for (;;) {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30 }));
  if (Messages.some((m) => m.Body.includes($metadata.requestId))) break;
}
lambda.destroy();
sqs.destroy();
`;

const nodeScript = (source, ...args) => ["--input-type=module", "-e", source, ...args.map(String)];
const rows = [];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  // 1. Drain 10,000 messages, DRAIN_ROUNDS rounds, twice: the small uniform record above, and the realistic mix
  //    of the validate benchmark (every kind, wrapped layers, stack traces, bodies of 100 B to 114 KB). Each
  //    round fills the same 10,000 bodies for each side in turn (the bare loop, the bare loop with 8
  //    receivers, tail --consume, tail --consume --concurrency 8), each writing into a pipe read by this
  //    process; a row reports the round with the worst ratio (the machine is shared: a round's sides run back
  //    to back, so they see the same load). Each side's CPU time and the server's (this process's: the local
  //    stack runs here) say what limits a drain.
  const drainQueue = await createQueue("bench-drain");
  const drainSides = {
    bare: () => nodeScript(bareDrain, stack.endpoint, drainQueue, COUNT),
    bareConcurrent: () =>
      nodeScript(bareConcurrentDrain, stack.endpoint, drainQueue, COUNT, DRAIN_CONCURRENCY),
    consume: () => [
      bin,
      "tail",
      "sqs:bench-drain",
      "--consume",
      "--json",
      "--max",
      String(COUNT),
      ...endpointArgs,
    ],
    concurrent: () => [
      bin,
      "tail",
      "sqs:bench-drain",
      "--consume",
      "--concurrency",
      String(DRAIN_CONCURRENCY),
      "--json",
      "--max",
      String(COUNT),
      ...endpointArgs,
    ],
  };
  // The realistic bodies: 5,000 distinct lines of the mix, each sent twice; none is over SQS's default
  // maximum message size (256 KiB).
  const realisticLines = (await realisticPool(5000))
    .map((line) => line.trimEnd())
    .filter((line) => Buffer.byteLength(line) <= 256 * 1024);
  const realisticBody = (index) => realisticLines[index % realisticLines.length];
  const realisticBytes = Array.from({ length: COUNT }, (_, index) => Buffer.byteLength(realisticBody(index)));
  for (const [data, body] of [
    ["", record],
    [" realistic", realisticBody],
  ]) {
    const rounds = [];
    for (let round = 0; round < DRAIN_ROUNDS; round += 1) {
      const result = {};
      for (const [side, args] of Object.entries(drainSides)) {
        await fill(drainQueue, COUNT, body);
        result[side] = await timed(process.execPath, args(), { cpu: true });
        if ((await depth(drainQueue)) !== 0) throw new Error(`drain (${side}) left messages behind`);
        const lines = result[side].lines;
        if (lines !== COUNT) throw new Error(`drain (${side}) wrote ${lines} lines, not ${COUNT}`);
      }
      rounds.push(result);
    }
    const worst = (side) =>
      rounds.reduce((a, b) => (a[side].seconds / a.bare.seconds >= b[side].seconds / b.bare.seconds ? a : b));
    const cpu = (run) =>
      `${run.seconds.toFixed(2)}s wall, CPU: process ${run.cpu.toFixed(2)}s, server ${run.serverCpu.toFixed(2)}s`;
    const sizes =
      data === ""
        ? ""
        : `; bodies of ${Math.min(...realisticBytes)} B to ${Math.max(...realisticBytes)} B, median ${median(realisticBytes)} B, ${(realisticBytes.reduce((a, b) => a + b, 0) / 1e6).toFixed(1)} MB in all`;
    console.log(
      `drain of ${COUNT}${data} messages${sizes}, ${DRAIN_ROUNDS} rounds (each side's wall and CPU):`,
    );
    rounds.forEach((round, index) => {
      for (const side of Object.keys(drainSides))
        console.log(`  round ${index + 1} ${side.padEnd(14)} ${cpu(round[side])}`);
    });
    const serial = worst("consume");
    rows.push({
      task: `drain ${COUNT}${data} (tail --consume --json), worst of ${DRAIN_ROUNDS}`,
      ours: serial.consume.seconds,
      baseline: serial.bare.seconds,
      peer: "bare SDK loop",
      goal: 1.5,
    });
    const reference = worst("bareConcurrent");
    rows.push({
      task: `reference${data}: the bare loop with ${DRAIN_CONCURRENCY} concurrent receive loops, worst of ${DRAIN_ROUNDS}`,
      ours: reference.bareConcurrent.seconds,
      baseline: reference.bare.seconds,
      peer: "bare SDK loop",
    });
    const parallel = worst("concurrent");
    rows.push({
      task: `drain ${COUNT}${data} (tail --consume --concurrency ${DRAIN_CONCURRENCY} --json), worst of ${DRAIN_ROUNDS}`,
      ours: parallel.concurrent.seconds,
      baseline: parallel.bare.seconds,
      peer: "bare SDK loop",
      goal: 0.6,
    });
  }

  // 2. Send 10,000 lines.
  const sendQueue = await createQueue("bench-send");
  const file = join(scratch, "lines.ndjson");
  writeFileSync(file, `${Array.from({ length: COUNT }, (_, index) => record(index)).join("\n")}\n`);
  const sent = await timed(process.execPath, [
    bin,
    "send",
    "sqs:bench-send",
    "--lines",
    "--file",
    file,
    ...endpointArgs,
  ]);
  const bareSent = await timed(process.execPath, nodeScript(bareSend, stack.endpoint, sendQueue, file));
  if ((await depth(sendQueue)) !== 2 * COUNT) throw new Error("send did not deliver every line");
  rows.push({
    task: `send ${COUNT} lines (send --lines)`,
    ours: sent.seconds,
    baseline: bareSent.seconds,
    peer: "bare SDK loop",
    goal: 1.5,
  });

  // 3. One message, against the AWS CLI.
  const hasAws = spawnSync("aws", ["--version"], { env }).status === 0;
  const single = [];
  for (let run = 0; run < 5; run += 1) {
    single.push(
      (await timed(process.execPath, [bin, "send", "bench-send", '{"orderId":1}', ...endpointArgs])).seconds,
    );
  }
  if (hasAws) {
    const cli = [];
    for (let run = 0; run < 5; run += 1) {
      const result = await timed(
        "aws",
        ["sqs", "send-message", "--queue-url", sendQueue, "--message-body", '{"orderId":1}', ...endpointArgs],
        { allowFailure: true },
      );
      if (result.code !== 0) throw new Error(`aws sqs send-message failed: ${result.stderr}`);
      cli.push(result.seconds);
    }
    rows.push({
      task: "one send (median of 5)",
      ours: median(single),
      baseline: median(cli),
      peer: "aws sqs send-message",
      goal: 0.5,
    });
  } else {
    rows.push({
      task: "one send (median of 5)",
      ours: median(single),
      baseline: undefined,
      peer: "aws CLI not on PATH: skipped",
      goal: 0.5,
    });
  }

  // 4. invoke --wait: a function that answers after 200 ms, its Success record on an SQS destination, against
  //    a bare SDK script that invokes and long-polls that queue for the record (each the median of 5).
  const { LambdaClient, CreateFunctionCommand, PutFunctionEventInvokeConfigCommand } = await import(
    "@aws-sdk/client-lambda"
  );
  const { zipSync, strToU8 } = await import("fflate");
  const lambda = new LambdaClient({
    endpoint: stack.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const recordQueue = await createQueue("bench-wait-records");
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: recordQueue, AttributeNames: ["QueueArn"] }),
  );
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "bench-wait",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/bench",
      Code: {
        ZipFile: zipSync({
          "index.mjs": strToU8(
            "export const handler = async (event) => { await new Promise((r) => setTimeout(r, 200)); return { ok: true, event }; };",
          ),
        }),
      },
    }),
  );
  await lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "bench-wait",
      DestinationConfig: { OnSuccess: { Destination: Attributes.QueueArn } },
    }),
  );
  lambda.destroy();
  const invokeWait = async () =>
    (
      await timed(process.execPath, [
        bin,
        "invoke",
        "bench-wait",
        '{"orderId":1}',
        "--wait",
        "-q",
        ...endpointArgs,
      ])
    ).seconds;
  const waits = [];
  const bareWaits = [];
  for (let run = 0; run < 5; run += 1) {
    waits.push(await invokeWait());
    bareWaits.push(
      (await timed(process.execPath, nodeScript(bareWait, stack.endpoint, recordQueue))).seconds,
    );
  }
  rows.push({
    task: "invoke --wait, record ~200 ms after (median of 5)",
    ours: median(waits),
    baseline: median(bareWaits),
    peer: "bare SDK invoke + poll",
    goal: 1.5,
  });

  // 5. The same behind a backlog: the destination queue holds 100 earlier records (every earlier --wait leaves
  //    its record there: a peek never deletes), refilled before each run. The bare script hides what it
  //    receives (a 30 s visibility timeout, as `aws sqs receive-message` does) and gives nothing back; the
  //    wait gives every message back.
  const backlogWaits = [];
  const bareBacklogWaits = [];
  for (let run = 0; run < 5; run += 1) {
    await purge(recordQueue);
    await fill(recordQueue, 100);
    backlogWaits.push(await invokeWait());
    if ((await visible(recordQueue)) !== 101)
      throw new Error("invoke --wait did not leave the backlog visible");
    await purge(recordQueue);
    await fill(recordQueue, 100);
    bareBacklogWaits.push(
      (await timed(process.execPath, nodeScript(bareBacklogWait, stack.endpoint, recordQueue))).seconds,
    );
  }
  rows.push({
    task: "invoke --wait behind 100 earlier records (median of 5)",
    ours: median(backlogWaits),
    baseline: median(bareBacklogWaits),
    peer: "bare SDK invoke + receive, hiding",
    goal: 1.5,
  });
} finally {
  sqs.destroy();
  await stack.stop();
  rmSync(scratch, { recursive: true, force: true });
}

const format = (seconds) => (seconds === undefined ? "-" : `${seconds.toFixed(2)}s`);
const table = [["task", "lambda-dest", "baseline", "vs", "ratio", "goal", ""]];
for (const row of rows) {
  const ratio = row.baseline === undefined ? undefined : row.ours / row.baseline;
  table.push([
    row.task,
    format(row.ours),
    format(row.baseline),
    row.peer,
    ratio === undefined ? "-" : `${ratio.toFixed(2)}x`,
    row.goal === undefined ? "" : `<= ${row.goal}x`,
    row.goal === undefined ? "" : ratio === undefined ? "skipped" : ratio <= row.goal ? "ok" : "MISSED",
  ]);
}
const widths = table[0].map((_, column) => Math.max(...table.map((cells) => cells[column].length)));
console.log("\nfire-watch benchmark (local stack, one run)");
for (const cells of table)
  console.log(
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join("  ")
      .trimEnd(),
  );

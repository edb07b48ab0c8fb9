/**
 * Issue 8, items 9 to 13: envelopes and files that others wrote. Deep nesting, numbers a double cannot hold,
 * duplicate keys, invalid UTF-8 and unreadable files each become the affected item's (or file's) report, and
 * every other item is still processed.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { ReceiveMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeItem } from "../../src/envelopes/item-result.js";
import { type LocalStack, startLocalStack } from "../../src/local/stack.js";
import { describeReadError, forEachItem, type SourceItem } from "../../src/sources/read-items.js";
import { type Clients, clientsFor, createQueue, destroyClients } from "../integration/local/helpers.js";
import { fixture, fixtures, runRaw } from "./output-helpers.js";

const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-envelopes-"));
const write = (name: string, content: string | Buffer) => {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
};
const good = join(fixtures, "success-record.json");
const goodText = readFileSync(good, "utf8");
const compact = (name: string) => JSON.stringify(fixture(name));
const deepArray = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const TOO_DEEP = "nested deeper than 1000 levels";

async function itemsOf(stdin: NodeJS.ReadableStream, sources = ["-"]) {
  const items: SourceItem[] = [];
  const unreadable: { source: string; message: string }[] = [];
  await forEachItem(
    sources,
    { cwd: scratch, stdin },
    (item) => items.push(item),
    (problem) => unreadable.push(problem),
  );
  return { items, unreadable };
}

describe("#9 deep nesting is the item's error, never a crash", () => {
  const deepFile = write("deep.json", deepObject(100_000));
  const deepArrayFile = write("deep-array.json", deepArray(100_000));

  it.each([
    [["show"], "✓ SUCCESS  invocation-record"],
    [["show", "--json"], '"kind":"invocation-record"'],
    [["show", "--raw"], '"requestId": "e4b46cbf-b738-4f4a-9c2b-8e6f3b0a7c41"'],
    [["validate"], "✓ "],
    [["validate", "--json"], '"valid":true'],
  ])(
    "#9 %j: a 100,000-level document is that item's error (exit 1), the next file is still processed",
    async (args, goodOutput) => {
      const result = await runRaw([...args, deepFile, deepArrayFile, good]);
      expect(result.stderr).not.toContain("Maximum call stack");
      expect(result.stderr).not.toContain("unexpected error");
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(goodOutput);
      if (!args.includes("--raw")) expect(result.stdout.split(TOO_DEEP)).toHaveLength(3);
      else expect(result.stderr.split(TOO_DEEP)).toHaveLength(3);
    },
  );

  it("#9 validate --schema with the user's own recursive schema", async () => {
    const schema = write(
      "recursive.schema.json",
      JSON.stringify({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: ["object", "array", "number"],
        items: { $ref: "#" },
        additionalProperties: { $ref: "#" },
      }),
    );
    const fine = write("fine.json", deepObject(500));
    const result = await runRaw(["validate", "--json", "--schema", schema, deepFile, deepArrayFile, fine]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const { results } = JSON.parse(result.stdout);
    expect(results.map((item: any) => item.valid)).toEqual([false, false, true]);
    expect(results[0].errors[0]).toMatchObject({ line: 1, column: 5001 });
  });

  it("#9 a syntax error inside text nested 100,000 deep is reported with a position", async () => {
    const broken = write("deep-broken.json", `${"[".repeat(100_000)}1,]`);
    const result = await runRaw(["validate", "--json", broken, good]);
    expect(result.code).toBe(1);
    const { results } = JSON.parse(result.stdout);
    expect(results[0].errors[0].message).toContain(TOO_DEEP);
    expect(results[0].errors[0]).toMatchObject({ line: 1, column: 1001 });
    expect(results[1].valid).toBe(true);
  });

  it("#9 a body nested too deeply inside a message of a batch: that record is invalid, the others are read", async () => {
    const message = (body: string, id: string) => ({ MessageId: id, ReceiptHandle: `r-${id}`, Body: body });
    const path = write(
      "batch.json",
      JSON.stringify({
        Messages: [
          message(compact("success-record.json"), "1"),
          message(deepObject(5_000), "2"),
          message(compact("failure-node.json"), "3"),
        ],
      }),
    );
    const result = await runRaw(["show", "--json", path]);
    expect(result.code).toBe(1);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.record, line.valid, line.summary.outcome])).toEqual([
      [0, true, "success"],
      [1, false, "unknown"],
      [2, true, "failure"],
    ]);
    expect(lines[1].errors[0]).toMatchObject({ path: "/Messages/1/Body", innerPath: "/" });
    expect(lines[1].errors[0].message).toContain(TOO_DEEP);
    // The body is kept as the text it is: nothing is lost.
    expect(lines[1].payload).toBe(deepObject(5_000));
  });

  it("#9 nesting up to the limit is shown in full", async () => {
    const record = fixture("success-record.json");
    record.requestPayload = JSON.parse(deepArray(990));
    const result = await runRaw(["show", write("at-limit.json", JSON.stringify(record))]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("✓ SUCCESS");
  });

  describe("#9 tail", () => {
    let stack: LocalStack;
    let clients: Clients;
    beforeAll(async () => {
      stack = await startLocalStack({ port: 0 });
      clients = clientsFor(stack);
    });
    afterAll(async () => {
      destroyClients(clients);
      await stack?.stop();
    });

    it("#9 tail --consume --json: a too-deep message is written as an invalid envelope with its body, its batch too, and all are deleted once written", async () => {
      const queue = await createQueue(clients, "deep-consume");
      const deepBody = deepObject(100_000);
      await clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: [
            { Id: "a", MessageBody: compact("success-record.json") },
            { Id: "b", MessageBody: deepBody },
            { Id: "c", MessageBody: compact("failure-node.json") },
          ],
        }),
      );
      const out = join(scratch, "deep-tail.ndjson");
      const result = await runRaw([
        "tail",
        "sqs:deep-consume",
        "--consume",
        "--json",
        "--max",
        "3",
        "--timeout",
        "20s",
        "--out",
        out,
        "--endpoint-url",
        stack.endpoint,
        "--region",
        stack.region,
      ]);
      expect(result.stderr).not.toContain("Maximum call stack");
      expect(result.code).toBe(1);
      const lines = result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(lines).toHaveLength(3);
      const deep = lines.find((line) => !line.valid);
      expect(deep.errors[0].message).toContain(TOO_DEEP);
      expect(deep.payload).toBe(deepBody);
      expect(
        lines
          .filter((line) => line.valid)
          .map((line) => line.summary.outcome)
          .sort(),
      ).toEqual(["failure", "success"]);
      expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(3);
      const left = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      expect(left.Messages ?? []).toEqual([]);
    });
  });
});

describe("#10 numbers and text as written", () => {
  const written = `{
  "version": "1.0",   "timestamp": "2025-11-14T18:16:05.568Z",
  "requestContext": {"requestId": "e4b46cbf-b738-4f4a-9c2b-8e6f3b0a7c41", "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:order-processor:$LATEST", "condition": "Success", "approximateInvokeCount": 1},
  "requestPayload": {"big": 1e400, "tiny": 1e-400, "negativeZero": -0, "long": 12345678901234567890, "precise": 0.1000000000000000055511151231257827, "plain": 1.50},
  "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
  "responsePayload": null
}`;

  it("#10 show --raw prints a document, NDJSON lines and array elements exactly as written", async () => {
    const document = await runRaw(["show", "--raw", write("written.json", written)]);
    expect(document.code).toBe(0);
    expect(document.stdout).toBe(`${written}\n`);
    const lines = [written.replace(/\n/g, " "), compact("failure-node.json"), '{"b": -0.0,  "a": 1E+2}'];
    const ndjson = await runRaw(["show", "--raw", write("written.ndjson", `${lines.join("\n")}\n`)]);
    expect(ndjson.stdout).toBe(`${lines.join("\n")}\n`);
    const elements = ['{"x": 1e400}', '  {"y" :  [ -0 , 12345678901234567890 ] }', '"text"'];
    const array = await runRaw(["show", "--raw", write("written-array.json", `[${elements.join(",\n")}]`)]);
    expect(array.stdout).toBe(`${elements.map((element) => element.trim()).join("\n")}\n`);
  });

  it("#10 the text view shows numbers a double cannot hold as written, also inside a message body", async () => {
    const expectWritten = (stdout: string) => {
      expect(stdout).not.toContain("Infinity");
      for (const literal of [
        '"big": 1e400',
        '"tiny": 1e-400',
        '"negativeZero": -0',
        '"long": 12345678901234567890',
      ]) {
        expect(stdout).toContain(literal);
      }
      expect(stdout).toContain('"precise": 0.1000000000000000055511151231257827');
      // A number that prints as it was meant is left alone.
      expect(stdout).toContain('"plain": 1.5');
    };
    const shown = await runRaw(["show", write("numbers.json", written)]);
    expectWritten(shown.stdout);
    const body = written.replace(/\n/g, "");
    const inMessage = await runRaw(["show", "-"], {
      input: JSON.stringify({ MessageId: "m-1", ReceiptHandle: "r-1", Body: body }),
    });
    expect(inMessage.stdout).toContain("(sqs-message › invocation-record)");
    expectWritten(inMessage.stdout);
  });
});

describe("#11 duplicate keys", () => {
  const duplicated = goodText.replace(
    '"condition": "Success",',
    '"condition": "RetriesExhausted",\n    "condition": "Success",',
  );
  const warning = 'key "condition" is given twice in one object';

  it("#11 a key given twice is a warning naming the key, its pointer and line:column; --strict makes it an error", async () => {
    const path = write("duplicate.json", duplicated);
    const human = await runRaw(["validate", path]);
    expect(human.code).toBe(0);
    // Text wraps at 100 columns when piped, breaking at spaces: the lines joined back read the warning whole.
    expect(human.stdout.replace(/\n +/g, " ")).toContain(
      `warning  /requestContext/condition (line 8, column 5): ${warning}`,
    );
    const json = await runRaw(["validate", "--json", path]);
    expect(JSON.parse(json.stdout).results[0].warnings[0]).toMatchObject({
      path: "/requestContext/condition",
      line: 8,
      column: 5,
    });
    const strict = await runRaw(["validate", "--strict", path]);
    expect(strict.code).toBe(1);
    const shown = await runRaw(["show", path]);
    // show wraps at 100 columns when piped, breaking at spaces: the lines joined back read the warning whole.
    expect(shown.stdout.replace(/\n +/g, " ")).toContain(warning);
  });

  it("#11 inside a message body, in an array element, and in a line of a streamed NDJSON file", async () => {
    const record = duplicated.replace(/\n\s*/g, "");
    const inBody = await runRaw(["validate", "--json", "-"], {
      input: JSON.stringify({ MessageId: "m-1", ReceiptHandle: "r-1", Body: record }),
    });
    const [result] = JSON.parse(inBody.stdout).results;
    expect(result.warnings[0]).toMatchObject({ path: "/Body", innerPath: "/requestContext/condition" });
    expect(result.warnings[0].message).toContain(warning);

    const array = await runRaw([
      "validate",
      "--json",
      write("duplicate-array.json", `[${goodText}, ${duplicated}]`),
    ]);
    const elements = JSON.parse(array.stdout).results;
    expect(elements[0].warnings).toEqual([]);
    expect(elements[1].warnings[0]).toMatchObject({ path: "/requestContext/condition", line: 21 });

    const line = compact("success-record.json");
    const lines = Array.from({ length: 800 }, () => line);
    lines[700] = record;
    const ndjson = write("duplicate.ndjson", `${lines.join("\n")}\n`);
    expect(readFileSync(ndjson).length).toBeGreaterThan(256 * 1024);
    const streamed = await runRaw(["validate", "--json", ndjson]);
    const warned = JSON.parse(streamed.stdout).results.filter((item: any) => item.warnings.length > 0);
    expect(warned.map((item: any) => [item.line, item.warnings[0].path, item.warnings[0].line])).toEqual([
      [701, "/requestContext/condition", 701],
    ]);
  });
});

describe("#12 invalid UTF-8", () => {
  const withBadBytes = (text: string, at: number) =>
    Buffer.concat([
      Buffer.from(text.slice(0, at)),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(text.slice(at)),
    ]);

  it("#12 a small file and stdin: a warning naming the byte offset and the line", async () => {
    const bytes = withBadBytes(goodText, goodText.indexOf("order-processor"));
    const offset = goodText.indexOf("order-processor");
    for (const args of [
      ["validate", "--json", write("latin.json", bytes)],
      ["validate", "--json", "-"],
    ]) {
      const result = await runRaw(args, { input: bytes });
      const [item] = JSON.parse(result.stdout).results;
      expect(item.warnings[0].message).toMatch(
        new RegExp(`^not valid UTF-8 at byte ${offset} \\(line 6\\), and 1 more in the line`),
      );
      expect(item.warnings[0]).toMatchObject({ path: "", line: 6 });
    }
  });

  it("#12 a streamed NDJSON file: the line and the byte offset in the line", async () => {
    const line = compact("success-record.json");
    const parts = Array.from({ length: 900 }, () => Buffer.from(`${line}\n`));
    parts[850] = Buffer.concat([withBadBytes(line, 20), Buffer.from("\n")]);
    const path = write("latin.ndjson", Buffer.concat(parts));
    expect(readFileSync(path).length).toBeGreaterThan(256 * 1024);
    const result = await runRaw(["validate", "--json", path]);
    const warned = JSON.parse(result.stdout).results.filter((item: any) => item.warnings.length > 0);
    expect(warned).toHaveLength(1);
    expect(warned[0].line).toBe(851);
    expect(warned[0].warnings[0].message).toContain(
      `not valid UTF-8 at byte 20 of line 851 (byte ${850 * (line.length + 1) + 20} of the input)`,
    );
  });
});

describe("#13 unreadable files", () => {
  it("#13 a file that fails on read (EIO, EINVAL), a directory and a missing file: one line each, exit 2, the others still processed", async () => {
    // Tests run as root, where permissions do not stop reads: /proc files that fail on read do.
    const directory = join(scratch, "a-directory");
    mkdirSync(directory, { recursive: true });
    const result = await runRaw([
      "validate",
      "/proc/self/mem",
      good,
      "/proc/self/clear_refs",
      directory,
      join(scratch, "missing.json"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`✓ ${good}  invocation-record`);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe("lambda-dest: cannot read /proc/self/mem: input/output error while reading (EIO)");
    expect(lines[1]).toMatch(
      /^lambda-dest: cannot read \/proc\/self\/clear_refs: (cannot be read as a file \(EINVAL\)|permission denied \(EACCES\))$/,
    );
    expect(lines[2]).toContain(`cannot read ${directory}: is a directory`);
    expect(lines[3]).toContain("missing.json: no such file");
    const shown = await runRaw(["show", "/proc/self/mem", good]);
    expect(shown.code).toBe(2);
    expect(shown.stdout).toContain("✓ SUCCESS");
  });

  it("#13 a stream that fails part-way: the items read before are reported, then the error", async () => {
    const line = `${compact("success-record.json")}\n`;
    let sent = 0;
    const stdin = new Readable({
      read() {
        sent += 1;
        if (sent <= 3) this.push(line.repeat(2));
        else this.destroy(Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" }));
      },
    });
    const { items, unreadable } = await itemsOf(stdin);
    expect(items).toHaveLength(6);
    expect(items.every((item) => analyzeItem(item, {})[0]!.valid)).toBe(true);
    expect(unreadable).toEqual([{ source: "-", message: "input/output error while reading (EIO)" }]);
  });

  it.each([
    ["ENOENT", "no such file"],
    ["EACCES", "permission denied (EACCES)"],
    ["EPERM", "permission denied (EPERM)"],
    ["EISDIR", "is a directory; give the files in it, or a glob such as dir/*.json"],
    ["ENOTDIR", "a part of the path is not a directory (ENOTDIR)"],
    ["ELOOP", "too many levels of symbolic links (ELOOP)"],
    ["EIO", "input/output error while reading (EIO)"],
    ["EINVAL", "cannot be read as a file (EINVAL)"],
    ["ENXIO", "no such device (ENXIO)"],
    ["EMFILE", "too many open files (EMFILE); try fewer files at once"],
    ["EWHATEVER", "cannot be read (EWHATEVER): boom"],
  ])("#13 %s reads as: %s", (code, message) => {
    expect(describeReadError(Object.assign(new Error("boom"), { code }))).toBe(message);
  });
});

// The worker-thread path of a large NDJSON file (sources/parallel-ndjson.ts) against the single-thread
// reader, through the built binary (`npm run build` first): the same file, forced down each path by the
// internal LAMBDA_DEST_PARALLEL_BYTES threshold, must give the same bytes on stdout and stderr and the same
// exit code, with line numbers, item indexes and byte offsets that match what was written.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateTexts } from "../../../src/generate/index.js";
import { parallelNdjson, parallelPlan, type Segment } from "../../../src/sources/parallel-ndjson.js";
import { runCli } from "../../support/run-cli.js";

const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-parallel-"));
const SINGLE = { LAMBDA_DEST_PARALLEL_BYTES: String(2 ** 50) };
// The workers take part even though the main thread could read the whole file before one is ready.
const PARALLEL = { LAMBDA_DEST_PARALLEL_BYTES: "1000", LAMBDA_DEST_PARALLEL_WAIT: "1" };

/** About 2 MB of NDJSON with everything a reader can get wrong, at places spread over many segments. */
function trickyFile(): { path: string; lines: number } {
  const records = [
    ...generateTexts("invocation-record", { count: 40, seed: 7, runtime: "java" }),
    ...generateTexts("dlq-message", { count: 20, seed: 8, wrap: ["sqs"] }),
    ...generateTexts("esm-failure-record", { count: 20, seed: 9, wrap: ["sns"] }),
  ].map((item) => Buffer.from(item.text));
  const oddities: Buffer[] = [
    Buffer.from(""), // blank
    Buffer.from("   \t"), // white space only
    Buffer.from("\u00a0\u2028"), // white space that only String.trim knows
    Buffer.from('{"broken": '), // not JSON
    Buffer.from('{"a":1,"a":2}\r'), // CRLF, a key twice
    Buffer.from('{"k\u202e":1,"k\u202e":"\u0085\u2066"}'), // what --json output escapes (a worker does it)
    Buffer.concat([Buffer.from('{"bad":"'), Buffer.from([0xff, 0xfe]), Buffer.from('é"}')]), // not UTF-8
    Buffer.from(`${"[".repeat(1200)}${"]".repeat(1200)}`), // too deep
    Buffer.from(JSON.stringify({ long: "é".repeat(300_000) })), // longer than a segment
  ];
  const parts: Buffer[] = [Buffer.from([0xef, 0xbb, 0xbf])];
  for (let round = 0; round < 30; round++) {
    for (const [index, record] of records.entries()) {
      const odd = index % 37 === round % 37 && round + index > 0; // the first line makes it NDJSON
      parts.push(odd ? oddities[(index + round) % oddities.length]! : record);
      parts.push(Buffer.from("\n"));
    }
  }
  parts.push(records[0]!); // no line feed at the end
  const path = join(scratch, "tricky.ndjson");
  const bytes = Buffer.concat(parts);
  writeFileSync(path, bytes);
  // The last line's number: one more than the line feeds written (the file does not end with one).
  let lines = 1;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) lines++;
  return { path, lines };
}

describe("validate on a large NDJSON file: worker threads and one thread agree byte for byte", () => {
  const { path, lines } = trickyFile();

  it.each([
    ["--json", ["--json"]],
    ["-q", ["-q"]],
    ["human output", []],
    ["--json --strict", ["--json", "--strict"]],
  ])("%s", async (_name, flags) => {
    const single = await runCli(["validate", path, ...flags], { env: SINGLE, raw: true });
    const parallel = await runCli(["validate", path, ...flags], { env: PARALLEL, raw: true });
    expect(parallel.stderr).toBe(single.stderr);
    expect(parallel.code).toBe(single.code);
    expect(parallel.stdout.length).toBeGreaterThan(0);
    expect(parallel.stdout === single.stdout).toBe(true);
    if (flags[0] === "--json") {
      const results = JSON.parse(parallel.stdout).results as Array<{ index: number; line: number }>;
      // Every item is numbered in order, and the last line is where the file ends.
      expect(results.map((result) => result.index)).toEqual(results.map((_, index) => index));
      expect(results.at(-1)!.line).toBe(lines);
      expect(parallel.code).toBe(1);
      // The bidi override in a key is written escaped, as one thread writes it.
      expect(parallel.stdout).toContain("k\\u202e");
      expect(parallel.stdout).not.toContain("\u202e");
    }
  });

  it("--threads 1 reads on one thread, --threads 2 and 3 with one and two workers: the same output", async () => {
    const single = await runCli(["validate", path, "--json"], { env: SINGLE, raw: true });
    for (const threads of ["1", "2", "3"]) {
      const result = await runCli(["validate", path, "--json", "--threads", threads], {
        env: PARALLEL,
        raw: true,
      });
      expect(result.code).toBe(single.code);
      expect(result.stdout === single.stdout).toBe(true);
      expect(result.stderr).toBe(single.stderr);
    }
  });

  it("more output than a segment's bytes (a worker's result buffer grows): the same bytes", async () => {
    // 700 KB of short lines, half of them not JSON: each gets an error report several times its length.
    const broken = join(scratch, "broken.ndjson");
    writeFileSync(broken, '{"ok":"ø"}\n{"brøken": "é\n'.repeat(30_000));
    const single = await runCli(["validate", broken], { env: SINGLE, raw: true });
    const parallel = await runCli(["validate", broken], { env: PARALLEL, raw: true });
    expect(parallel.code).toBe(single.code);
    expect(parallel.stdout.length).toBeGreaterThan(4_000_000);
    expect(parallel.stdout === single.stdout).toBe(true);
  });

  it("names the invalid UTF-8 by its byte in the whole input, past the byte order mark", async () => {
    const parallel = await runCli(["validate", path, "--json"], { env: PARALLEL });
    const warnings = (JSON.parse(parallel.stdout).results as Array<{ warnings: Array<{ message: string }> }>)
      .flatMap((result) => result.warnings)
      .map((warning) => warning.message)
      .filter((message) => message.startsWith("not valid UTF-8"));
    expect(warnings.length).toBeGreaterThan(1);
    const single = await runCli(["validate", path, "--json"], { env: SINGLE });
    expect(parallel.stdout).toBe(single.stdout);
  });
});

describe("parallelNdjson hands segments to the workers and gives the results back in order", () => {
  interface Counted {
    seq: number;
    lineNumber: number;
    lineFeeds: number;
    thread: number;
  }
  const workerUrl = new URL("../../fixtures/workers/segment-counter.mjs", import.meta.url);
  const file = join(scratch, "counted.ndjson");
  // 3 MB of short lines: a dozen segments of 256 KB.
  writeFileSync(file, `${'{"n":1}\n'.repeat(3 * 131_072)}`);

  /** A segment counted on the main thread (thread 0), as the fixture worker counts it. */
  const local = (segment: Segment): Counted => ({
    seq: segment.seq,
    lineNumber: segment.lineNumber,
    lineFeeds: segment.bytes.reduce((count, byte) => count + (byte === 0x0a ? 1 : 0), 0),
    thread: 0,
  });
  /** Every segment, in input order, its lines numbered on from the last. */
  const expectInOrder = (results: Counted[]) => {
    expect(results.map((result) => result.seq)).toEqual(results.map((_, index) => index));
    let lineNumber = 0;
    for (const result of results) {
      expect(result.lineNumber).toBe(lineNumber);
      lineNumber += result.lineFeeds;
    }
    expect(lineNumber).toBe(3 * 131_072);
  };

  it("with mainThreadWorks false, the workers count every segment; results come back in order, lines numbered on", async () => {
    const plan = parallelPlan(file, scratch, 1000, 2)!;
    expect(plan).toBeDefined();
    const results: Counted[] = [];
    for await (const result of parallelNdjson<Counted>(plan, workerUrl, undefined, local, {
      waitForWorkers: true,
      mainThreadWorks: false,
    })) {
      results.push(result);
    }
    expectInOrder(results);
    expect(results.length).toBeGreaterThan(10);
    for (const result of results) expect(result.thread).not.toBe(0);
  });

  it("with workers: 1, one worker counts every segment", async () => {
    const plan = parallelPlan(file, scratch, 1000, 2)!;
    const threads = new Set<number>();
    const local = (segment: Segment): Counted => ({
      seq: segment.seq,
      lineNumber: 0,
      lineFeeds: 0,
      thread: 0,
    });
    for await (const result of parallelNdjson<Counted>(plan, workerUrl, undefined, local, {
      waitForWorkers: true,
      workers: 1,
      mainThreadWorks: false,
    })) {
      threads.add(result.thread);
    }
    expect(threads.size).toBe(1);
    expect(threads.has(0)).toBe(false);
  });

  it("with no worker, the main thread reads every segment into the same buffer, and ends", async () => {
    const plan = parallelPlan(file, scratch, 1000, 2)!;
    const results: Counted[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const result of parallelNdjson<Counted>(
      plan,
      workerUrl,
      undefined,
      (segment) => {
        buffers.add(segment.bytes.buffer);
        return local(segment);
      },
      { workers: 0 },
    )) {
      results.push(result);
    }
    expectInOrder(results);
    expect(results.length).toBeGreaterThan(10);
    expect(buffers.size).toBe(1);
  });

  it("the main thread takes a segment whenever the worker has its segments queued; all in order", async () => {
    const plan = parallelPlan(file, scratch, 1000, 2)!;
    const results: Counted[] = [];
    for await (const result of parallelNdjson<Counted>(plan, workerUrl, undefined, local, {
      waitForWorkers: true,
      workers: 1,
    })) {
      results.push(result);
    }
    expectInOrder(results);
    const threads = new Set(results.map((result) => result.thread));
    // Once the worker is ready it gets its segments first; the next is the main thread's.
    expect(threads.has(0)).toBe(true);
    expect(threads.size).toBe(2);
  });
});

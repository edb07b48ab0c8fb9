import { execFileSync } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { forEachItem, type SourceItem } from "../../../src/sources/read-items.js";

const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-read-"));

async function itemsOf(text: string, name: string): Promise<SourceItem[]> {
  writeFileSync(join(scratch, name), text);
  const items: SourceItem[] = [];
  await forEachItem(
    [name],
    { cwd: scratch, stdin: new PassThrough() },
    (item) => items.push(item),
    () => {},
  );
  return items;
}

/** This process's descriptors open on `path` (Linux's /proc; none elsewhere). */
function openDescriptorsOf(path: string): string[] {
  if (process.platform !== "linux") return [];
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}

function ndjson(lines: number, broken: number): string {
  const padding = "x".repeat(100);
  return Array.from({ length: lines }, (_, index) =>
    index === broken ? '{"broken": ' : JSON.stringify({ index, padding }),
  ).join("\n");
}

describe("reading items", () => {
  it.each([
    ["a small file, read at once", 20],
    ["a large file, streamed", 5_000],
  ])(
    "NDJSON in %s: one item per line, line numbers kept, a broken line reported where it is",
    async (_name, lines) => {
      const broken = Math.floor(lines / 2);
      const items = await itemsOf(ndjson(lines, broken), `lines-${lines}.ndjson`);
      expect(items).toHaveLength(lines);
      expect(items.every((item) => item.form === "line")).toBe(true);
      expect(items[broken]).toMatchObject({
        index: broken,
        lineOffset: broken,
        syntaxError: { line: broken + 1 },
      });
      expect(items[lines - 1]!.value).toMatchObject({ index: lines - 1 });
    },
  );

  it("a pretty-printed document and a JSON array", async () => {
    const [document] = await itemsOf('{\n  "a": 1\n}\n', "doc.json");
    expect(document).toMatchObject({ form: "document", value: { a: 1 } });
    const elements = await itemsOf("[1, 2, 3]", "array.json");
    expect(elements.map((item) => [item.form, item.value, item.pointerPrefix])).toEqual([
      ["element", 1, "/0"],
      ["element", 2, "/1"],
      ["element", 3, "/2"],
    ]);
  });

  it("one JSON line is a document, not NDJSON", async () => {
    const [item] = await itemsOf('{"a": 1}\n', "one.json");
    expect(item).toMatchObject({ form: "document", value: { a: 1 } });
  });

  it.each([
    ["a small file, read at once", 20],
    ["a large file, streamed", 5_000],
  ])("NDJSON with a byte order mark in %s: the mark is not part of the first line", async (_name, lines) => {
    const padding = "x".repeat(100);
    const text = `\ufeff${Array.from({ length: lines }, (_, index) => JSON.stringify({ index, padding })).join("\n")}`;
    const items = await itemsOf(text, `bom-${lines}.ndjson`);
    expect(items).toHaveLength(lines);
    expect(items[0]).toMatchObject({ form: "line", value: { index: 0 } });
    expect(items.every((item) => item.syntaxError === undefined)).toBe(true);
  });

  it("NDJSON from stdin in chunks cut anywhere (inside a line, inside a UTF-8 character): the same items as in one piece", async () => {
    const lines = [
      '{"name":"é€😀","n":1}',
      "",
      '{"crlf":true}\r',
      '{"broken": ',
      '{"a":1,"a":2}',
      '{"last":"ü"}',
    ];
    const bytes = Buffer.concat([
      Buffer.from(lines.slice(0, 4).join("\n")),
      Buffer.from([0x0a, 0x7b, 0x22, 0x62, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]), // {"b":"<0xFF>"}
      Buffer.from(lines.slice(4).join("\n")),
    ]);
    const read = (chunkSize: number) => {
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += chunkSize) pieces.push(bytes.subarray(at, at + chunkSize));
      return itemsFromStdin(pieces);
    };
    const whole = await read(bytes.length);
    expect(whole.map((item) => [item.index, item.lineOffset, item.text])).toEqual([
      [0, 0, '{"name":"é€😀","n":1}'],
      [1, 2, '{"crlf":true}'],
      [2, 3, '{"broken": '],
      [3, 4, '{"b":"\ufffd"}'],
      [4, 5, '{"a":1,"a":2}'],
      [5, 6, '{"last":"ü"}'],
    ]);
    expect(whole[3]!.warnings?.[0]?.message).toMatch(
      /^not valid UTF-8 at byte 6 of line 5 \(byte \d+ of the input\)/,
    );
    expect(whole[4]!.warnings?.[0]?.message).toMatch(/is given twice/);
    for (const size of [1, 2, 3, 7]) expect(await read(size)).toEqual(whole);
  });
});

describe("forEachItem hands each NDJSON line over as it is read", () => {
  const lines = (count: number) =>
    Array.from({ length: count }, (_, index) => JSON.stringify({ index, padding: "x".repeat(100) })).join(
      "\n",
    );

  it.each([
    ["a large file, read in chunks", "file"],
    ["stdin, streamed", "stdin"],
  ])(
    "in %s: what onItem throws comes out as it was thrown, and is not reported as unreadable",
    async (_name, from) => {
      const text = lines(5_000);
      writeFileSync(join(scratch, "throwing.ndjson"), text);
      const stdin = new PassThrough();
      const stop = new Error("the reader went away");
      const seen: number[] = [];
      const unreadable: unknown[] = [];
      const done = forEachItem(
        [from === "file" ? "throwing.ndjson" : "-"],
        { cwd: scratch, stdin },
        (item) => {
          seen.push(item.index);
          if (item.index === 3_000) throw stop;
        },
        (problem) => unreadable.push(problem),
      );
      if (from === "stdin") stdin.end(text);
      await expect(done).rejects.toBe(stop);
      expect(seen).toHaveLength(3_001);
      expect(seen.every((index, at) => index === at)).toBe(true);
      expect(unreadable).toEqual([]);
      // The file is closed, though it was read only in part.
      expect(openDescriptorsOf(join(scratch, "throwing.ndjson"))).toEqual([]);
    },
  );

  it.skipIf(process.platform !== "linux")(
    "a named pipe or device (streamed) is closed too when onItem throws",
    async () => {
      const path = join(scratch, "throwing.fifo");
      execFileSync("mkfifo", [path]);
      const stop = new Error("the reader went away");
      const done = forEachItem(
        ["throwing.fifo"],
        { cwd: scratch, stdin: new PassThrough() },
        (item) => {
          if (item.index === 10) throw stop;
        },
        () => {},
      );
      // Opened for reading and writing (which does not wait for a reader, on Linux) and kept open: the pipe
      // never ends, only the throw stops the reading.
      const writer = openSync(path, "r+");
      writeSync(writer, `${lines(50)}\n`);
      await expect(done).rejects.toBe(stop);
      // The read under way when it threw waits for more; once it has it, the descriptor is closed.
      writeSync(writer, `${lines(1)}\n`);
      const deadline = Date.now() + 5_000;
      while (openDescriptorsOf(path).length > 1 && Date.now() < deadline) {
        await new Promise((resume) => setTimeout(resume, 10));
      }
      expect(openDescriptorsOf(path)).toEqual([String(writer)]);
      closeSync(writer);
    },
  );

  it("a single line on stdin is still a document, and two lines are two lines", async () => {
    const read = async (text: string) =>
      (await itemsFromStdin([text])).map((item) => [item.form, item.value]);
    expect(await read('{"a":1}\n')).toEqual([["document", { a: 1 }]]);
    expect(await read('{"a":1}\n{"b":2}\n')).toEqual([
      ["line", { a: 1 }],
      ["line", { b: 2 }],
    ]);
  });
});

/** The items forEachItem reads from stdin, written to it in these pieces. */
async function itemsFromStdin(pieces: Array<Buffer | string>): Promise<SourceItem[]> {
  const stdin = new PassThrough();
  const items: SourceItem[] = [];
  const done = forEachItem(
    ["-"],
    { cwd: scratch, stdin },
    (item) => items.push(item),
    () => {},
  );
  for (const piece of pieces) stdin.write(piece);
  stdin.end();
  await done;
  return items;
}

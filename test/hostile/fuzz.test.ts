/**
 * Issue 8: a property-based test of the readers and renderers. Random bytes, random nesting depth and random
 * control characters inside otherwise valid envelopes (the fixtures are the seeds) go through the real
 * `validate` and `show` commands (called directly with an injected io, and a few times through the built
 * binary). Whatever comes in: no error escapes, nothing a terminal acts on is printed raw (our SGR colors,
 * newline and tab aside), and every item is still reported.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Chalk, type ChalkInstance } from "chalk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runShow } from "../../src/commands/show.js";
import { runValidate } from "../../src/commands/validate.js";
import type { CommandContext } from "../../src/io.js";
import { plainColors } from "../../src/render/colors.js";
import { findDuplicateKeys, mayHaveDuplicateKeys, measureValue } from "../../src/sources/json-checks.js";
import { controlsIn, fixtures, runRaw } from "./output-helpers.js";

const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-fuzz-"));

/** The fixtures, one value each (an NDJSON fixture gives its lines). */
const seeds: unknown[] = readdirSync(fixtures).flatMap((name) => {
  const text = readFileSync(join(fixtures, name), "utf8");
  return name.endsWith(".ndjson")
    ? text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line))
    : [JSON.parse(text)];
});

/** Characters a terminal acts on, and some that are harmless, to mix into strings. */
const controlChar = fc.constantFrom(
  "\u001b",
  "\u001b[2J",
  "\u001b]0;t\u0007",
  "\u0007",
  "\u0008",
  "\r",
  "\u000b",
  "\u007f",
  "\u0085",
  "\u009b",
  "\u009d",
  "\u202e",
  "\u2066",
  "\u2069",
  "\u200f",
  "\u061c",
  "\n",
  "\t",
  "\\",
  '"',
  "a",
  "é",
  "\ud83d\ude00",
);
const hostileString = fc.array(controlChar, { maxLength: 8 }).map((parts) => parts.join(""));

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in-process, with everything it writes captured. */
async function runCommand(
  command: "validate" | "show",
  files: string[],
  flags: { json?: boolean; raw?: boolean; strict?: boolean; colors?: boolean; stdin?: Buffer },
): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const colors: ChalkInstance = flags.colors ? new Chalk({ level: 1 }) : plainColors();
  const context: CommandContext = {
    io: {
      stdout: {
        write: (text) => {
          stdout += text;
        },
        isTTY: false,
      },
      stderr: {
        write: (text) => {
          stderr += text;
        },
        isTTY: false,
      },
      stdin: Readable.from(flags.stdin ? [flags.stdin] : []),
      env: {},
      cwd: scratch,
      now: () => new Date(0),
      watchInterrupts: () => new AbortController().signal,
    },
    colors,
    errorColors: colors,
    output: { json: flags.json === true, quiet: false, verbose: false },
    aws: {},
  };
  const code =
    command === "validate"
      ? await runValidate({ files, strict: flags.strict === true }, context)
      : await runShow({ files, raw: flags.raw === true }, context);
  return { code, stdout, stderr };
}

function expectNothingRaw(result: Captured, options: { colors?: boolean; raw?: boolean } = {}): void {
  // show --raw keeps CR LF line ends as written: a CR before a LF moves nothing a LF would not.
  const stdout = options.raw ? result.stdout.replace(/\r\n/g, "\n") : result.stdout;
  expect(controlsIn(stdout, options)).toEqual([]);
  expect(controlsIn(result.stderr, options)).toEqual([]);
}

/** Puts hostile text into every string (values and keys) of a value, where the generator says so. */
function salt(value: unknown, texts: string[], counter = { next: 0 }): unknown {
  const take = () => texts[counter.next++ % Math.max(1, texts.length)] ?? "";
  if (typeof value === "string") return `${value}${take()}`;
  if (Array.isArray(value)) return value.map((item) => salt(item, texts, counter));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item], index) => [
        index % 3 === 0 ? `${key}${take()}` : key,
        salt(item, texts, counter),
      ]),
    );
  }
  return value;
}

/** A mutated seed, as JSON text: hostile strings, maybe nested deep, maybe inside an SQS message body. */
const mutatedEnvelope = fc
  .record({
    seed: fc.constantFrom(...seeds),
    texts: fc.array(hostileString, { minLength: 1, maxLength: 6 }),
    depth: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 950, max: 3000 })),
    inBody: fc.boolean(),
    duplicate: fc.boolean(),
  })
  .map(({ seed, texts, depth, inBody, duplicate }) => {
    let text = JSON.stringify(salt(seed, texts));
    if (depth > 0) {
      // The nesting goes where a payload would be: deep inside the record's own object.
      text = text.replace(/^\{/, `{"nested":${"[".repeat(depth)}1${"]".repeat(depth)},`);
    }
    if (duplicate) text = text.replace(/^\{/, '{"version":"0.9",');
    if (inBody) text = JSON.stringify({ MessageId: "m-1", ReceiptHandle: "r-1", Body: text });
    return text;
  });

describe("fuzz: the readers and renderers never crash, never print raw controls, report every item", () => {
  it("random bytes as a file and as stdin: validate, show, show --json and show --raw", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 1500 }), fc.boolean(), async (bytes, colors) => {
        const path = join(scratch, "random.bin");
        writeFileSync(path, bytes);
        const buffer = Buffer.from(bytes);
        for (const [command, flags] of [
          ["validate", {}],
          ["validate", { json: true }],
          ["show", {}],
          ["show", { json: true }],
          ["show", { raw: true }],
        ] as const) {
          for (const input of [{ files: ["random.bin"] }, { files: ["-"], stdin: buffer }]) {
            const result = await runCommand(command, input.files, { ...flags, colors, stdin: input.stdin });
            expect([0, 1, 2]).toContain(result.code);
            expectNothingRaw(result, { colors, raw: "raw" in flags });
            if (command === "validate" && "json" in flags)
              expect(() => JSON.parse(result.stdout)).not.toThrow();
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it("hostile envelopes among good ones, as NDJSON and as a JSON array: each reported, the good ones still valid", async () => {
    const goodLines = seeds.slice(0, 3).map((seed) => JSON.stringify(seed));
    const goodValidity = (
      await Promise.all(
        goodLines.map(async (line, index) => {
          writeFileSync(join(scratch, `good-${index}.json`), line);
          const result = await runCommand("validate", [`good-${index}.json`], { json: true });
          return JSON.parse(result.stdout).results.every((item: any) => item.valid) as boolean;
        }),
      )
    ).map(Boolean);
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutatedEnvelope, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        fc.boolean(),
        async (hostile, position, colors) => {
          const lines = [...goodLines];
          lines.splice(position % (lines.length + 1), 0, ...hostile);
          writeFileSync(join(scratch, "mixed.ndjson"), `${lines.join("\n")}\n`);
          writeFileSync(join(scratch, "mixed.json"), `[${lines.join(",\n")}]`);
          for (const file of ["mixed.ndjson", "mixed.json"]) {
            const validated = await runCommand("validate", [file], { json: true, strict: true });
            expectNothingRaw(validated);
            expect([0, 1]).toContain(validated.code);
            const { results } = JSON.parse(validated.stdout);
            // Every item has at least one result, in order.
            expect([...new Set(results.map((item: any) => item.index))]).toEqual(
              lines.map((_, index) => index),
            );
            // The good items are as valid as they are on their own.
            goodLines.forEach((line, good) => {
              const index = lines.indexOf(line);
              const own = results.filter((item: any) => item.index === index);
              expect(own.every((item: any) => item.valid)).toBe(goodValidity[good]);
            });
            for (const flags of [{}, { json: true }, { raw: true }]) {
              const shown = await runCommand("show", [file], { ...flags, colors });
              expectNothingRaw(shown, { colors, raw: "raw" in flags });
              if ("json" in flags) {
                const shownLines = shown.stdout
                  .trim()
                  .split("\n")
                  .map((line) => JSON.parse(line));
                expect(new Set(shownLines.map((line) => line.index)).size).toBe(lines.length);
              }
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("the duplicate-key pre-check never misses a key given twice (spacing, escapes, nesting)", () => {
    const key = fc.constantFrom("a", "b", "a\\", 'q"', "é", "~/", "\u0085");
    const leaf = fc.oneof(fc.integer(), fc.constantFrom('":', "\\", 'x":y', "\\\\"), fc.constant(null));
    const space = fc.constantFrom("", " ", "\n", "\t ");
    type Node = { entries: Array<[string, Node | unknown]> } | unknown[] | unknown;
    const node: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.array(tie("node"), { maxLength: 3 }),
        fc.record({ entries: fc.array(fc.tuple(key, tie("node")), { maxLength: 4 }) }),
      ),
    })).node;
    const render = (value: Node, spacing: string[], at: { next: number }): string => {
      const gap = () => spacing[at.next++ % spacing.length] ?? "";
      if (Array.isArray(value)) return `[${value.map((item) => render(item, spacing, at)).join(",")}]`;
      if (value && typeof value === "object" && "entries" in value) {
        const members = (value as { entries: Array<[string, Node]> }).entries.map(
          ([name, item]) => `${gap()}${JSON.stringify(name)}${gap()}:${gap()}${render(item, spacing, at)}`,
        );
        return `{${members.join(",")}}`;
      }
      return JSON.stringify(value);
    };
    const duplicatesIn = (value: Node): number => {
      if (Array.isArray(value))
        return value.reduce<number>((sum, item) => sum + duplicatesIn(item as Node), 0);
      if (value && typeof value === "object" && "entries" in value) {
        const entries = (value as { entries: Array<[string, Node]> }).entries;
        const names = entries.map(([name]) => name);
        return (
          names.length - new Set(names).size + entries.reduce((sum, [, item]) => sum + duplicatesIn(item), 0)
        );
      }
      return 0;
    };
    fc.assert(
      fc.property(node, fc.array(space, { minLength: 1, maxLength: 4 }), (value, spacing) => {
        const text = render(value, spacing, { next: 0 });
        const { members } = measureValue(JSON.parse(text));
        const expected = duplicatesIn(value);
        expect(findDuplicateKeys(text)).toHaveLength(expected);
        if (expected > 0) expect(mayHaveDuplicateKeys(text, members)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("through the built binary: mutated envelopes among good ones", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutatedEnvelope, { minLength: 1, maxLength: 2 }), async (hostile) => {
        const lines = [JSON.stringify(seeds[0]), ...hostile, JSON.stringify(seeds[1])];
        const path = join(scratch, "binary.ndjson");
        writeFileSync(path, `${lines.join("\n")}\n`);
        const validated = await runRaw(["validate", "--json", path]);
        expect([0, 1]).toContain(validated.code);
        expect(controlsIn(validated.stdout)).toEqual([]);
        expect(controlsIn(validated.stderr)).toEqual([]);
        const indexes = new Set(JSON.parse(validated.stdout).results.map((item: any) => item.index));
        expect(indexes.size).toBe(lines.length);
        const shown = await runRaw(["show", path], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
        expect([0, 1]).toContain(shown.code);
        expect(controlsIn(shown.stdout, { colors: true })).toEqual([]);
        expect(controlsIn(shown.stderr, { colors: true })).toEqual([]);
      }),
      { numRuns: 4 },
    );
  });
});

/**
 * Unpacking a deployment package (extractFunctionCode) onto a real folder: what arrives is what was zipped,
 * and a hostile archive (zip slip, lying sizes, too large, not a zip) is refused with nothing left behind.
 *
 * AWS's messages, as the Lambda API answers CreateFunction (quoted in test/hostile/local-limits.test.ts):
 * "Unzipped size must be smaller than 262144000 bytes" and "Could not unzip uploaded file. Please check your
 * file, then try to upload again."
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractFunctionCode, UNZIPPED_SIZE_LIMIT } from "../../../src/local/function-code.js";

const UNREADABLE = "Could not unzip uploaded file. Please check your file, then try to upload again.";
const text = (value: string) => new TextEncoder().encode(value);

let scratch: string;
let counter = 0;
/** A fresh target folder inside the scratch folder, not yet created. */
const target = () => join(scratch, "work", `code-${++counter}`);

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "lambda-dest-unzip-"));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Every file under a folder, by relative path with "/" separators. */
function filesUnder(directory: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const absolute = join(entry.parentPath, entry.name);
    files[
      absolute
        .slice(directory.length + 1)
        .split("\\")
        .join("/")
    ] = readFileSync(absolute, "utf8");
  }
  return files;
}

/** The offsets of the central directory entries of a zip (signature PK\1\2). */
function centralEntries(zip: Uint8Array): number[] {
  const buffer = Buffer.from(zip);
  const found: number[] = [];
  for (let at = 0; at + 4 <= buffer.length; at++) if (buffer.readUInt32LE(at) === 0x02014b50) found.push(at);
  return found;
}

async function refusal(zip: Uint8Array, directory: string): Promise<Error> {
  const error = await extractFunctionCode(zip, directory).then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  expect(error, "the package was accepted").toBeInstanceOf(Error);
  expect(existsSync(directory), "the refused package's folder is left behind").toBe(false);
  return error!;
}

describe("extractFunctionCode", () => {
  it("#17 unpacks stored and deflated entries, folders and UTF-8 names; SHA-256 and size of the zip", async () => {
    const zip = zipSync(
      {
        "index.mjs": [text("export const handler = async () => 1;\n"), { level: 0 }],
        "lib/helpers/deep.js": [text("module.exports = 'x'.repeat(3);\n".repeat(100)), { level: 9 }],
        "empty.txt": text(""),
        "naïve/ünïcödé.json": text('{"ok":true}'),
        "folder/": {},
      },
      {},
    );
    const directory = target();
    const extracted = await extractFunctionCode(zip, directory);
    expect(extracted).toEqual({
      directory,
      sha256: createHash("sha256").update(zip).digest("base64"),
      size: zip.length,
    });
    expect(filesUnder(directory)).toEqual({
      "index.mjs": "export const handler = async () => 1;\n",
      "lib/helpers/deep.js": "module.exports = 'x'.repeat(3);\n".repeat(100),
      "empty.txt": "",
      "naïve/ünïcödé.json": '{"ok":true}',
    });
    expect(existsSync(join(directory, "folder"))).toBe(true);
  });

  it("#17 any tree of files comes back byte for byte (generated)", async () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/);
    const tree = fc.dictionary(
      fc.array(name, { minLength: 1, maxLength: 3 }).map((parts) => `${parts.join("/")}.txt`),
      fc.string({ unit: "grapheme", maxLength: 200 }),
      { maxKeys: 8 },
    );
    await fc.assert(
      fc.asyncProperty(tree, fc.constantFrom(0, 6) as fc.Arbitrary<0 | 6>, async (files, level) => {
        // A name that is also a folder of another cannot exist on disk; such trees are not packages.
        const names = Object.keys(files);
        fc.pre(!names.some((one) => names.some((other) => other.startsWith(`${one.slice(0, -4)}/`))));
        const zip = zipSync(
          Object.fromEntries(Object.entries(files).map(([path, content]) => [path, text(content)])),
          { level },
        );
        const directory = target();
        await extractFunctionCode(zip, directory);
        expect(filesUnder(directory)).toEqual(files);
      }),
      { numRuns: 40 },
    );
  });

  it("#17 refuses an entry that would land outside the folder (zip slip), writing nothing outside", async () => {
    for (const evil of ["../escaped.js", "a/../../escaped.js", "/tmp/absolute-escape.js"]) {
      const directory = target();
      const zip = zipSync({ "index.mjs": text("ok"), [evil]: text("pwned") });
      const error = await refusal(zip, directory);
      expect(error.message).toBe(
        `Could not unzip uploaded file: the entry ${evil} points outside the package.`,
      );
      expect(existsSync(join(directory, "..", "escaped.js"))).toBe(false);
    }
    expect(existsSync("/tmp/absolute-escape.js")).toBe(false);
  });

  it("#17 refuses entries whose data does not match their declared size, either way", async () => {
    const content = text("y".repeat(10_000));
    for (const [level, declared] of [
      [6, 100],
      [0, 100],
      [6, 20_000],
    ] as const) {
      const zip = zipSync({ "data.bin": [content, { level }] });
      const [entry] = centralEntries(zip);
      Buffer.from(zip.buffer, zip.byteOffset).writeUInt32LE(declared, entry! + 24);
      const error = await refusal(zip, target());
      expect(error.message).toBe(UNREADABLE);
    }
  });

  it("#17 refuses declared sizes adding up to more than 250 MB before writing anything", async () => {
    const zip = zipSync({ "a.bin": text("a"), "b.bin": text("b") });
    const [first, second] = centralEntries(zip);
    const view = Buffer.from(zip.buffer, zip.byteOffset);
    view.writeUInt32LE(UNZIPPED_SIZE_LIMIT / 2, first! + 24);
    view.writeUInt32LE(UNZIPPED_SIZE_LIMIT / 2 + 1, second! + 24);
    const error = await refusal(zip, target());
    expect(error.message).toBe("Unzipped size must be smaller than 262144000 bytes");
  });

  it("#17 refuses what is not a zip, a truncated zip, an unknown compression method, a NUL in a name", async () => {
    const good = zipSync({ "index.mjs": text("export const handler = async () => 1;\n") });
    const unknownMethod = Uint8Array.from(good);
    Buffer.from(unknownMethod.buffer).writeUInt16LE(99, centralEntries(unknownMethod)[0]! + 10);
    const withNul = zipSync({ "index\0.mjs": text("x") });
    for (const zip of [
      text("not a zip at all"),
      new Uint8Array(0),
      good.subarray(0, good.length - 10),
      good.subarray(20),
      unknownMethod,
      withNul,
    ]) {
      const error = await refusal(zip, target());
      expect(error.message).toBe(UNREADABLE);
    }
  });
});

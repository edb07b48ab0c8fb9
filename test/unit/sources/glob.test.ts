/** Glob expansion of `validate` / `show` arguments, on a real folder tree. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandGlob, globToRegExp, isGlob } from "../../../src/sources/glob.js";

let root: string;

const FILES = [
  "a.json",
  "b.json",
  "c.ndjson",
  "notes.txt",
  "x1.json",
  "x2.json",
  "xy.json",
  "[literal].json",
  "events/one.json",
  "events/two.ndjson",
  "events/deep/three.json",
  "events/deep/deeper/four.json",
  "node_modules/pkg/ignored.json",
  ".hidden/ignored.json",
  "events/.cache/ignored.json",
];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "lambda-dest-glob-"));
  for (const file of FILES) {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), "{}");
  }
  mkdirSync(join(root, "folder.json"));
  symlinkSync(join(root, "a.json"), join(root, "link.json"));
  symlinkSync(join(root, "missing.json"), join(root, "dangling.json"));
  symlinkSync(join(root, "events"), join(root, "events-link"));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("expandGlob", () => {
  it("#17 * matches within one folder, sorted, files and links to files only", async () => {
    expect(await expandGlob("*.json", root)).toEqual([
      "[literal].json",
      "a.json",
      "b.json",
      "link.json",
      "x1.json",
      "x2.json",
      "xy.json",
    ]);
  });

  it("#17 ? and [...] and [!...] match one character", async () => {
    expect(await expandGlob("x?.json", root)).toEqual(["x1.json", "x2.json", "xy.json"]);
    expect(await expandGlob("x[12].json", root)).toEqual(["x1.json", "x2.json"]);
    expect(await expandGlob("x[!12].json", root)).toEqual(["xy.json"]);
    expect(await expandGlob("x[0-9].json", root)).toEqual(["x1.json", "x2.json"]);
  });

  it("#17 ** descends, skipping node_modules and dot folders", async () => {
    expect(await expandGlob("events/**/*.json", root)).toEqual([
      "events/deep/deeper/four.json",
      "events/deep/three.json",
      "events/one.json",
    ]);
    const everything = await expandGlob("**/*.json", root);
    expect(everything).toContain("events/deep/deeper/four.json");
    expect(everything).toContain("a.json");
    expect(everything.filter((file) => /node_modules|\.hidden|\.cache/.test(file))).toEqual([]);
  });

  it("#17 a folder part after the glob, a missing base, an absolute pattern", async () => {
    expect(await expandGlob("*/one.json", root)).toEqual(["events/one.json"]);
    expect(await expandGlob("nowhere/*.json", root)).toEqual([]);
    expect(await expandGlob(`${root}/events/*.ndjson`, "/")).toEqual([`${root}/events/two.ndjson`]);
  });

  it("#17 regex characters in a pattern are literal", async () => {
    expect(await expandGlob("a.js*", root)).toEqual(["a.json"]);
    expect(await expandGlob("a+json*", root)).toEqual([]);
    expect(globToRegExp("(a|b).json").test("a.json")).toBe(false);
    expect(globToRegExp("(a|b).json").test("(a|b).json")).toBe(true);
    expect(globToRegExp("a[.json").test("a[.json")).toBe(true);
  });

  it("#17 isGlob", () => {
    expect(["*.json", "a?.json", "[ab].json", "**/x"].every(isGlob)).toBe(true);
    expect(["a.json", "-", "dir/file.ndjson"].some(isGlob)).toBe(false);
  });
});

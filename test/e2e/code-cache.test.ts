/**
 * The start-up bundle's V8 code cache (bin/lambda-dest.cjs, scripts/bundle.mjs). On Node 20 a missing cache,
 * or one V8 refuses (another Node wrote it, or it is damaged), is written anew after the command, whole or not
 * at all; a read-only install still runs. Node 22 keeps its own compile cache and writes none beside the bundle.
 * Runs an installed copy (bin/, dist/, schemas/ as built, node_modules linked). Needs `npm run build`.
 */
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import * as module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/run-cli.js";

const node20 = typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== "function";
let install = "";

beforeAll(() => {
  install = mkdtempSync(join(tmpdir(), "lambda-dest-cache-"));
  for (const part of ["bin", "dist", "schemas", "package.json"]) {
    cpSync(join(repoRoot, part), join(install, part), { recursive: true });
  }
  symlinkSync(join(repoRoot, "node_modules"), join(install, "node_modules"), "dir");

  cpSync(join(repoRoot, "test/fixtures/envelopes/failure-node.json"), join(install, "record.json"));
});

afterAll(() => {
  if (!install) return;
  chmodSync(join(install, "dist"), 0o755);
  rmSync(install, { recursive: true, force: true });
});

const cacheFile = () => join(install, "dist", "main.cjs.cache");
const validate = () =>
  runCli(["validate", "record.json"], { bin: join(install, "bin", "lambda-dest.cjs"), cwd: install });
const expected = { code: 0, stdout: "✓ record.json  invocation-record\n", stderr: "" };

describe.runIf(node20)("the code cache on Node 20", () => {
  it("a missing cache is written by the first run, and the next run leaves it as it is", async () => {
    rmSync(cacheFile(), { force: true });
    expect(await validate()).toEqual(expected);
    const written = readFileSync(cacheFile());
    expect(written.length).toBeGreaterThan(10_000);
    expect(await validate()).toEqual(expected);
    expect(readFileSync(cacheFile()).equals(written)).toBe(true);
    // Written under another name and renamed: nothing is left behind.
    expect(readdirSync(join(install, "dist")).filter((name) => name.startsWith("main.cjs.cache."))).toEqual(
      [],
    );
  });

  it("a damaged cache is refused by V8, the command runs as usual, and the cache is written anew", async () => {
    writeFileSync(cacheFile(), Buffer.alloc(4096, 7));
    expect(await validate()).toEqual(expected);
    expect(readFileSync(cacheFile()).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it("a read-only install runs without a cache and writes nothing", async () => {
    rmSync(cacheFile(), { force: true });
    chmodSync(join(install, "dist"), 0o555);
    try {
      expect(await validate()).toEqual(expected);
      // root may write anywhere: only an unprivileged user sees the folder as read-only.
      if (process.getuid?.() !== 0) expect(existsSync(cacheFile())).toBe(false);
    } finally {
      chmodSync(join(install, "dist"), 0o755);
    }
  });
});

describe.runIf(!node20)("the code cache on Node 22", () => {
  it("no cache is written beside the bundle: Node keeps its own compile cache", async () => {
    rmSync(cacheFile(), { force: true });
    expect(await validate()).toEqual(expected);
    expect(existsSync(cacheFile())).toBe(false);
  });
});

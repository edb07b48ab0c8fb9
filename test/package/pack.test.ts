/**
 * The package as users get it: `npm pack` from a copy of the working tree (so that its `prepack` build runs
 * as it does for a release, without touching this checkout's dist/), installed into a new project, then
 * used as a CLI (`npx lambda-dest`) and as a typed library under a strict TypeScript compile.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/run-cli.js";

const execute = promisify(execFile);

/** Runs a command; a failure says what the command printed (a build error, npm's reason). */
async function run(command: string, args: string[], options: { cwd: string; maxBuffer?: number }) {
  try {
    return await execute(command, args, options);
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(" ")} failed in ${options.cwd}:\n${`${stderr}\n${stdout}`.trim().slice(-3000)}`,
    );
  }
}
const work = mkdtempSync(join(tmpdir(), "lambda-dest-pack-"));
const tree = join(work, "tree");
const consumer = join(work, "consumer");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
let tarball = "";
let packedFiles: string[] = [];

/** The files of the working tree a clone would have: tracked and new ones, nothing ignored. */
async function treeFiles(): Promise<string[]> {
  try {
    const { stdout } = await run("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.split("\0").filter((file) => file !== "" && existsSync(join(repoRoot, file)));
  } catch {
    // Not a git checkout: everything but what the build and npm make.
    const skip = new Set(["node_modules", "dist", ".git", ".bench-tmp"]);
    const walk = (directory: string): string[] =>
      readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
        if (skip.has(entry.name)) return [];
        const path = join(directory, entry.name);
        return entry.isDirectory() ? walk(path) : [relative(repoRoot, path)];
      });
    return walk(repoRoot);
  }
}

/**
 * Installs the tarball as a user would. First with a lockfile made from this repository's (the same
 * dependency versions that `npm ci` put in the npm cache), fully offline; if the cache lacks something,
 * with a plain `npm install` that may use the registry.
 */
async function installTarball(): Promise<void> {
  const name = `file:${relative(consumer, tarball)}`;
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify(
      { name: "consumer", private: true, type: "module", dependencies: { "lambda-dest": name } },
      null,
      2,
    ),
  );
  const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8"));
  const packages: Record<string, unknown> = {
    "": { name: "consumer", dependencies: { "lambda-dest": name } },
    "node_modules/lambda-dest": {
      version: manifest.version,
      resolved: name,
      integrity: `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean }>)) {
    if (path.startsWith("node_modules/") && !entry.dev) packages[path] = entry;
  }
  writeFileSync(
    join(consumer, "package-lock.json"),
    JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  const quiet = ["--no-audit", "--no-fund", "--loglevel", "error"];
  try {
    await run(npm, ["ci", "--offline", ...quiet], { cwd: consumer });
  } catch {
    rmSync(join(consumer, "package-lock.json"), { force: true });
    rmSync(join(consumer, "node_modules"), { recursive: true, force: true });
    await run(npm, ["install", "--prefer-offline", ...quiet, name], { cwd: consumer });
  }
}

beforeAll(async () => {
  for (const file of await treeFiles()) {
    mkdirSync(dirname(join(tree, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(tree, file));
  }
  symlinkSync(join(repoRoot, "node_modules"), join(tree, "node_modules"), "junction");
  const { stdout } = await run(npm, ["pack", "--json", "--silent", "--pack-destination", work], {
    cwd: tree,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("[")));
  tarball = join(work, packed.filename);
  packedFiles = packed.files.map((file: { path: string }) => file.path);
  mkdirSync(consumer);
  await installTarball();
}, 240_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("npm pack, then install the tarball (prepack build from a copy of the working tree)", () => {
  it("ships the built CLI and library, their types, the validators, schemas and examples; no sources or tests", () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        "package.json",
        "bin/lambda-dest.cjs",
        "dist/main.cjs",
        "dist/index.js",
        "dist/index.d.ts",
        "dist/commands/generate.js",
        "dist/validators/invocation-record.cjs",
        "schemas/invocation-record.schema.json",
        "examples/order-processor/node/index.mjs",
      ]),
    );
    expect(packedFiles.filter((file) => /^(src|test|bench|scripts)\//.test(file))).toEqual([]);
  });

  it("`npx lambda-dest generate | npx lambda-dest validate` works from the installed package", async () => {
    const generated = await run(
      npx,
      [
        "--offline",
        "lambda-dest",
        "generate",
        "invocation-record",
        "--wrap",
        "sns",
        "--wrap",
        "sqs",
        "--seed",
        "3",
      ],
      {
        cwd: consumer,
      },
    );
    const file = join(consumer, "record.json");
    writeFileSync(file, generated.stdout);
    const { stdout } = await run(npx, ["--offline", "lambda-dest", "validate", "--json", "--strict", file], {
      cwd: consumer,
    });
    expect(JSON.parse(stdout).summary).toEqual({ valid: 1, invalid: 0, unreadable: 0 });
  });

  it("the library and the schemas' subpath exports load in a consumer's code", async () => {
    const script = `
      import { analyze, generate, isFailureRecord, kinds, validate } from "lambda-dest";
      import schema from "lambda-dest/schemas/invocation-record.json" with { type: "json" };
      const [event] = generate("invocation-record", { seed: 4, condition: "RetriesExhausted", wrap: ["lambda-sqs-event"] });
      const record = JSON.parse(event.value.Records[0].body);
      console.log(JSON.stringify({
        failure: isFailureRecord(record),
        valid: validate(event.value).valid,
        layers: analyze(event.value)[0].layers,
        kinds: kinds.length,
        schema: schema.$id,
      }));`;
    writeFileSync(join(consumer, "check.mjs"), script);
    const { stdout } = await run(process.execPath, ["check.mjs"], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({
      failure: true,
      valid: true,
      layers: ["lambda-sqs-event", "invocation-record"],
      kinds: 10,
      schema: "https://lambda-dest.dev/schemas/invocation-record.schema.json",
    });
  });

  it("a strict TypeScript consumer compiles against the library's types (and a misuse does not)", async () => {
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022"],
          types: [],
          noEmit: true,
          skipLibCheck: false,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
        },
        files: ["handler.ts"],
      }),
    );
    writeFileSync(
      join(consumer, "handler.ts"),
      `import {
  type EsmFailureRecord,
  type EventBridgeEvent,
  type FunctionErrorPayload,
  generate,
  type InvocationCondition,
  type InvocationRecord,
  isFailureRecord,
  isInvocationRecord,
  type LambdaSqsEvent,
  type ReceiveMessageOutput,
  validate,
} from "lambda-dest";

interface Order {
  orderId: string;
}

/** A consumer of an on-failure queue: what failed, and why. */
export function describeFailures(event: LambdaSqsEvent): string[] {
  const lines: string[] = [];
  for (const message of event.Records) {
    const record: unknown = JSON.parse(message.body);
    if (!isFailureRecord<Order>(record)) continue;
    const condition: InvocationCondition = record.requestContext.condition;
    const orderId: string = record.requestPayload.orderId;
    const error: FunctionErrorPayload | undefined = record.responsePayload;
    lines.push(\`\${orderId} \${condition} \${error?.errorMessage ?? "never ran"}\`);
  }
  return lines;
}

const sqsEvent: LambdaSqsEvent = generate("invocation-record", { wrap: ["lambda-sqs-event"], seed: 1 })[0]!.value;
const cli: ReceiveMessageOutput = generate("dlq-message", { wrap: ["cli-receive"] })[0]!.value;
const bus: EventBridgeEvent = generate("invocation-record", { wrap: ["eventbridge"] })[0]!.value;
const discarded: EsmFailureRecord = generate("esm-failure-record", { source: "kinesis" })[0]!.value;
const record: InvocationRecord<Order> | undefined = isInvocationRecord<Order>(sqsEvent) ? sqsEvent : undefined;
export const checked: boolean = validate(cli).valid && validate(bus).valid && validate(discarded).valid;
export const summary = [describeFailures(sqsEvent), record];

// @ts-expect-error not a kind that generate makes
generate("sns-notification");
// @ts-expect-error a wrapper that does not exist
generate("invocation-record", { wrap: ["kinesis"] });
// @ts-expect-error the event of an SQS-triggered function is not an SQS message
export const wrong: ReceiveMessageOutput = sqsEvent;
`,
    );
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const result = await execute(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: consumer }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    expect(result.stdout).toBe("");
  });
});

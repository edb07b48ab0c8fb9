// Bundles the start-up path (main, cli, and the validate/show/schemas commands with commander) into one
// CommonJS file, dist/main.cjs, and writes V8's code cache for it. Start-up is most of the time a one-file
// `validate` takes: loading ~30 small modules cost more than the work itself, an ES module entry loads Node's
// ESM loader (and node:fs/promises, readline and the streams behind it), and compiling the bundle is a
// fifth of what is left (see bench/validate.bench.mjs). bin/lambda-dest.cjs loads the bundle with the cache.
// Everything else stays as tsc emitted it in dist/ (ES modules), and the other commands are imported lazily
// from the bundle, so that the AWS SDK and the local stack load only when used. Shared modules the bundle
// holds a copy of (errors.ts: main() knows their errors by a mark, not by instanceof) need nothing more.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src");
// The commands on the start-up path go into the bundle; every other command (a new one included) stays lazy.
const bundledCommand = /^\.\/commands\/(validate|show|schemas)\.js$/;
const command = /^\.\/commands\/[^/]+\.js$/;

// The schema validators (dist/validators/, from scripts/compile-validators.mjs) go into the bundle too, each
// evaluated when its kind is first met: then the code cache holds them, and no file is loaded for them.
const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-build-"));
const validators = join(root, "dist", "validators");
const validatorTable = join(scratch, "bundled-validators.mjs");
writeFileSync(
  validatorTable,
  [
    "const loaders = {",
    ...readdirSync(validators)
      .filter((name) => name.endsWith(".cjs") && name !== "formats.cjs")
      .map(
        (name) =>
          `  ${JSON.stringify(name.slice(0, -4))}: () => require(${JSON.stringify(join(validators, name))}),`,
      ),
    "};",
    "export function __lambdaDestBundledValidator(kind) {",
    "  return Object.hasOwn(loaders, kind) ? loaders[kind]() : undefined;",
    "}",
  ].join("\n"),
);

const bundled = await build({
  entryPoints: [join(source, "main.ts")],
  outfile: join(root, "dist", "main.cjs"),
  write: false,
  bundle: true,
  platform: "node",
  format: "cjs",
  // The lazy commands stay ES modules: import() is kept as it is, not turned into require().
  supported: { "dynamic-import": true },
  define: { "import.meta.url": "__moduleUrl" },
  inject: [validatorTable],
  target: "node20",
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  allowOverwrite: true,
  // Packages loaded only on some paths stay out of the bundle; commander (always needed) goes in.
  external: ["@aws-sdk/*", "@smithy/*", "fauxqs", "fflate", "ajv", "ajv/*", "ajv-formats", "chalk"],
  // What the sources read as import.meta.url (the bundle sits in dist/, as main.js did), and what their
  // import() calls become (see below): the loader's importer when it gives one, else the runtime's own.
  banner: {
    js: [
      'const __moduleUrl = require("node:url").pathToFileURL(__filename).href;',
      'var __import = typeof __lambdaDestImport === "function" ? __lambdaDestImport : (specifier) => import /* native */ (specifier);',
    ].join(" "),
  },
  plugins: [
    {
      // commander requires child_process only to run executable subcommands, which lambda-dest has none of;
      // loading it (with net and dgram behind it) cost a few milliseconds at every start.
      name: "no-child-process-for-commander",
      setup(builder) {
        builder.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
          args.importer.includes(`${join("node_modules", "commander")}`)
            ? { path: "child_process", namespace: "unused-by-lambda-dest" }
            : undefined,
        );
        builder.onLoad({ filter: /.*/, namespace: "unused-by-lambda-dest" }, () => ({
          contents:
            "module.exports = new Proxy({}, { get() { throw new Error('lambda-dest has no executable subcommands'); } });",
          loader: "js",
        }));
      },
    },
    {
      name: "keep-lazy-commands-outside",
      setup(builder) {
        builder.onResolve({ filter: command }, (args) =>
          bundledCommand.test(args.path) ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});

// Code that V8 takes from a code cache cannot run import() on Node 20 ("A dynamic import callback was not
// specified"), so every import() of the bundle goes through __import, which bin/lambda-dest.cjs provides.
const DYNAMIC_IMPORT = /(?<![\w$.])import\(/g;
for (const file of bundled.outputFiles) {
  let text = file.text;
  if (file.path.endsWith(".cjs")) {
    text = text.replace(DYNAMIC_IMPORT, "__import(");
    if (!text.includes('__import("./commands/tail.js")'))
      throw new Error("bundle: the lazy imports were not found");
    // bin/lambda-dest.cjs reads the bundle as latin1, quicker than UTF-8 and the same on ASCII text, which
    // esbuild writes (charset "ascii", its default: every other character escaped).
    if (/[^\x00-\x7f]/.test(text)) throw new Error("bundle: a character outside ASCII");
  }
  writeFileSync(file.path, text);
}

// V8's code cache for the bundle: bin/lambda-dest.cjs writes it on Node 20 when there is none, here after a
// `validate` of one record, so that it holds the functions that path compiles. It is used only by the Node
// version that wrote it (V8 checks); another Node 20 writes its own at its first run (Node 22 has its own cache).
const cache = join(root, "dist", "main.cjs.cache");
rmSync(cache, { force: true });
try {
  writeFileSync(join(scratch, "record.json"), JSON.stringify(codeCacheRecord()));
  execFileSync(process.execPath, [join(root, "bin", "lambda-dest.cjs"), "validate", "record.json"], {
    cwd: scratch,
    stdio: ["ignore", "pipe", "inherit"],
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/** A failure invocation record, as Lambda sends one to a destination. */
function codeCacheRecord() {
  return {
    version: "1.0",
    timestamp: "2025-11-14T18:31:00.100Z",
    requestContext: {
      requestId: "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
      functionArn: "arn:aws:lambda:us-east-1:123456789012:function:order-processor:$LATEST",
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload: { orderId: "1003" },
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: {
      errorType: "Error",
      errorMessage: "order failed",
      trace: ["Error: order failed", "    at Runtime.handler (file:///var/task/index.mjs:3:9)"],
    },
  };
}

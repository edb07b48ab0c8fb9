// Bundles the start-up path (main, cli, and the validate/show/schemas commands with commander) into
// dist/main.js, over tsc's file of the same name. Start-up is most of the time a one-file `validate`
// takes, and loading ~30 small modules cost more than the work itself (see bench/validate.bench.mjs).
// Everything else stays as tsc emitted it in dist/ and is imported lazily from the bundle:
// - the other commands, so that the AWS SDK and the local stack load only when used;
// - errors.js, so that `instanceof` in main() sees the same classes the lazy commands throw.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src");
// The commands on the start-up path go into the bundle; every other command (a new one included) stays lazy.
const bundledCommand = /^\.\/commands\/(validate|show|schemas)\.js$/;
const command = /^\.\/commands\/[^/]+\.js$/;

await build({
  entryPoints: [join(source, "main.ts")],
  outfile: join(root, "dist", "main.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  allowOverwrite: true,
  // Packages loaded only on some paths stay out of the bundle; commander (always needed) goes in.
  external: ["@aws-sdk/*", "@smithy/*", "fauxqs", "fflate", "ajv", "ajv/*", "ajv-formats", "chalk"],
  // commander is CommonJS and requires Node's built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
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
      name: "keep-shared-modules-outside",
      setup(builder) {
        builder.onResolve({ filter: command }, (args) =>
          bundledCommand.test(args.path) ? undefined : { path: args.path, external: true },
        );
        builder.onResolve({ filter: /errors\.js$/ }, (args) => {
          const target = resolve(args.resolveDir, args.path);
          if (target !== join(source, "errors.js")) return undefined;
          return { path: "./errors.js", external: true };
        });
      },
    },
  ],
});

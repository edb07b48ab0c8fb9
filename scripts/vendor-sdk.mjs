// Bundles the AWS SDK clients that dist/ imports into dist/vendor/ (one entry per client, shared code split
// into chunks) and points dist/'s imports at them. Node then reads a few files instead of several hundred small
// modules: loading the clients of an AWS command took about 350 ms from node_modules and about 150 ms bundled
// (bench/fire-watch.bench.mjs measures the commands). Type declarations still name the packages.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const vendor = join(dist, "vendor");
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*)(["'])(@aws-sdk\/client-[a-z0-9-]+)\2/g;

function jsFiles(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return path === vendor ? [] : jsFiles(path);
    return entry.name.endsWith(".js") ? [path] : [];
  });
}

const files = jsFiles(dist);
const clients = new Set();
for (const file of files)
  for (const match of readFileSync(file, "utf8").matchAll(SPECIFIER)) clients.add(match[3]);

rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });
const entries = {};
for (const client of clients) {
  const name = client.slice("@aws-sdk/".length);
  const stub = join(vendor, `${name}.entry.mjs`);
  writeFileSync(stub, `export * from ${JSON.stringify(client)};\n`);
  entries[name] = stub;
}
await build({
  entryPoints: entries,
  outdir: vendor,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
  // Some SDK packages are CommonJS and require Node's built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  nodePaths: [join(root, "node_modules")],
  // The ES module builds (package.json "module"): export * of a CommonJS build names no exports.
  mainFields: ["module", "main"],
});
for (const stub of Object.values(entries)) rmSync(stub);

for (const file of files) {
  const text = readFileSync(file, "utf8");
  const rewritten = text.replace(SPECIFIER, (_whole, lead, quote, client) => {
    let path = relative(dirname(file), join(vendor, `${client.slice("@aws-sdk/".length)}.js`))
      .split(sep)
      .join("/");
    if (!path.startsWith(".")) path = `./${path}`;
    return `${lead}${quote}${path}${quote}`;
  });
  if (rewritten !== text) writeFileSync(file, rewritten);
}

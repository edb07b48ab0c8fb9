#!/usr/bin/env node
"use strict";
// The entry: loads the start-up bundle (dist/main.cjs, see scripts/bundle.mjs), runs it, sets the exit code.
const Module = require("node:module");
const { dirname, join } = require("node:path");

const bundle = join(__dirname, "..", "dist", "main.cjs");

function load() {
  // Node 22.1+ caches the compiled code of every module on disk itself.
  if (Module.enableCompileCache) {
    Module.enableCompileCache();
    return { main: require(bundle).main };
  }
  // Node 20: the bundle is compiled with the code cache the build wrote, which V8 uses only if this Node
  // wrote it. The bundle's import() calls (the lazy commands) come here, resolved from dist/ as the bundle's own
  // would be: code taken from a cache cannot run import() itself.
  const vm = require("node:vm");
  const { readFileSync } = require("node:fs");
  const { pathToFileURL } = require("node:url");
  const importer = (specifier) =>
    import(specifier.startsWith(".") ? pathToFileURL(join(dirname(bundle), specifier)).href : specifier);
  const writeTo = process.env.LAMBDA_DEST_WRITE_CODE_CACHE;
  let cachedData;
  try {
    if (!writeTo) cachedData = readFileSync(`${bundle}.cache`);
  } catch {
    // No cache: compiled as any module is.
  }
  // ASCII only (scripts/bundle.mjs checks): latin1 reads it as UTF-8 would, and faster.
  const source = readFileSync(bundle, "latin1");
  const wrapped = `(function (exports, require, module, __filename, __dirname, __lambdaDestImport) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: bundle, cachedData });
  const loaded = { exports: {} };
  const run = script.runInThisContext();
  run(loaded.exports, Module.createRequire(bundle), loaded, bundle, dirname(bundle), importer);
  // The build's run writes the cache, after the command, so that it holds what the command compiled.
  const written = () => writeTo && require("node:fs").writeFileSync(writeTo, script.createCachedData());
  return { main: loaded.exports.main, written };
}

const { main, written } = load();
main(process.argv.slice(2)).then((code) => {
  written?.();
  process.exitCode = code;
});

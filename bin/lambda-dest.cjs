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
  // Node 20: the bundle is compiled with V8's code cache kept beside it, which V8 uses only if this Node wrote
  // it (the build writes one). Missing or made by another Node, it is written anew after the command where the
  // folder is writable, as Python keeps its .pyc files; otherwise the bundle is compiled as any module is.
  // The bundle's import() calls (the lazy commands) come here, resolved from dist/ as the bundle's own would
  // be: code taken from a cache cannot run import() itself.
  const vm = require("node:vm");
  const fs = require("node:fs");
  const { pathToFileURL } = require("node:url");
  const importer = (specifier) =>
    import(specifier.startsWith(".") ? pathToFileURL(join(dirname(bundle), specifier)).href : specifier);
  const cacheFile = `${bundle}.cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache yet.
  }
  // ASCII only (scripts/bundle.mjs checks): latin1 reads it as UTF-8 would, and faster.
  const source = fs.readFileSync(bundle, "latin1");
  const wrapped = `(function (exports, require, module, __filename, __dirname, __lambdaDestImport) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: bundle, cachedData });
  const loaded = { exports: {} };
  const run = script.runInThisContext();
  run(loaded.exports, Module.createRequire(bundle), loaded, bundle, dirname(bundle), importer);
  const written = () => {
    if (cachedData !== undefined && !script.cachedDataRejected) return;
    try {
      fs.accessSync(dirname(bundle), fs.constants.W_OK);
      // Written whole under another name, then renamed: a concurrent start never reads half a cache.
      const partial = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(partial, script.createCachedData());
      fs.renameSync(partial, cacheFile);
    } catch {
      // A read-only install: compiled at every start, as before.
    }
  };
  return { main: loaded.exports.main, written };
}

const { main, written } = load();
main(process.argv.slice(2)).then((code) => {
  written?.();
  process.exitCode = code;
});

#!/usr/bin/env node
import module from "node:module";

// Node 22.1+ caches the compiled code of the modules on disk, so later starts skip compiling them; Node 20
// has no such cache and goes on as before.
module.enableCompileCache?.();
const { main } = await import("../dist/main.js");
process.exitCode = await main(process.argv.slice(2));

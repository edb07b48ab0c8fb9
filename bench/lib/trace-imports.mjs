// Preload for `node --import ./bench/lib/trace-imports.mjs ...`: records every module the process loads
// into the file named by TRACE_IMPORTS_FILE, one URL or path per line.
// ES modules are seen by a resolve hook (module.register, Node >= 20.6; the hook runs on the loader
// thread and appends to the file itself); CommonJS modules, which bypass that hook when require()d, are
// taken from the CommonJS cache when the process exits. Together they cover both ways in.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const file = process.env.TRACE_IMPORTS_FILE;
if (file) {
  register("./trace-imports-hooks.mjs", import.meta.url, { data: { file } });
  process.on("exit", () => {
    const require = createRequire(import.meta.url);
    const loaded = Object.keys(require.cache);
    if (loaded.length > 0) appendFileSync(file, `${loaded.join("\n")}\n`);
  });
}

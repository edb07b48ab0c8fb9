// Runs the benchmarks: every bench/*.bench.mjs in turn, or only those named on the command line
// (`node bench/run.mjs validate`). Each runs in its own node process with the terminal's stdio; the exit
// code is 1 when any of them fails, 2 when a name matches no benchmark.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = dirname(fileURLToPath(import.meta.url));
const suffix = ".bench.mjs";
const available = readdirSync(benchDir)
  .filter((name) => name.endsWith(suffix))
  .sort()
  .map((name) => name.slice(0, -suffix.length));

const requested = process.argv.slice(2).map((name) => basename(name).replace(/\.bench\.mjs$/, ""));
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: no benchmark named ${unknown.join(", ")} (available: ${available.join(", ") || "none"})\n`,
  );
  process.exit(2);
}

const failed = [];
for (const name of requested.length > 0 ? requested : available) {
  process.stderr.write(`\n=== bench/${name}${suffix}\n`);
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(benchDir, name + suffix)], { stdio: "inherit" });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (run.status === 0) {
    process.stderr.write(`=== ${name}: done in ${seconds} s\n`);
  } else {
    failed.push(name);
    const how = run.signal ? `killed by ${run.signal}` : (run.error?.message ?? `exit code ${run.status}`);
    process.stderr.write(`=== ${name}: FAILED (${how}) after ${seconds} s\n`);
  }
}
if (failed.length > 0) {
  process.stderr.write(`bench: ${failed.length} failed: ${failed.join(", ")}\n`);
  process.exitCode = 1;
}

// `lambda-dest validate` against its peers, in one run (issue 2):
//   a) start-up + one invocation record: lambda-dest vs ajv-cli 5 vs bare `node -e 0` (goal: ≤ 1/3 of
//      ajv-cli's wall time), and which modules `--help`, `validate` and `show` load (never the AWS SDK);
//   b) throughput on a 100,000-record NDJSON file vs a bare readline + JSON.parse + one precompiled Ajv
//      validator loop (goal: ≤ 2x its time), and peak RSS on that file and on a ~1 GB one (goal: flat).
//   c) (issue 15) the same on a realistic mix made with `generate` (every kind, wrapped layers, Node/Python/
//      Java/Go stack traces, events of 100 B to 100 KB): --quiet and --json, the worker-thread path and the
//      single-thread one, against a bare JSON.parse + one precompiled Ajv validator (anyOf every schema).
// Settings (environment): BENCH_STARTUP_RUNS (25), BENCH_RECORDS (100000), BENCH_REAL_RECORDS (100000),
// BENCH_THROUGHPUT_RUNS (3), BENCH_REAL_RUNS (5: the realistic mix's runs vary most on a busy machine),
// BENCH_BIG_BYTES (1e9; 0 skips the big file), BENCH_PROFILE (1 always, 0 never; default: when a goal
// is missed), BENCH_ENFORCE_GOALS=1 to exit 1 on a missed goal (correctness failures always exit 1).
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
} from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileBaselineValidator, compileMixBaselineValidator } from "./lib/compile-baseline-validator.mjs";
import { MIX, writeInvocationRecords } from "./lib/invocation-records.mjs";
import { summarizeProfile } from "./lib/profile-summary.mjs";
import { KIND_MIX, WRAP_MIX } from "./lib/realistic-records.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const settings = {
  startupRuns: Number(process.env.BENCH_STARTUP_RUNS ?? 25),
  records: Number(process.env.BENCH_RECORDS ?? 100_000),
  realRecords: Number(process.env.BENCH_REAL_RECORDS ?? 100_000),
  throughputRuns: Number(process.env.BENCH_THROUGHPUT_RUNS ?? 3),
  realRuns: Number(process.env.BENCH_REAL_RUNS ?? 5),
  bigBytes: Number(process.env.BENCH_BIG_BYTES ?? 1e9),
  profile: process.env.BENCH_PROFILE,
  enforceGoals: process.env.BENCH_ENFORCE_GOALS === "1",
};
const GOALS = {
  startupRatio: 1 / 3,
  startupVsNode: 1.2,
  throughputRatio: 2,
  realisticRatio: 1.5,
  parallelRatio: 1.0,
  parallelMinBytes: 50 * 1024 * 1024,
  peakRssMiB: 150,
};

const node = process.execPath;
const lambdaDest = join(root, "bin", "lambda-dest.cjs");
const ajvCliPackage = join(root, "node_modules", "ajv-cli", "package.json");
const { bin: ajvCliBin, version: ajvCliVersion } = JSON.parse(readFileSync(ajvCliPackage, "utf8"));
const ajvCli = join(dirname(ajvCliPackage), ajvCliBin.ajv);
const schema = join(root, "schemas", "invocation-record.schema.json");
const oneRecord = join(root, "test", "fixtures", "envelopes", "success-record.json");
// ajv-cli 5 reads a 2020-12 schema only with --spec=draft2020, and the schema's "format": "date-time"
// needs ajv-formats (-c loads it); the schema compiles in ajv's default strict mode, so no --strict=false.
const AJV_ARGS = ["validate", "--spec=draft2020", "-c", "ajv-formats", "-s", schema, "-d", oneRecord];
const timeBinary = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

const problems = [];
const missedGoals = [];
const log = (text = "") => process.stdout.write(`${text}\n`);
const progress = (text) => process.stderr.write(`  … ${text}\n`);

const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-bench-"));
const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    removeScratch();
    process.exit(130);
  });
}

try {
  log(`lambda-dest validate benchmark — ${machineFacts()}`);
  const startup = benchStartup();
  const imports = checkImports();
  const throughput = benchThroughput();
  const realistic = benchRealistic();
  const profiles = wantProfiles() ? profileLambdaDest(throughput.dataFile, realistic?.dataFile) : undefined;
  printSummary(startup, imports, throughput, profiles);
  if (realistic) printRealisticSummary(realistic, startup);
} finally {
  removeScratch();
}
if (problems.length > 0) {
  log(`\nPROBLEMS:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  process.exitCode = 1;
} else if (settings.enforceGoals && missedGoals.length > 0) {
  process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------------------
// a) start-up + one file

function benchStartup() {
  const contenders = [
    { name: "lambda-dest validate one.json", args: [lambdaDest, "validate", oneRecord] },
    { name: `ajv-cli ${ajvCliVersion} validate`, args: [ajvCli, ...AJV_ARGS] },
    { name: "node -e 0 (floor)", args: ["-e", "0"] },
  ];
  log(`\n## a) start-up + one invocation record (${settings.startupRuns} runs each, interleaved)`);
  log(`   lambda-dest: node bin/lambda-dest.cjs validate ${relative(oneRecord)}`);
  log(`   ajv-cli:     node ${relative(ajvCli)} ${AJV_ARGS.map(relative).join(" ")}`);
  progress("start-up runs");
  for (const contender of contenders) {
    contender.times = [];
    // One untimed run each warms the page cache and checks that it works.
    const check = run(contender.args, { capture: true });
    if (check.status !== 0) problems.push(`${contender.name} exited ${check.status}: ${check.stderr.trim()}`);
  }
  for (let round = 0; round < settings.startupRuns; round++) {
    for (const contender of contenders) contender.times.push(run(contender.args).ms);
  }
  const [mine, ajv, floor] = contenders.map((contender) => ({ ...contender, ...stats(contender.times) }));
  const ratio = mine.median / ajv.median;
  if (ratio > GOALS.startupRatio) missedGoals.push("start-up");
  printTable(
    ["command", "median", "p90", "min", "minus node floor", "vs ajv-cli"],
    [mine, ajv, floor].map((row) => [
      row.name,
      ms(row.median),
      ms(row.p90),
      ms(row.min),
      row === floor ? "" : ms(row.median - floor.median),
      row === ajv ? "1.00" : (row.median / ajv.median).toFixed(2),
    ]),
  );
  log(
    `   ratio lambda-dest / ajv-cli = ${ratio.toFixed(3)} (goal ≤ 1/3: ${verdict(ratio <= GOALS.startupRatio)})`,
  );
  const vsNode = mine.median / floor.median;
  if (vsNode > GOALS.startupVsNode) missedGoals.push("start-up vs node -e 0");
  log(
    `   ratio lambda-dest / node -e 0 = ${vsNode.toFixed(2)} median, ${(mine.max / floor.max).toFixed(2)} worst ` +
      `(goal ≤ ${GOALS.startupVsNode}: ${verdict(vsNode <= GOALS.startupVsNode)})`,
  );
  return { mine, ajv, floor, ratio, vsNode };
}

/** Which modules each command loads, through a preload that records every ES and CommonJS module. */
function checkImports() {
  log("\n## a') modules loaded (AWS SDK = any @aws-sdk/* or @smithy/* module)");
  const tracer = join(root, "bench", "lib", "trace-imports.mjs");
  const cases = [
    { name: "lambda-dest --help", args: [lambdaDest, "--help"], mustNotLoadSdk: true },
    {
      name: "lambda-dest validate one.json",
      args: [lambdaDest, "validate", oneRecord],
      mustNotLoadSdk: true,
    },
    {
      name: "lambda-dest show one.json",
      args: [lambdaDest, "show", "--no-color", oneRecord],
      mustNotLoadSdk: true,
    },
    {
      name: "control: import('@aws-sdk/client-sqs')",
      args: ["--input-type=module", "-e", "await import('@aws-sdk/client-sqs')"],
      mustNotLoadSdk: false,
    },
  ];
  const rows = [];
  for (const [index, entry] of cases.entries()) {
    const traceFile = join(scratch, `imports-${index}.txt`);
    const result = run(["--import", tracer, ...entry.args], {
      capture: true,
      cwd: root,
      env: { ...process.env, TRACE_IMPORTS_FILE: traceFile },
    });
    const modules = existsSync(traceFile)
      ? [...new Set(readFileSync(traceFile, "utf8").split("\n").filter(Boolean).map(toPath))]
      : [];
    const sdk = modules.filter((path) =>
      /[\\/]node_modules[\\/]@(aws-sdk|smithy)[\\/]|[\\/]dist[\\/]vendor[\\/]/.test(path),
    );
    const packages = [...new Set(modules.map(packageOf))].sort();
    rows.push([
      entry.name,
      String(modules.length),
      sdk.length > 0 ? `YES (${sdk.length})` : "no",
      packages.length <= 6 ? packages.join(", ") : `${packages.length} packages`,
    ]);
    if (result.status !== 0) problems.push(`${entry.name} exited ${result.status}: ${result.stderr.trim()}`);
    if (entry.mustNotLoadSdk && sdk.length > 0) problems.push(`${entry.name} loads the AWS SDK: ${sdk[0]}`);
    if (!entry.mustNotLoadSdk && sdk.length === 0)
      problems.push("the import tracer did not see the SDK load");
    entry.sdk = sdk.length;
    entry.modules = modules.length;
  }
  printTable(["command", "modules", "AWS SDK loaded", "packages"], rows, { leftAligned: [0, 3] });
  return cases;
}

// ---------------------------------------------------------------------------------------------------------
// b) throughput and memory

function benchThroughput() {
  const dataFile = join(scratch, "big.ndjson");
  const validatorFile = join(scratch, "baseline-validator.mjs");
  const baselineScript = join(root, "bench", "lib", "baseline-validate.mjs");
  progress(`writing ${settings.records.toLocaleString("en")} invocation records`);
  const bytes = writeInvocationRecords(dataFile, settings.records);
  compileBaselineValidator(schema, validatorFile);
  const mix = MIX.map(([condition, share]) => `${condition} ${Math.round(share * 100)}%`).join(", ");
  log(
    `\n## b) throughput: ${settings.records.toLocaleString("en")} invocation records, NDJSON, ${mb(bytes)}`,
  );
  log(`   records: ${mix}; plain (no SQS/SNS wrapper), all valid; Node and Python error payloads`);
  log(
    `   baseline: readline + JSON.parse + one standalone Ajv 2020 validator (ajv-formats, allErrors false)`,
  );

  // An untimed run of each checks the results (and warms the page cache).
  const outputFile = join(scratch, "validate.json");
  const checked = run([lambdaDest, "validate", dataFile, "--json"], { stdoutFile: outputFile });
  const document = parseOr(readFileSync(outputFile, "utf8"), { results: [] });
  rmSync(outputFile);
  if (
    checked.status !== 0 ||
    document.summary?.valid !== settings.records ||
    document.results.length !== settings.records
  ) {
    problems.push(
      `validate --json on ${settings.records} records: exit ${checked.status}, summary ${JSON.stringify(document.summary)}`,
    );
  }
  const baselineCheck = run([baselineScript, validatorFile, dataFile], { capture: true });
  if (baselineCheck.stdout.trim() !== `${settings.records} valid, 0 invalid`) {
    problems.push(`baseline disagrees: ${baselineCheck.stdout.trim()} ${baselineCheck.stderr.trim()}`);
  }

  const contenders = [
    {
      name: "lambda-dest validate big.ndjson --json > /dev/null",
      args: [lambdaDest, "validate", dataFile, "--json"],
    },
    {
      name: "lambda-dest validate big.ndjson -q > /dev/null",
      args: [lambdaDest, "validate", dataFile, "-q"],
    },
    { name: "baseline (readline + JSON.parse + Ajv)", args: [baselineScript, validatorFile, dataFile] },
  ];
  for (const contender of contenders) contender.samples = [];
  progress(`${settings.throughputRuns} rounds of ${contenders.length} throughput runs`);
  for (let round = 0; round < settings.throughputRuns; round++) {
    for (const contender of contenders) {
      const sample = run(contender.args, { stdoutFile: "/dev/null", measureRss: true });
      if (sample.status !== 0) problems.push(`${contender.name} exited ${sample.status}`);
      contender.samples.push(sample);
    }
  }
  const rows = contenders.map((contender) => ({
    name: contender.name,
    ...stats(contender.samples.map((sample) => sample.ms)),
    rssKb: Math.max(...contender.samples.map((sample) => sample.rssKb ?? 0)),
  }));
  const baseline = rows[2];
  printTable(
    ["command", "median", "min", "records/s", "MB/s", "peak RSS", "vs baseline"],
    rows.map((row) => [
      row.name,
      ms(row.median),
      ms(row.min),
      Math.round(settings.records / (row.median / 1000)).toLocaleString("en"),
      (bytes / 1e6 / (row.median / 1000)).toFixed(0),
      kb(row.rssKb),
      (row.median / baseline.median).toFixed(2),
    ]),
  );
  const jsonRatio = rows[0].median / baseline.median;
  const quietRatio = rows[1].median / baseline.median;
  if (Math.max(jsonRatio, quietRatio) > GOALS.throughputRatio) missedGoals.push("throughput");
  log(
    `   ratio lambda-dest / baseline = ${jsonRatio.toFixed(2)} (--json), ${quietRatio.toFixed(2)} (-q) ` +
      `(goal ≤ 2.0: ${verdict(Math.max(jsonRatio, quietRatio) <= GOALS.throughputRatio)})`,
  );

  const big = benchBigFile(bytes, baselineScript, validatorFile);
  return { dataFile, bytes, rows, jsonRatio, quietRatio, big };
}

/** One run on a file about BENCH_BIG_BYTES large, to show that peak RSS does not grow with the input. */
function benchBigFile(smallBytes, baselineScript, validatorFile) {
  if (!(settings.bigBytes > 0)) return undefined;
  const records = Math.ceil((settings.bigBytes / smallBytes) * settings.records);
  const { bavail, bsize } = statfsSync(scratch);
  if (bavail * bsize < settings.bigBytes * 1.5) {
    log(`\n   (big file skipped: ${mb(bavail * bsize)} free in ${tmpdir()})`);
    return undefined;
  }
  const bigFile = join(scratch, "huge.ndjson");
  progress(`writing ${records.toLocaleString("en")} records (~${mb(settings.bigBytes)})`);
  const bytes = writeInvocationRecords(bigFile, records, 7);
  progress("validating the big file");
  const mine = run([lambdaDest, "validate", bigFile, "--json"], {
    stdoutFile: "/dev/null",
    measureRss: true,
  });
  const baseline = run([baselineScript, validatorFile, bigFile], { capture: true, measureRss: true });
  rmSync(bigFile);
  if (mine.status !== 0) problems.push(`validate --json on the big file exited ${mine.status}`);
  if (baseline.status !== 0) problems.push(`baseline on the big file exited ${baseline.status}`);
  log(`\n## b') memory: ${records.toLocaleString("en")} records, ${mb(bytes)} (one run each)`);
  printTable(
    ["command", "wall", "records/s", "peak RSS"],
    [
      ["lambda-dest validate huge.ndjson --json > /dev/null", mine, records],
      ["baseline (readline + JSON.parse + Ajv)", baseline, records],
    ].map(([name, sample]) => [
      name,
      ms(sample.ms),
      Math.round(records / (sample.ms / 1000)).toLocaleString("en"),
      kb(sample.rssKb),
    ]),
  );
  return { records, bytes, mine, baseline };
}

// ---------------------------------------------------------------------------------------------------------
// c) the realistic mix (issue 15)

function benchRealistic() {
  if (!(settings.realRecords > 0)) return undefined;
  const dataFile = join(scratch, "realistic.ndjson");
  const validatorFile = join(scratch, "mix-validator.mjs");
  const baselineScript = join(root, "bench", "lib", "baseline-validate.mjs");
  progress(`writing ${settings.realRecords.toLocaleString("en")} realistic lines with generate`);
  const bytes = writeRealisticRecordsSync(dataFile, settings.realRecords);
  const schemas = readdirSync(join(root, "schemas")).map((name) => join(root, "schemas", name));
  compileMixBaselineValidator(schemas, validatorFile);
  const share = (mix) =>
    mix.map(([what, part]) => `${[what].flat().join("+") || "none"} ${Math.round(part * 100)}%`).join(", ");
  log(
    `\n## c) realistic mix: ${settings.realRecords.toLocaleString("en")} lines, NDJSON, ${mb(bytes)} ` +
      `(${(bytes / 2 ** 20).toFixed(0)} MiB)`,
  );
  log(`   kinds: ${share(KIND_MIX)}`);
  log(`   layers: ${share(WRAP_MIX)}; events of 100 B to 100 KB; Node/Python/Java/Go stack traces`);
  log("   baseline: readline + JSON.parse + one standalone Ajv 2020 validator, anyOf every bundled schema");
  log(
    "   (outer layer only; lambda-dest also parses and validates each layer inside). ajv-cli reads no NDJSON.",
  );
  const single = { ...process.env, LAMBDA_DEST_PARALLEL_BYTES: String(2 ** 50) };
  const parallel = bytes > GOALS.parallelMinBytes;
  // The worker path is what `validate` does by default on a file this size (2 cores or more).
  const workers = { ...process.env };
  delete workers.LAMBDA_DEST_PARALLEL_BYTES;
  const contenders = [
    { name: "lambda-dest -q, worker threads", args: [lambdaDest, "validate", dataFile, "-q"], env: workers },
    {
      name: "lambda-dest --json, worker threads",
      args: [lambdaDest, "validate", dataFile, "--json"],
      env: workers,
    },
    { name: "lambda-dest -q, one thread", args: [lambdaDest, "validate", dataFile, "-q"], env: single },
    {
      name: "lambda-dest --json, one thread",
      args: [lambdaDest, "validate", dataFile, "--json"],
      env: single,
    },
    { name: "baseline (JSON.parse + Ajv anyOf)", args: [baselineScript, validatorFile, dataFile] },
  ];
  // Both paths give the same bytes.
  const outputs = [contenders[1], contenders[3]];
  const digests = outputs.map((contender) => {
    const file = join(scratch, "realistic-out.json");
    const sample = run(contender.args, { stdoutFile: file, env: contender.env });
    const text = readFileSync(file, "utf8");
    rmSync(file);
    if (sample.status !== 0) problems.push(`${contender.name} on the realistic mix exited ${sample.status}`);
    return text;
  });
  if (digests[0] !== digests[1])
    problems.push("the worker-thread and one-thread outputs differ on the realistic mix");
  for (const contender of contenders) contender.samples = [];
  progress(`${settings.realRuns} rounds of ${contenders.length} realistic runs`);
  for (let round = 0; round < settings.realRuns; round++) {
    for (const contender of contenders) {
      const sample = run(contender.args, { stdoutFile: "/dev/null", measureRss: true, env: contender.env });
      if (sample.status !== 0 && contender.args[0] === lambdaDest)
        problems.push(`${contender.name} exited ${sample.status}`);
      contender.samples.push(sample);
    }
  }
  const rows = contenders.map((contender) => ({
    name: contender.name,
    ...stats(contender.samples.map((sample) => sample.ms)),
    rssKb: Math.max(...contender.samples.map((sample) => sample.rssKb ?? 0)),
  }));
  const baseline = rows.at(-1);
  const goalOf = (row) => {
    if (row === baseline) return "";
    const oneThread = row.name.includes("one thread");
    const limit = oneThread || !parallel ? GOALS.realisticRatio : GOALS.parallelRatio;
    const met = row.median / baseline.median <= limit && row.rssKb / 1024 < GOALS.peakRssMiB;
    if (!met) missedGoals.push(`realistic: ${row.name}`);
    return `≤ ${limit.toFixed(1)}×, < ${GOALS.peakRssMiB} MiB: ${verdict(met)}`;
  };
  printTable(
    ["command", "median", "worst", "MB/s", "peak RSS", "vs baseline", "worst vs worst", "goal"],
    rows.map((row) => [
      row.name,
      ms(row.median),
      ms(row.max),
      (bytes / 1e6 / (row.median / 1000)).toFixed(0),
      mib(row.rssKb),
      (row.median / baseline.median).toFixed(2),
      (row.max / baseline.max).toFixed(2),
      goalOf(row),
    ]),
  );
  return { dataFile, bytes, rows, parallel };
}

/** writeRealisticRecords is async (it imports dist/generate); the bench is written synchronously. */
function writeRealisticRecordsSync(path, count) {
  const script = `import { writeRealisticRecords } from ${JSON.stringify(join(root, "bench", "lib", "realistic-records.mjs"))};
process.stdout.write(String(await writeRealisticRecords(${JSON.stringify(path)}, ${count})));`;
  const result = run(["--input-type=module", "-e", script], { capture: true });
  if (result.status !== 0) throw new Error(`writing the realistic mix failed: ${result.stderr}`);
  return Number(result.stdout);
}

function printRealisticSummary(realistic, startup) {
  const [quiet, json, quietOne, jsonOne, baseline] = realistic.rows;
  const ratio = (row) => (row.median / baseline.median).toFixed(2);
  const goal = realistic.parallel ? GOALS.parallelRatio : GOALS.realisticRatio;
  log(
    `\n| realistic mix, ${settings.realRecords.toLocaleString("en")} lines (${mb(realistic.bytes)}), \`-q\` / \`--json\`` +
      `${realistic.parallel ? " (worker threads)" : ""} | ${ms(quiet.median)} / ${ms(json.median)}, ${mib(Math.max(quiet.rssKb, json.rssKb))} peak | ` +
      `JSON.parse + Ajv anyOf: ${ms(baseline.median)}, ${mib(baseline.rssKb)} | ${ratio(quiet)} / ${ratio(json)} ` +
      `(≤ ${goal.toFixed(1)} ${mark(Math.max(quiet.median, json.median) / baseline.median <= goal)}) |`,
  );
  log(
    `| same, one thread, \`-q\` / \`--json\` | ${ms(quietOne.median)} / ${ms(jsonOne.median)}, ` +
      `${mib(Math.max(quietOne.rssKb, jsonOne.rssKb))} peak | same | ${ratio(quietOne)} / ${ratio(jsonOne)} ` +
      `(≤ ${GOALS.realisticRatio} ${mark(Math.max(quietOne.median, jsonOne.median) / baseline.median <= GOALS.realisticRatio)}) |`,
  );
  log(
    `| one small file vs \`node -e 0\`, median of ${settings.startupRuns} | ${ms(startup.mine.median)} | ` +
      `${ms(startup.floor.median)} | ${startup.vsNode.toFixed(2)} (≤ ${GOALS.startupVsNode} ${mark(startup.vsNode <= GOALS.startupVsNode)}) |`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// profiles (when a goal is missed, or BENCH_PROFILE=1)

function wantProfiles() {
  if (settings.profile === "1") return true;
  if (settings.profile === "0") return false;
  return missedGoals.length > 0;
}

function profileLambdaDest(dataFile, realisticFile) {
  log(
    "\n## profiles of lambda-dest (node --cpu-prof; self time, so JSON.parse/stringify count in their caller)",
  );
  const cases = [
    {
      name: "start-up: validate one.json",
      args: ["--cpu-prof-interval", "100", lambdaDest, "validate", oneRecord],
    },
    { name: "throughput: validate big.ndjson --json", args: [lambdaDest, "validate", dataFile, "--json"] },
  ];
  if (realisticFile) {
    // One thread, so that the profile shows all the work (the worker threads' profiles are separate files).
    cases.push({
      name: "realistic mix: validate realistic.ndjson -q (one thread)",
      args: [lambdaDest, "validate", realisticFile, "-q"],
      env: { ...process.env, LAMBDA_DEST_PARALLEL_BYTES: String(2 ** 50) },
    });
  }
  const summaries = [];
  for (const [index, entry] of cases.entries()) {
    const dir = join(scratch, `profile-${index}`);
    run(["--cpu-prof", "--cpu-prof-dir", dir, ...entry.args], { stdoutFile: "/dev/null", env: entry.env });
    const file = existsSync(dir) && readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
    if (!file) {
      problems.push(`no CPU profile written for ${entry.name}`);
      continue;
    }
    const summary = summarizeProfile(join(dir, file), root, 12);
    summaries.push({ name: entry.name, summary });
    log(`\n   ${entry.name}: ${ms(summary.totalMs)} sampled`);
    printTable(
      ["where (self time)", "ms", "share"],
      summary.places.map((row) => [row.name, row.ms.toFixed(1), percent(row.share)]),
    );
    printTable(
      ["function", "ms", "share"],
      summary.functions.map((row) => [row.name, row.ms.toFixed(1), percent(row.share)]),
    );
  }
  return summaries;
}

// ---------------------------------------------------------------------------------------------------------
// summary

function printSummary(startup, imports, throughput, profiles) {
  const { mine, ajv, floor } = startup;
  const [json, quiet, baseline] = throughput.rows;
  const big = throughput.big;
  const sdkFree = imports.filter((entry) => entry.mustNotLoadSdk).every((entry) => entry.sdk === 0);
  log("\n## Summary (markdown, for the README)\n");
  log(`Measured with \`npm run bench\` on ${machineFacts()}.\n`);
  log("| measurement | lambda-dest | peer | ratio (goal) |");
  log("|---|---|---|---|");
  log(
    `| start-up + 1 invocation record, median of ${settings.startupRuns} | ${ms(mine.median)} (p90 ${ms(mine.p90)}) | ` +
      `ajv-cli ${ajvCliVersion}: ${ms(ajv.median)} (p90 ${ms(ajv.p90)}); bare \`node -e 0\`: ${ms(floor.median)} | ` +
      `${startup.ratio.toFixed(3)} (≤ 1/3 ${mark(startup.ratio <= GOALS.startupRatio)}) |`,
  );
  const records = settings.records.toLocaleString("en");
  log(
    `| ${records} records NDJSON (${mb(throughput.bytes)}), \`--json\` | ${ms(json.median)}, ${kb(json.rssKb)} RSS | ` +
      `readline + JSON.parse + 1 Ajv validator: ${ms(baseline.median)}, ${kb(baseline.rssKb)} RSS | ` +
      `${throughput.jsonRatio.toFixed(2)} (≤ 2 ${mark(throughput.jsonRatio <= GOALS.throughputRatio)}) |`,
  );
  log(
    `| same file, human output \`-q\` | ${ms(quiet.median)}, ${kb(quiet.rssKb)} RSS | same | ` +
      `${throughput.quietRatio.toFixed(2)} (≤ 2 ${mark(throughput.quietRatio <= GOALS.throughputRatio)}) |`,
  );
  if (big) {
    const growth = big.mine.rssKb / json.rssKb;
    log(
      `| ${big.records.toLocaleString("en")} records NDJSON (${mb(big.bytes)}), \`--json\` | ${ms(big.mine.ms)}, ` +
        `${kb(big.mine.rssKb)} RSS | baseline: ${ms(big.baseline.ms)}, ${kb(big.baseline.rssKb)} RSS | ` +
        `RSS ×${growth.toFixed(2)} for ×${(big.bytes / throughput.bytes).toFixed(1)} input (flat ${mark(growth < 1.5)}) |`,
    );
  }
  log(
    `| \`--help\`, \`validate\`, \`show\` load the AWS SDK | ${sdkFree ? "no" : "YES"} | | ${mark(sdkFree)} |`,
  );
  if (profiles) log("\n(profiles above: the goals were missed or BENCH_PROFILE=1)");
}

// ---------------------------------------------------------------------------------------------------------
// helpers

/**
 * Runs `node ...args` and returns its wall time in ms, exit status and, with `measureRss`, its peak RSS
 * in KB (from /usr/bin/time, or else from a preload that reports process.resourceUsage().maxRSS).
 */
function run(args, { capture = false, stdoutFile, measureRss = false, env = process.env, cwd = root } = {}) {
  let command = node;
  let commandArgs = args;
  const rssFile = measureRss ? join(scratch, "rss.txt") : undefined;
  if (rssFile && timeBinary) {
    command = timeBinary;
    commandArgs = ["-f", "%M", "-o", rssFile, node, ...args];
  } else if (rssFile) {
    commandArgs = ["--import", join(root, "bench", "lib", "report-max-rss.mjs"), ...args];
    env = { ...env, MAX_RSS_FILE: rssFile };
  }
  const stdout = stdoutFile ? openSync(stdoutFile, "w") : capture ? "pipe" : "ignore";
  const started = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, {
    cwd,
    env,
    stdio: ["ignore", stdout, capture ? "pipe" : "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (typeof stdout === "number") closeSync(stdout);
  const sample = {
    ms: elapsed,
    status: result.status,
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? "",
  };
  if (rssFile) {
    const text = readFileSync(rssFile, "utf8").trim().split("\n").pop();
    sample.rssKb = Number(text);
    rmSync(rssFile);
  }
  return sample;
}

function parseOr(text, fallback) {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
  return { median: median(sorted), p90: at(0.9), min: sorted[0], max: sorted.at(-1) };
}

function median(sorted) {
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printTable(header, rows, { leftAligned = [0] } = {}) {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => String(row[column]).length)),
  );
  const cell = (text, column) =>
    leftAligned.includes(column)
      ? String(text).padEnd(widths[column])
      : String(text).padStart(widths[column]);
  const line = (cells) => `   ${cells.map(cell).join("  ")}`.trimEnd();
  log(line(header));
  log(line(widths.map((width) => "-".repeat(width))));
  for (const row of rows) log(line(row));
}

function machineFacts() {
  const cpu = cpus();
  const model = cpu[0]?.model?.replace(/\s+/g, " ").trim() ?? "unknown CPU";
  return `Node ${process.version}, ${process.platform}-${process.arch}, ${cpu.length} cores (${model}), ${mb(totalmem())} RAM`;
}

function toPath(entry) {
  return entry.startsWith("file://") ? fileURLToPath(entry) : entry;
}

function packageOf(path) {
  const modules = path.lastIndexOf("/node_modules/");
  if (modules === -1) return path.startsWith(root) ? "lambda-dest" : path;
  const [scope, name] = path.slice(modules + 14).split("/");
  return scope.startsWith("@") ? `${scope}/${name}` : scope;
}

function relative(path) {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

function ms(value) {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}

function mib(value) {
  return value ? `${(value / 1024).toFixed(0)} MiB` : "n/a";
}

function kb(value) {
  return value ? `${(value / 1024).toFixed(0)} MB` : "n/a";
}

function mb(bytes) {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;
}

function percent(share) {
  return `${(share * 100).toFixed(1)}%`;
}

function verdict(met) {
  return met ? "met" : "MISSED";
}

function mark(met) {
  return met ? "✓" : "✗";
}

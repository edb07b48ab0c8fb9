/**
 * `lambda-dest completion bash|zsh|fish` on the built binary: the script is loaded in a real shell and its
 * completion function driven as the shell drives it on Tab (bash: COMP_WORDS and COMP_CWORD, then COMPREPLY;
 * fish: `complete -C`). Every command's --help ends with examples.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMAND_NAMES } from "../../src/cli.js";
import { KINDS } from "../../src/envelopes/types.js";
import { GENERATE_KINDS } from "../../src/generate/options.js";
import { runCli } from "../support/run-cli.js";

const scratch = mkdtempSync(join(tmpdir(), "lambda-dest-completion-"));
const hasShell = (shell: string) => spawnSync(shell, ["-c", "true"]).status === 0;

async function script(shell: string): Promise<string> {
  const result = await runCli(["completion", shell]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const path = join(scratch, `completion.${shell}`);
  writeFileSync(path, result.stdout);
  return path;
}

/**
 * Sets what bash sets before it calls a completion function (the words are the script's arguments), calls
 * the function the script registered for lambda-dest (as `complete -p` names it), and prints COMPREPLY.
 */
const DRIVER = [
  'COMP_WORDS=("$@")',
  "COMP_CWORD=$(($# - 1))",
  'COMP_LINE="$*"',
  'fn=$(complete -p lambda-dest | sed -E "s/.* -F ([^ ]+) .*/\\1/")',
  '"$fn"',
  "declare -p COMPREPLY",
].join("\n");

/** What bash offers on Tab after `words` (the last one is the word being completed). */
function bashComplete(path: string, words: string[]): string[] {
  const program = `source '${path}'\n${DRIVER}`;
  const result = spawnSync("bash", ["--norc", "--noprofile", "-c", program, "bash", ...words], {
    cwd: scratch,
    encoding: "utf8",
  });
  expect(result.stderr).toBe("");
  // declare -p COMPREPLY prints: declare -a COMPREPLY=([0]="tail" [1]="...")
  return [...result.stdout.matchAll(/\[\d+\]="((?:[^"\\]|\\.)*)"/g)].map((match) =>
    match[1]!.replace(/\\(.)/g, "$1"),
  );
}

describe("lambda-dest completion bash (built binary)", () => {
  it("completes `lambda-dest ta<TAB>` to tail", async () => {
    expect(bashComplete(await script("bash"), ["lambda-dest", "ta"])).toEqual(["tail"]);
  });

  it("offers every registered command, and only those", async () => {
    expect(bashComplete(await script("bash"), ["lambda-dest", ""])).toEqual(COMMAND_NAMES);
  });

  it("completes options, the values they accept, and kind names", async () => {
    const path = await script("bash");
    expect(bashComplete(path, ["lambda-dest", "tail", "queue", "--un"])).toEqual(["--until"]);
    expect(bashComplete(path, ["lambda-dest", "tail", "queue", "--until", ""])).toEqual([
      "success",
      "failure",
      "any",
    ]);
    expect(bashComplete(path, ["lambda-dest", "schemas", ""])).toEqual([...KINDS]);
    expect(bashComplete(path, ["lambda-dest", "generate", ""])).toEqual([...GENERATE_KINDS]);
    expect(bashComplete(path, ["lambda-dest", "generate", "invocation-record", "--runtime", "p"])).toEqual([
      "python",
    ]);
    expect(bashComplete(path, ["lambda-dest", "validate", "--schema", "sqs"])).toEqual(["sqs-message"]);
    // A global option's value is not taken for the command.
    expect(bashComplete(path, ["lambda-dest", "--region", "eu-west-1", "sh"])).toEqual(["show"]);
    expect(bashComplete(path, ["lambda-dest", "--region", "eu-west-1", "show", "--r"])).toEqual([
      "--raw",
      "--region",
      "--request-timeout",
    ]);
  });

  it("completes file names where a command reads files", async () => {
    writeFileSync(join(scratch, "failure record.json"), "{}");
    const path = await script("bash");
    expect(bashComplete(path, ["lambda-dest", "show", "failure"])).toEqual(["failure record.json"]);
    expect(bashComplete(path, ["lambda-dest", "send", "orders", "--file", "fail"])).toEqual([
      "failure record.json",
    ]);
  });
});

describe("lambda-dest completion zsh and fish (built binary)", () => {
  it.skipIf(!hasShell("zsh"))("zsh loads the script and registers the completion", async () => {
    const path = await script("zsh");
    const result = spawnSync("zsh", ["-f", "-c", `source '${path}' && complete -p lambda-dest`], {
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("-F _lambda_dest lambda-dest");
  });

  it.skipIf(!hasShell("fish"))("fish completes `lambda-dest ta` to tail, with its description", async () => {
    const path = await script("fish");
    const result = spawnSync(
      "fish",
      [
        "--no-config",
        "-c",
        `source '${path}'; complete -C 'lambda-dest ta'; complete -C 'lambda-dest schemas inv'`,
      ],
      { encoding: "utf8" },
    );
    expect(result.stderr).toBe("");
    expect(result.stdout.split("\n")[0]).toMatch(/^tail\tstream destination envelopes/);
    expect(result.stdout).toContain("invocation-record\n");
  });

  it("an unknown shell is a usage error naming the choices", async () => {
    const result = await runCli(["completion", "powershell"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Allowed choices are bash, zsh, fish");
  });
});

describe("every command's --help ends with examples (built binary)", () => {
  it.each(COMMAND_NAMES)("%s --help", async (name) => {
    const result = await runCli([name, "--help"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    const start = lines.findLastIndex((line) => line.trim() === "Examples:");
    expect(start, "an Examples: section").toBeGreaterThan(0);
    const examples = lines.slice(start + 1);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const line of examples) expect(line).toMatch(/^ {4}\$ .*lambda-dest/);
  });
});

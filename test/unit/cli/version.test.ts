import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../../support/run-cli.js";

// An installed copy (bin/, dist/ as built, node_modules linked) whose package.json says another version:
// what --version prints must follow the package.json it was installed with. Needs `npm run build`.
let install = "";
const installedVersion = "9.8.7-test.1";

beforeAll(() => {
  install = mkdtempSync(join(tmpdir(), "lambda-dest-version-"));
  for (const part of ["bin", "dist"]) {
    cpSync(join(repoRoot, part), join(install, part), { recursive: true });
  }
  symlinkSync(join(repoRoot, "node_modules"), join(install, "node_modules"), "dir");
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
  writeFileSync(join(install, "package.json"), JSON.stringify({ ...manifest, version: installedVersion }));
});

afterAll(() => {
  if (install) rmSync(install, { recursive: true, force: true });
});

describe("#17 --version is the package.json version", () => {
  it("the checkout's binary prints the checkout's package.json version", async () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    expect(await runCli(["--version"])).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: "" });
  });

  it("an installed copy prints the version its own package.json says", async () => {
    const result = await runCli(["--version"], {
      bin: join(install, "bin", "lambda-dest.cjs"),
      cwd: install,
    });
    expect(result).toEqual({ code: 0, stdout: `${installedVersion}\n`, stderr: "" });
  });
});

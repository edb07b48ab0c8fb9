/**
 * The layer map of the README ("Development") made a rule: CLI (main, cli, commands, render, demo, the
 * library entry) over the core (envelopes, sources, input, generate) over the adapters (aws, local) over the
 * base (errors, io and small helpers). A module imports only from its own layer or a lower one, and the
 * folders (and top-level files) of src/ import each other in no circle. Type-only imports count: they are
 * dependencies a reader has to follow as much as any other.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../support/run-cli.js";

const LAYERS = {
  cli: ["main", "cli", "index", "commands", "render", "demo"],
  core: ["envelopes", "sources", "input", "generate"],
  adapters: ["aws", "local"],
  base: ["errors", "io", "printable", "option-values", "duration", "stdout-writer", "values", "arn"],
} as const;
const RANK: Record<string, number> = { cli: 3, core: 2, adapters: 1, base: 0 };

type Graph = Map<string, string[]>;

/** The unit a module belongs to: its top folder under src/, or its own name for a top-level file. */
function unitOf(file: string): string {
  const parts = file.split("/");
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, "");
}

function layerOf(unit: string): string | undefined {
  for (const [layer, units] of Object.entries(LAYERS))
    if ((units as readonly string[]).includes(unit)) return layer;
  return undefined;
}

/** Every relative import of every module under `root`, as paths relative to it. */
function importGraph(root: string): Graph {
  const graph: Graph = new Map();
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) {
        const text = readFileSync(path, "utf8");
        const targets = new Set<string>();
        for (const match of text.matchAll(
          /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g,
        )) {
          targets.add(relative(root, normalize(join(dirname(path), match[1]!.replace(/\.js$/, ".ts")))));
        }
        graph.set(relative(root, path), [...targets]);
      }
    }
  };
  walk(root);
  return graph;
}

/** What breaks the rule: unknown units, imports that go up a layer, and circles between units. */
function layerViolations(graph: Graph): string[] {
  const problems: string[] = [];
  const units = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = unitOf(file);
    if (layerOf(from) === undefined) problems.push(`${file}: ${from} is in no layer of the map`);
    for (const target of targets) {
      const to = unitOf(target);
      if (to === from) continue;
      const fromLayer = layerOf(from);
      const toLayer = layerOf(to);
      if (fromLayer && toLayer && RANK[toLayer]! > RANK[fromLayer]!)
        problems.push(`${file} imports ${target}: ${fromLayer} may not import from ${toLayer}`);
      if (!units.has(from)) units.set(from, new Set());
      units.get(from)!.add(to);
    }
  }
  // Circles between units, by depth-first search.
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (unit: string) => {
    state.set(unit, "open");
    path.push(unit);
    for (const next of units.get(unit) ?? []) {
      if (state.get(next) === "open")
        problems.push(`circle: ${[...path.slice(path.indexOf(next)), next].join(" -> ")}`);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(unit, "done");
  };
  for (const unit of units.keys()) if (!state.has(unit)) visit(unit);
  return problems;
}

describe("the layer map", () => {
  it("src/ imports only downward or sideways within a layer, and no folder imports another in a circle", () => {
    expect(layerViolations(importGraph(join(repoRoot, "src")))).toEqual([]);
  });

  it("the check finds an upward import, a circle and a folder missing from the map", () => {
    const graph: Graph = new Map([
      ["aws/sqs.ts", ["commands/tail.ts"]],
      ["commands/tail.ts", ["aws/sqs.ts"]],
      ["envelopes/analyze.ts", ["sources/read-items.ts"]],
      ["sources/read-items.ts", ["envelopes/types.ts"]],
      ["plugins/x.ts", []],
    ]);
    const problems = layerViolations(graph);
    expect(problems).toContain("aws/sqs.ts imports commands/tail.ts: adapters may not import from cli");
    expect(
      problems.some((line) => line.startsWith("circle: ") && line.includes("envelopes -> sources")),
    ).toBe(true);
    expect(problems).toContain("plugins/x.ts: plugins is in no layer of the map");
  });

  it("no library code changes process.env (main.ts owns the process; a function's runtime owns its own)", () => {
    const owners = new Set(["main.ts", "local/node-bootstrap-source.ts", "local/python-bootstrap-source.ts"]);
    const writes: string[] = [];
    for (const file of importGraph(join(repoRoot, "src")).keys()) {
      if (owners.has(file)) continue;
      const text = readFileSync(join(repoRoot, "src", file), "utf8");
      if (/process\.env(\.\w+|\[[^\]]+\])\s*(\?\?=|\|\|=|=(?!=))|delete\s+process\.env/.test(text))
        writes.push(file);
    }
    expect(writes).toEqual([]);
  });

  it("the README's development map names every folder and top-level module of src/", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const map = readme.slice(readme.indexOf("## Development"));
    for (const name of readdirSync(join(repoRoot, "src"))) {
      const shown = statSync(join(repoRoot, "src", name)).isDirectory() ? `src/${name}/` : `src/${name}`;
      expect(map, `README's map lacks ${shown}`).toContain(shown);
    }
  });
});

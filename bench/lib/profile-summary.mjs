// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by where the code lives (a file of
// dist/, a package, Node's internals, GC) and the hottest functions.
import { readFileSync } from "node:fs";

/** Where a call frame's code lives, coarse enough to act on. */
function placeOf(url, functionName, root) {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const path = url.replace(/^file:\/\//, "");
  const modules = path.lastIndexOf("/node_modules/");
  if (modules !== -1) {
    const rest = path.slice(modules + 14).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return path.startsWith(root) ? path.slice(root.length + 1) : path;
}

export function summarizeProfile(file, root, top = 12) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map();
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  }
  const byPlace = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const { callFrame } = nodes.get(id);
    const place = placeOf(callFrame.url, callFrame.functionName, root);
    const name = `${callFrame.functionName || "(anonymous)"} ${place}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ""}`;
    byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    total += micros;
  }
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / total }));
  return { totalMs: total / 1000, places: rank(byPlace), functions: rank(byFunction) };
}

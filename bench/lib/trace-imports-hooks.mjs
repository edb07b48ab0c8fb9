// Loader hooks for trace-imports.mjs: appends each resolved module URL to the trace file.
import { appendFileSync } from "node:fs";

let file;

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (file && !result.url.startsWith("node:")) appendFileSync(file, `${result.url}\n`);
  return result;
}

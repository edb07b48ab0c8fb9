import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import * as path from "node:path";
import type { FunctionDefinition } from "./lambda-service.js";

/** A function given as local code: a handler file, or a folder holding one. */
export interface LocalFunctionSource {
  name: string;
  /** A handler file (index.mjs, app.py, ...) or a folder. */
  path: string;
  /** e.g. "index.handler"; guessed from the file or the folder's usual entry files when absent. */
  handler?: string;
  /** e.g. "nodejs22.x" or "python3.12"; guessed from the handler file's extension when absent. */
  runtime?: string;
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
}

/** Entry files looked for in a folder, in order, with the handler name each conventionally exports. */
const ENTRY_FILES: Array<[file: string, handler: string]> = [
  ["index.mjs", "index.handler"],
  ["index.js", "index.handler"],
  ["index.cjs", "index.handler"],
  ["app.mjs", "app.handler"],
  ["app.js", "app.handler"],
  ["handler.mjs", "handler.handler"],
  ["handler.js", "handler.handler"],
  ["lambda_function.py", "lambda_function.lambda_handler"],
  ["app.py", "app.handler"],
  ["handler.py", "handler.handler"],
  ["main.py", "main.handler"],
];

export async function resolveLocalFunction(source: LocalFunctionSource): Promise<FunctionDefinition> {
  const absolute = path.resolve(source.path);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new Error(`function ${source.name}: ${source.path} does not exist`);
  let directory = absolute;
  let handler = source.handler;
  let entry: string | undefined;
  if (info.isFile()) {
    directory = path.dirname(absolute);
    const file = path.basename(absolute);
    entry = file;
    handler ??= `${file.replace(/\.(mjs|cjs|js|py)$/, "")}.handler`;
  } else if (handler === undefined) {
    const found = ENTRY_FILES.find(([file]) => existsSync(path.join(absolute, file)));
    if (!found) {
      throw new Error(
        `function ${source.name}: no entry file in ${source.path} (looked for ${ENTRY_FILES.map(([file]) => file).join(", ")}); name the handler file instead`,
      );
    }
    [entry, handler] = found;
  }
  const runtime = source.runtime ?? guessRuntime(entry ?? "", directory, handler);
  return {
    name: source.name,
    runtime,
    handler,
    codeDirectory: directory,
    codeSha256: createHash("sha256").update(directory).digest("base64"),
    codeSize: 0,
    timeout: source.timeout,
    memorySize: source.memorySize,
    environment: source.environment,
  };
}

function guessRuntime(entry: string, directory: string, handler: string): string {
  const module = handler.slice(0, handler.lastIndexOf("."));
  const python = entry.endsWith(".py") || (entry === "" && existsSync(path.join(directory, `${module}.py`)));
  if (python) return "python3.12";
  return Number(process.versions.node.split(".")[0]) >= 22 ? "nodejs22.x" : "nodejs20.x";
}

import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { invalidParameter } from "./lambda-service-error.js";
import { NODE_BOOTSTRAP_SOURCE } from "./node-bootstrap-source.js";
import { PYTHON_BOOTSTRAP_SOURCE } from "./python-bootstrap-source.js";

export type RuntimeFamily = "nodejs" | "python";

/** The runtimes the local stack can run: Lambda's identifiers for Node.js and Python. */
const SUPPORTED = /^(nodejs(18|20|22|24)\.x|python3\.(9|1[0-4]))$/;

export function runtimeFamily(runtime: string): RuntimeFamily {
  if (!SUPPORTED.test(runtime)) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is not supported by the local stack, which runs nodejs18.x to nodejs24.x and python3.9 to python3.14.`,
    );
  }
  return runtime.startsWith("nodejs") ? "nodejs" : "python";
}

export interface RuntimeCommand {
  command: string;
  args: string[];
}

/** Writes the bootstraps once per stack and says how to start a sandbox of each runtime. */
export class Runtimes {
  private constructor(private readonly directory: string) {}

  static async install(directory: string): Promise<Runtimes> {
    await mkdir(directory, { recursive: true });
    await writeFile(path.join(directory, "bootstrap.mjs"), NODE_BOOTSTRAP_SOURCE);
    await writeFile(path.join(directory, "bootstrap.py"), PYTHON_BOOTSTRAP_SOURCE);
    return new Runtimes(directory);
  }

  get runtimeDirectory(): string {
    return this.directory;
  }

  command(runtime: string): RuntimeCommand {
    if (runtimeFamily(runtime) === "nodejs") {
      // The Node.js that runs the stack: it is known to exist, and the versions differ little for handlers.
      return { command: process.execPath, args: [path.join(this.directory, "bootstrap.mjs")] };
    }
    // The system's python3 whatever the minor version: the bootstrap uses the standard library only.
    return { command: "python3", args: ["-u", path.join(this.directory, "bootstrap.py")] };
  }
}

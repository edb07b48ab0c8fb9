import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { unzipSync } from "fflate";
import { invalidParameter } from "./lambdaServiceError.js";

export interface ExtractedCode {
  directory: string;
  /** Base64 SHA-256 of the zip, as Lambda reports CodeSha256. */
  sha256: string;
  size: number;
}

/** Unpacks a deployment package the way Lambda does before it accepts it: an unreadable zip is refused. */
export async function extractFunctionCode(zip: Uint8Array, directory: string): Promise<ExtractedCode> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch {
    throw invalidParameter(
      "Could not unzip uploaded file. Please check your file, then try to upload again.",
    );
  }
  const root = path.resolve(directory);
  await mkdir(root, { recursive: true });
  for (const [name, content] of Object.entries(entries)) {
    const target = path.resolve(root, name);
    // A zip entry must not escape the task root ("zip slip").
    if (target !== root && !target.startsWith(root + path.sep)) {
      throw invalidParameter(`Could not unzip uploaded file: the entry ${name} points outside the package.`);
    }
    if (name.endsWith("/")) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  return { directory: root, sha256: createHash("sha256").update(zip).digest("base64"), size: zip.length };
}

import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { zipSync } from "fflate";

/**
 * Zips a folder (or a single file) into a Lambda deployment package, paths relative to the folder, so that
 * tests, the demo and `--function` can deploy local code through the ordinary CreateFunction call.
 */
export async function zipDirectory(source: string): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const info = await readdir(source, { withFileTypes: true, recursive: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOTDIR") return undefined;
      throw error;
    },
  );
  if (info === undefined) {
    files[path.basename(source)] = await readFile(source);
    return zipSync(files);
  }
  for (const entry of info) {
    if (!entry.isFile()) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    files[path.relative(source, absolute).split(path.sep).join("/")] = await readFile(absolute);
  }
  return zipSync(files);
}

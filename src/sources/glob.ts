import { join, relative, sep } from "node:path";

const GLOB_CHARS = /[*?[]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/**
 * Expands a glob (`*`, `?`, `[abc]`, `**`) relative to `cwd`, in sorted order. Node 20 has no fs.glob,
 * and the patterns users pass here are simple enough not to warrant a dependency.
 */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const normalized = pattern.split(sep).join("/");
  const parts = normalized.split("/");
  const firstGlob = parts.findIndex((part) => isGlob(part));
  const baseParts = parts.slice(0, firstGlob);
  const base = baseParts.length === 0 ? "." : baseParts.join("/") || "/";
  const matcher = globToRegExp(normalized);
  const absoluteBase = normalized.startsWith("/") ? base : join(cwd, base);
  const deep = parts.slice(firstGlob).some((part) => part === "**") || parts.length - firstGlob > 1;
  const found: string[] = [];
  await walk(absoluteBase, deep, async (file) => {
    const shown = normalized.startsWith("/") ? file : relative(cwd, file).split(sep).join("/");
    if (matcher.test(shown) || matcher.test(`./${shown}`)) found.push(shown);
  });
  return found.sort();
}

async function walk(directory: string, deep: boolean, visit: (file: string) => Promise<void>): Promise<void> {
  // Loaded here: node:fs/promises (with readline and the file watchers behind it) would cost every start.
  const { readdir, stat } = await import("node:fs/promises");
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (deep && entry.name !== "node_modules" && !entry.name.startsWith(".")) await walk(full, deep, visit);
    } else if (
      entry.isFile() ||
      (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isFile())
    ) {
      await visit(full);
    }
  }
}

export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "*") {
      if (pattern[i + 1] === "*") {
        const slash = pattern[i + 2] === "/";
        source += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else {
        source += "[^/]*";
      }
    } else if (char === "?") {
      source += "[^/]";
    } else if (char === "[") {
      const close = pattern.indexOf("]", i + 1);
      if (close === -1) source += "\\[";
      else {
        source += `[${pattern
          .slice(i + 1, close)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else {
      source += char.replace(/[.+^${}()|\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

import { Chalk, type ChalkInstance } from "chalk";

/**
 * Decides whether a stream gets colors: --no-color and NO_COLOR win, then FORCE_COLOR, then TTY-ness.
 * chalk 5 does not read NO_COLOR itself, hence this one place.
 */
export function createColors(options: {
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  colorFlag: boolean | undefined;
}): ChalkInstance {
  return new Chalk({ level: colorLevel(options) });
}

export function colorLevel(options: {
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  colorFlag: boolean | undefined;
}): 0 | 1 | 2 | 3 {
  const { env } = options;
  if (options.colorFlag === false) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === "0" || force === "false") return 0;
    if (force === "2") return 2;
    if (force === "3") return 3;
    return 1;
  }
  if (!options.isTTY) return 0;
  if (env.TERM === "dumb") return 0;
  if (env.COLORTERM === "truecolor" || env.COLORTERM === "24bit") return 3;
  if (env.TERM?.includes("256")) return 2;
  return 1;
}

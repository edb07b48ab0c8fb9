import type { ChalkInstance } from "chalk";

export interface ColorChoice {
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  colorFlag: boolean | undefined;
}

/**
 * Colors for one stream: --no-color and NO_COLOR win, then FORCE_COLOR, then TTY-ness. chalk 5 does not
 * read NO_COLOR itself, hence this one place. Without colors chalk is not even loaded: piped output is
 * the common case, and start-up time counts.
 */
export async function createColors(choice: ColorChoice): Promise<ChalkInstance> {
  const level = colorLevel(choice);
  if (level === 0) return plainColors();
  const { Chalk } = await import("chalk");
  return new Chalk({ level });
}

export function colorLevel(choice: ColorChoice): 0 | 1 | 2 | 3 {
  const { env } = choice;
  if (choice.colorFlag === false) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === "0" || force === "false") return 0;
    if (force === "2") return 2;
    if (force === "3") return 3;
    return 1;
  }
  if (!choice.isTTY) return 0;
  if (env.TERM === "dumb") return 0;
  if (env.COLORTERM === "truecolor" || env.COLORTERM === "24bit") return 3;
  if (env.TERM?.includes("256")) return 2;
  return 1;
}

/** A stand-in for chalk at level 0: every style, however chained, returns its text unchanged. */
export function plainColors(): ChalkInstance {
  const identity: ChalkInstance = new Proxy((...text: unknown[]) => text.join(" "), {
    // "then" must stay undefined, or `await` would take the stand-in for a promise.
    get: (_target, property) => (property === "level" ? 0 : property === "then" ? undefined : identity),
  }) as unknown as ChalkInstance;
  return identity;
}

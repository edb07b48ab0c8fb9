/** `replay` asks on a terminal before it invokes anything (unless --yes), and only there. */
import { createInterface } from "node:readline";
import { UsageError } from "../errors.js";
import type { CommandContext } from "../io.js";

/** A usage error when there is no terminal to ask on, or stdin holds the records and cannot answer. */
export function requireTerminalToAsk(readsStdin: boolean, context: CommandContext): void {
  const canAsk = context.io.stdin.isTTY === true && context.io.stderr.isTTY && !readsStdin;
  if (!canAsk) {
    throw new UsageError(
      readsStdin
        ? "replay asks before it invokes anything, and stdin holds the records: pass --yes (or --dry-run to see the plan)"
        : "replay asks before it invokes anything and there is no terminal to ask on: pass --yes (or --dry-run to see the plan)",
    );
  }
}

/** True when the answer is yes; no answer (end of input) is no. */
export async function confirmReplay(context: CommandContext, toReplay: number): Promise<boolean> {
  const answer = await ask(context, `Replay ${toReplay} event${toReplay === 1 ? "" : "s"}? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

/** Reads one line from the terminal after printing the question on stderr. */
function ask(context: CommandContext, question: string): Promise<string> {
  context.io.stderr.write(question);
  return new Promise((resolveAnswer) => {
    const lines = createInterface({ input: context.io.stdin, terminal: false });
    let answered = false;
    lines.once("line", (line) => {
      answered = true;
      lines.close();
      resolveAnswer(line);
    });
    lines.once("close", () => {
      if (!answered) resolveAnswer("");
    });
  });
}

/**
 * What the Node.js runtime writes itself (console lines, and the end marks that close an invocation's log) comes
 * after everything the function wrote before it, and whole, however much of it the pipe could not take at once.
 * The runtime writes its own output straight to the descriptor when the stream holds nothing of the function's,
 * and through the stream otherwise: these handlers leave output queued in the stream (corked, or too large for
 * the pipe) right before a console line, and write a console line larger than the pipe (a socket pair, whose
 * buffer is about 200 kB) takes at once.
 *
 * Lambda's log of a synchronous invoke ("LogResult: The last 4 KB of the execution log", Lambda API reference,
 * Invoke) holds everything the function wrote during the invocation, in the order it was written; the stack's
 * own log prints every line of it.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { expect, it } from "vitest";
import type { LocalLogger } from "../../../src/local/local-logger.js";
import { type Clients, deploySource, useLocalStack } from "./helpers.js";

let clients: Clients;
const lines: string[] = [];
const logger: LocalLogger = {
  info: (line) => {
    if (line.startsWith("[queued-output] ")) lines.push(line);
  },
  warn: () => {},
  error: () => {},
};

useLocalStack(
  (started) => {
    ({ clients } = started);
  },
  { port: 0, logger },
);

const HANDLER = [
  "export const handler = async (event) => {",
  "  process.stdout.cork();",
  '  process.stdout.write("queued in the stream " + event.n + "\\n");',
  '  console.log("after the queued line", event.n);',
  "  process.stdout.uncork();",
  '  console.log("ç".repeat(400000));',
  '  console.log("after the long line", event.n);',
  '  process.stdout.write("é".repeat(40000) + "\\n");',
  '  console.log("last", event.n);',
  "  return event.n;",
  "};",
].join("\n");

it("keeps the runtime's console lines and end marks after the function's queued output, and whole", async () => {
  await deploySource(clients, "queued-output", HANDLER);
  for (let n = 0; n < 3; n += 1) {
    lines.length = 0;
    const answer = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "queued-output", LogType: "Tail", Payload: JSON.stringify({ n }) }),
    );
    const requestId = answer.$metadata.requestId!;
    expect(Buffer.from(answer.Payload!).toString()).toBe(String(n));
    const entry = (message: string) =>
      new RegExp(`^\\[queued-output\\] \\S+\\t${requestId}\\tINFO\\t${message}$`);
    // Every line of this invocation, in order: the stack has printed them all once the answer is back, the
    // long one in pieces (it cuts a line at 64 K characters).
    const long = lines.slice(2, -3);
    expect(long.length).toBeGreaterThan(1);
    expect(lines[0]).toBe(`[queued-output] queued in the stream ${n}`);
    expect(lines[1]).toMatch(entry(`after the queued line ${n}`));
    expect(`[queued-output] ${long.map((piece) => piece.slice("[queued-output] ".length)).join("")}`).toMatch(
      entry("ç{400000}"),
    );
    expect(lines.at(-3)).toMatch(entry(`after the long line ${n}`));
    expect(lines.at(-2)).toBe(`[queued-output] ${"é".repeat(40000)}`);
    expect(lines.at(-1)).toMatch(entry(`last ${n}`));
    const log = Buffer.from(answer.LogResult!, "base64").toString();
    expect(log).toMatch(
      new RegExp(`é\\n\\S+\\t${requestId}\\tINFO\\tlast ${n}\\nEND RequestId: ${requestId}\\n`),
    );
    expect(log).not.toContain("\u0000");
  }
});

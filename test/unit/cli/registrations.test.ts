import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildProgram, COMMAND_NAMES, commandNamed } from "../../../src/cli.js";
import type { Io } from "../../../src/io.js";

function quietIo(): Io {
  const sink = { write: () => {}, isTTY: false };
  return {
    stdout: sink,
    stderr: sink,
    stdin: Object.assign(new PassThrough(), { isTTY: true }),
    env: {},
    cwd: "/tmp",
    now: () => new Date(0),
    watchInterrupts: () => new AbortController().signal,
  };
}

const registered = (argv: string[]) =>
  buildProgram(quietIo(), { exitCode: 0 }, argv).commands.map((command) => command.name());

// Start-up registers only the command argv names, found through the name list: a command missing from the
// list would never be registered when named, and a name with no registration would register nothing.
describe("#17 the command-name list and the registrations are one", () => {
  it("--help registers exactly the listed commands, in the listed order", () => {
    expect(registered([])).toEqual([...COMMAND_NAMES]);
  });

  it.each(COMMAND_NAMES.map((name) => [name]))("argv naming %s registers that command alone", (name) => {
    expect(commandNamed([name])).toBe(name);
    expect(registered([name, "--help"])).toEqual([name]);
  });
});

/**
 * Issue #8 item 8, for the local stack's own log: `lambda-dest local` and `demo -v` print lines whose text a
 * function (its console output) or an HTTP client (a Host header, a URL) chose. Each of those lines reaches
 * the terminal escaped, at every level, while the level labels keep their colours.
 */
import { Readable } from "node:stream";
import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { stackLogger } from "../../src/commands/demo.js";
import { localStackLogger } from "../../src/commands/local.js";
import type { CommandContext } from "../../src/io.js";

const HOSTILE = "title\u001b]0;pwned\u0007 clear\u001b[2J csi\u009b2J rtl\u202eexe.txt del\u007f";
/** Any control a terminal acts on, other than the newline that ends a line and the SGR colours we add. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function contextWritingTo(lines: string[], verbose: boolean): CommandContext {
  const colors = new Chalk({ level: 1 });
  return {
    io: {
      stdout: { write: (text) => lines.push(text), isTTY: true },
      stderr: { write: (text) => lines.push(text), isTTY: true },
      stdin: Readable.from([]),
      env: {},
      cwd: process.cwd(),
      now: () => new Date(0),
      watchInterrupts: () => new AbortController().signal,
    },
    colors,
    errorColors: colors,
    output: { json: false, quiet: false, verbose },
    aws: {},
  };
}

/** What reached the terminal, with our own colour sequences (and only those) taken out. */
function withoutOurColours(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

describe("#8.8 the local stack's log is escaped", () => {
  for (const [name, build] of [
    ["local", (lines: string[]) => localStackLogger(contextWritingTo(lines, false))],
    ["demo -v", (lines: string[]) => stackLogger(contextWritingTo(lines, true))],
  ] as const) {
    it(`#8.8 ${name}: info, warn and error lines carry no raw control character`, () => {
      const lines: string[] = [];
      const logger = build(lines);
      logger.info(`function log: ${HOSTILE}`);
      logger.warn(`refused a request addressed to ${HOSTILE}`);
      logger.error(`POST /2015-03-31/functions/${HOSTILE}: boom`);
      expect(lines).toHaveLength(3);
      for (const line of lines) {
        const shown = withoutOurColours(line);
        expect(shown.endsWith("\n")).toBe(true);
        expect(shown.slice(0, -1)).not.toMatch(RAW_CONTROL);
        expect(shown).toContain("\\x1b]0;pwned\\x07");
        expect(shown).toContain("\\u009b2J");
        expect(shown).toContain("\\u202eexe.txt");
      }
    });
  }
});

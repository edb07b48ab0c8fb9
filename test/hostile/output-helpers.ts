/** Running the built binary with its output kept raw, and telling what in that output a terminal would act on. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, runCli } from "../support/run-cli.js";

export { repoRoot };
export const fixtures = join(repoRoot, "test/fixtures/envelopes");

/** Every class of character a terminal acts on: OSC (window title), CSI (clear screen), BEL, C1 CSI, DEL, bidi. */
export const HOSTILE =
  "\u001b]0;owned\u0007\u001b[2J\u001b[31m\u009b5m\u0085\u007f\u202eevil\u2066x\u2069\u200f\r\u0008\u000b";

/** The SGR sequences chalk writes at level 1 for the styles the renderers use. */
const OUR_COLORS = /\u001b\[(?:1|2|22|31|32|33|36|39)m/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The characters in `text` that a terminal would act on, other than newline and tab. With `colors`, the
 * SGR sequences our renderers write are taken out first (so run hostile SGR checks without colors too).
 */
export function controlsIn(text: string, options: { colors?: boolean } = {}): string[] {
  const checked = options.colors ? text.replace(OUR_COLORS, "") : text;
  return [...checked.matchAll(CONTROL)].map((match) => match[0]);
}

export interface RawResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built binary; stdout and stderr are returned exactly as written (no ANSI stripping), with no AWS
 * configuration of the machine's in the way.
 */
export function runRaw(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RawResult> {
  return runCli(args, {
    ...options,
    raw: true,
    env: {
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_PROFILE: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      ...options.env,
    },
  });
}

/** A bundled fixture, parsed. */
export function fixture(name: string): any {
  return JSON.parse(readFileSync(join(fixtures, name), "utf8"));
}

/** A Node.js failure record whose error, trace, condition and payload carry `text`. */
export function hostileFailureRecord(text = HOSTILE): any {
  const record = fixture("failure-node.json");
  record.requestContext.condition = `Retries${text}Exhausted`;
  record.responsePayload.errorType = `Order${text}Error`;
  record.responsePayload.errorMessage = `order failed ${text}`;
  record.responsePayload.trace = [
    `OrderError: order failed ${text}`,
    `    at handler (${text}index.mjs:1:1)`,
  ];
  record.requestPayload = { [`key${text}`]: `value${text}`, nested: { list: [text] } };
  return record;
}

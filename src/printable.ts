/**
 * The one place where text that came from outside (payloads, file names, queue and topic names, AWS error
 * messages, function logs) is made safe to print. A terminal acts on C0 controls (ESC starts a sequence that
 * can set the window title, clear the screen or rewrite what is shown), on DEL, on C1 controls (U+009B is a
 * one-character CSI for many terminals), on the bidirectional overrides and isolates that reorder what is
 * shown (CVE-2021-42574) and on the line and paragraph separators; those are written visibly escaped
 * instead. Our own colors are added after escaping, so they are the only escape sequences that reach the
 * terminal. It lives in the base layer because io.ts (warnings and notes) needs it as much as the renderers do.
 */

/** A test (first match only) and a replacer (every match) for one class of characters. */
function characters(source: string): { test: RegExp; all: RegExp } {
  return { test: new RegExp(source), all: new RegExp(source, "g") };
}

const DEL_C1_BIDI = "\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
/** Any control: for one line of output. */
const IN_LINE = characters(`[\\u0000-\\u001f${DEL_C1_BIDI}]`);
/** Any control but tab and line feed: for text laid out on several lines. */
const IN_BLOCK = characters(`[\\u0000-\\u0008\\u000b-\\u001f${DEL_C1_BIDI}]`);
/** What JSON.stringify leaves raw: DEL, C1 and the bidi controls (it escapes C0 itself). */
const IN_JSON = characters(`[${DEL_C1_BIDI}]`);
/** JSON text as given: any control but the whitespace JSON allows between tokens (CR only before LF). */
const IN_RAW_JSON = characters(`[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f${DEL_C1_BIDI}]|\\r(?!\\n)`);

const NAMED: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  if (code <= 0x7f) return `\\x${code.toString(16).padStart(2, "0")}`;
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Text for one line of human output: every control character (newline and tab included) is shown
 * escaped, e.g. ESC as `\x1b`, U+009B as `\u009b`, U+202E as `\u202e`. Backslashes are left as they are.
 */
export function printable(text: string): string {
  return IN_LINE.test.test(text) ? text.replace(IN_LINE.all, visible) : text;
}

/** The same, for text laid out on several lines (a function's log): newlines and tabs are kept. */
export function printableLines(text: string): string {
  return IN_BLOCK.test.test(text) ? text.replace(IN_BLOCK.all, visible) : text;
}

/**
 * JSON text (output of JSON.stringify) with DEL, C1 and bidi controls written as \u escapes: still valid
 * JSON with the very same strings, and safe on a terminal. Those characters can only occur inside JSON
 * strings, where a \u escape means the same character.
 */
export function printableJson(json: string): string {
  return IN_JSON.test.test(json) ? json.replace(IN_JSON.all, unicodeEscape) : json;
}

/**
 * JSON text as the user gave it (`show --raw`): kept byte for byte except the characters a terminal would
 * act on, written as \u escapes (inside a string that is the same JSON value; outside one, the text was
 * not valid JSON anyway). Newlines, tabs and CR LF line ends stay.
 */
export function printableRawJson(text: string): string {
  return IN_RAW_JSON.test.test(text) ? text.replace(IN_RAW_JSON.all, unicodeEscape) : text;
}

/**
 * A value quoted for a message (`--function "x"`, `got 42`): JSON, so that its bounds and escapes are plain,
 * cut to about `max` characters, and safe on a terminal.
 */
export function quoted(value: unknown, max = 60): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") {
    return printableJson(JSON.stringify(value.length > max ? `${value.slice(0, max - 3)}...` : value));
  }
  const text = JSON.stringify(value) ?? String(value);
  return printableJson(text.length > max ? `${text.slice(0, max - 3)}...` : text);
}

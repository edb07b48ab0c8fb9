/**
 * Text laid out at the terminal's width: a line too long is broken at a space (or, for a word longer than
 * the line, between two characters) and its continuation lines are indented under the text, not at column 0.
 * A break never falls inside one of our color sequences, inside an escape that printable.ts wrote (`\x1b`,
 * `\u202e`, `\n`), or inside a character: a surrogate pair, a base letter and its combining marks, and an
 * emoji sequence stay whole. Widths count terminal columns (East Asian wide characters and emoji take two).
 */
import { stripVTControlCharacters } from "node:util";

/** The width used when stdout is not a terminal (a pipe, a file). */
export const PIPED_WIDTH = 100;
/** The fewest columns a line leaves for its text, however long its prefix or indent. */
const MIN_ROOM = 10;
/** A prefix that leaves fewer columns than this, when the text does not fit after it, stands on its own line. */
const FIRST_LINE_ROOM = 20;
/** Narrower terminals are laid out as if they were this wide: below it, wrapping costs more than it gives. */
export const MIN_WIDTH = 40;

/** The width to lay out at: the terminal's columns, or PIPED_WIDTH when there is no terminal. */
export function outputWidth(columns: number | undefined): number {
  if (columns === undefined || !Number.isSafeInteger(columns) || columns <= 0) return PIPED_WIDTH;
  return Math.max(MIN_WIDTH, columns);
}

/** A color sequence (what chalk writes): no width, never split, and carried over to continuation lines. */
const SGR = "\\u001b\\[[0-9;]*m";
/** An escape written by printable.ts or by JSON: shown as typed, so it is one unit as wide as it is long. */
const WRITTEN_ESCAPE = '\\\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[nrtbf"\\\\/])';
const UNITS = new RegExp(`(${SGR})|(${WRITTEN_ESCAPE})`, "g");

/**
 * Text whose every character is one column and a grapheme of its own: ASCII, Latin and the like (no
 * combining marks), general punctuation and arrows, box drawing, and our ✓ ✗. Measured without segmenting.
 */
const NARROW = /^[\u0020-\u007e\u00a0-\u02ff\u2010-\u205e\u2190-\u21ff\u2500-\u257f\u2713\u2717]*$/;

/** Made on first use: creating a segmenter costs milliseconds that plain text never needs. */
let segmenter: Intl.Segmenter | undefined;
function graphemes(text: string): Iterable<{ segment: string }> {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return segmenter.segment(text);
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200d\u2060\ufeff]$/u;
const EMOJI = /\p{Emoji_Presentation}|\ufe0f/u;

/** Columns taken by one code point (not a whole grapheme). */
function codePointWidth(code: number): number {
  if (code < 0x1100) return 1;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0x303e) ||
    (code >= 0x3041 && code <= 0x33ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xa000 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Columns taken by one grapheme: its first code point decides, an emoji takes two, a lone mark none. */
function graphemeWidth(grapheme: string): number {
  if (grapheme.length === 1) {
    const code = grapheme.charCodeAt(0);
    if (code >= 0x20 && code < 0x7f) return 1;
  }
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (EMOJI.test(grapheme)) return 2;
  return codePointWidth(grapheme.codePointAt(0) ?? 0);
}

/** Columns the text takes on a terminal (color sequences take none). */
export function displayWidth(text: string): number {
  const plain = text.includes("\u001b") ? stripVTControlCharacters(text) : text;
  if (NARROW.test(plain)) return plain.length;
  let width = 0;
  for (const { segment } of graphemes(plain)) width += graphemeWidth(segment);
  return width;
}

interface Unit {
  text: string;
  width: number;
  /** A color sequence. */
  sgr: boolean;
  space: boolean;
}

function units(text: string): Unit[] {
  const found: Unit[] = [];
  const plainRun = (run: string) => {
    if (NARROW.test(run)) {
      for (const char of run) found.push({ text: char, width: 1, sgr: false, space: char === " " });
      return;
    }
    for (const { segment } of graphemes(run)) {
      found.push({ text: segment, width: graphemeWidth(segment), sgr: false, space: segment === " " });
    }
  };
  let last = 0;
  for (const match of text.matchAll(UNITS)) {
    if (match.index > last) plainRun(text.slice(last, match.index));
    const sgr = match[1] !== undefined;
    found.push({ text: match[0], width: sgr ? 0 : match[0].length, sgr, space: false });
    last = match.index + match[0].length;
  }
  if (last < text.length) plainRun(text.slice(last));
  return found;
}

/** The close code that ends what an SGR open code starts. */
function closeCodeOf(code: number): number | undefined {
  if ((code >= 30 && code <= 38) || (code >= 90 && code <= 97)) return 39;
  if ((code >= 40 && code <= 48) || (code >= 100 && code <= 107)) return 49;
  if (code === 1 || code === 2) return 22;
  if (code >= 3 && code <= 9) return code + 20;
  return undefined;
}

/** The color sequences in force, so that a continuation line can be painted as its line was. */
class ActiveStyles {
  #open: { sequence: string; close: number | undefined }[] = [];

  apply(sequence: string): void {
    const codes = sequence.slice(2, -1).split(";").map(Number);
    const first = codes[0] ?? 0;
    if (codes.length === 1 && (first === 0 || sequence === "\u001b[m")) {
      this.#open = [];
      return;
    }
    if (codes.length === 1 && [22, 23, 24, 25, 27, 28, 29, 39, 49].includes(first)) {
      this.#open = this.#open.filter((style) => style.close !== first);
      return;
    }
    this.#open.push({ sequence, close: codes.length === 1 ? closeCodeOf(first) : undefined });
  }

  /** Ends them, with the codes chalk itself writes (39 for a color, 22 for bold and dim), not a full reset. */
  close(): string {
    const codes = new Set(this.#open.map((style) => style.close ?? 0).reverse());
    return [...codes].map((code) => `\u001b[${code}m`).join("");
  }

  reopen(): string {
    return this.#open.map((style) => style.sequence).join("");
  }
}

/**
 * `prefix` then `text`, broken into lines no wider than `width`: the prefix (a label, an indentation) is
 * never broken, and every continuation line starts with `indent`. Returns the lines joined by "\n".
 */
export function wrap(prefix: string, text: string, width: number, indent: string): string {
  const prefixWidth = displayWidth(prefix);
  const indentWidth = displayWidth(indent);
  // Fits as it is (the usual case): nothing to segment.
  if (
    !text.includes("\n") &&
    prefixWidth + text.length <= width &&
    displayWidth(text) <= width - prefixWidth
  ) {
    return prefix + text;
  }
  return text
    .split("\n")
    .map((line, index) =>
      index === 0 ? wrapOne(prefix, prefixWidth, line) : wrapOne(indent, indentWidth, line),
    )
    .join("\n");

  function wrapOne(start: string, startWidth: number, line: string): string {
    if (startWidth + displayWidth(line) <= width) return start + line;
    const styles = new ActiveStyles();
    for (const match of start.matchAll(new RegExp(SGR, "g"))) styles.apply(match[0]);
    // Never less than a few columns for the text, however long the prefix or indent.
    const room = (used: number) => Math.max(width - used, MIN_ROOM);
    const out: string[] = [];
    let current: Unit[] = [];
    let currentWidth = 0;
    let lineStart = start;
    let available = room(startWidth);
    if (width - startWidth < FIRST_LINE_ROOM) {
      // The prefix leaves next to no room (a long key in a narrow terminal): the text starts on the next line.
      out.push(start.replace(/ +$/, ""));
      lineStart = indent;
      available = room(indentWidth);
    }
    // Styles in force where the current line begins.
    let opening = "";
    /** Where the last space of the current line is (a break there drops it), or -1. */
    let lastSpace = -1;

    const emit = (taken: Unit[]) => {
      let text = opening;
      for (const unit of taken) text += unit.text;
      for (const unit of taken) if (unit.sgr) styles.apply(unit.text);
      out.push(lineStart + text.replace(/ +$/, "") + styles.close());
      opening = styles.reopen();
      lineStart = indent;
      available = room(indentWidth);
    };

    const all = units(line);
    /** Units taken back from a line that broke at a space, to be laid out again on the next one. */
    const replay: Unit[] = [];
    let next = 0;
    const startNewLine = (taken: Unit[]) => {
      emit(taken);
      current = [];
      currentWidth = 0;
      lastSpace = -1;
    };
    while (replay.length > 0 || next < all.length) {
      const unit = replay.length > 0 ? replay.shift()! : all[next++]!;
      if (unit.sgr || currentWidth + unit.width <= available) {
        if (unit.space && current.some((kept) => !kept.space && !kept.sgr)) lastSpace = current.length;
        current.push(unit);
        currentWidth += unit.width;
      } else if (unit.space) {
        startNewLine(current);
      } else if (lastSpace >= 0) {
        // Break at the last space; the word begun after it goes to the next line, where it may need cutting.
        const rest = current.slice(lastSpace + 1);
        startNewLine(current.slice(0, lastSpace));
        replay.unshift(...rest, unit);
      } else if (current.some((kept) => !kept.sgr)) {
        // A word longer than the line: cut before this unit, and lay it out on the next line.
        startNewLine(current);
        replay.unshift(unit);
      } else {
        // A unit wider than a whole line: alone on it.
        current.push(unit);
        currentWidth += unit.width;
      }
    }
    let text = opening;
    for (const unit of current) text += unit.text;
    out.push(lineStart + text);
    return out.join("\n");
  }
}

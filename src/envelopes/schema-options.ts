/**
 * How the bundled schemas are compiled, in one place for both compilers: scripts/compile-validators.mjs
 * (at build time, into dist/validators/) and src/envelopes/kinds.ts (at run time, when there is no build).
 * Neither loads Ajv from here, so the built path pays nothing for it.
 */

/** Ajv 2020 options (formats apart, which each compiler wires its own way). */
export const AJV_OPTIONS = {
  strict: true,
  allowUnionTypes: true,
  allErrors: true,
  // minLength is only ever 1 here: plain .length, without Ajv's runtime helper for surrogate pairs.
  unicode: false,
  logger: false,
} as const;

// RFC 3339 date-time, as JSON Schema's "date-time" format means it: a real calendar date, a time with
// optional fraction, and a zone (Z or an offset). Leap seconds are accepted only at 23:59:60.
// ajv-formats would cost a module load at every start.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function dateTime(text: string): boolean {
  const match = DATE_TIME.exec(text);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (leap ? 29 : DAYS[month - 1])) return false;
  if (hour > 23 || minute > 59) return false;
  if (second > 60 || (second === 60 && !(hour === 23 && minute === 59) && match[8].length === 1))
    return false;
  return true;
}

/** The formats the schemas use, for a runtime Ajv. */
export const FORMATS: Record<string, (text: string) => boolean> = { "date-time": dateTime };

/**
 * The same formats as a CommonJS module, for the precompiled validators to require: written from the
 * functions above (and the constants they read), so the two compilers cannot drift apart.
 */
export function formatsModuleSource(): string {
  return [
    '"use strict";',
    `const DATE_TIME = ${DATE_TIME};`,
    `const DAYS = ${JSON.stringify(DAYS)};`,
    dateTime.toString(),
    'module.exports = { "date-time": dateTime };',
    "",
  ].join("\n");
}

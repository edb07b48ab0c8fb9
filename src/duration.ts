import { UsageError } from "./errors.js";
import { formatLimit, MAX_TIMER_MS } from "./option-values.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses "500ms", "30s", "5m", "1h", "2d" or a bare number of seconds into milliseconds, between `minMs` and
 * the longest a Node timer can wait (about 24.8 days): a longer one would fire at once.
 */
export function parseDuration(text: string, flag: string, minMs = 0): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  const accepted = `use e.g. 30s, 5m, 1h or 500ms, from ${formatLimit(minMs)} up to 24d`;
  if (!match) throw new UsageError(`${flag}: "${text}" is not a duration; ${accepted}`);
  const unit = (match[2] ?? "s").toLowerCase();
  const milliseconds = Math.round(Number(match[1]) * UNITS[unit]!);
  if (!(milliseconds >= minMs && milliseconds <= MAX_TIMER_MS)) {
    throw new UsageError(`${flag}: "${text}" is out of range; ${accepted}`);
  }
  return milliseconds;
}

export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(milliseconds < 10_000 ? 1 : 0)}s`;
  if (milliseconds < 3_600_000) return `${Math.round(milliseconds / 60_000)}m`;
  return `${(milliseconds / 3_600_000).toFixed(1)}h`;
}

/**
 * A moment given as a duration before `now` ("10m", "2h") or as an ISO 8601 time ("2026-12-04T10:00:00Z");
 * one in the future is refused.
 */
export function parseSince(text: string, flag: string, now: Date): Date {
  const trimmed = text.trim();
  let at: Date;
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    at = new Date(trimmed);
    if (Number.isNaN(at.getTime())) {
      throw new UsageError(
        `${flag}: "${text}" is not a time; use an ISO 8601 time such as 2026-12-04T10:00:00Z, or a duration such as 10m`,
      );
    }
  } else {
    at = new Date(now.getTime() - parseDuration(trimmed, flag, 0));
  }
  if (at.getTime() > now.getTime()) throw new UsageError(`${flag}: "${text}" is in the future`);
  return at;
}

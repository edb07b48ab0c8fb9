/**
 * `doctor`'s checklist: one block per function and qualifier, one line per check (✓ / ⚠ / ✗) with its
 * sentence, and under every line that has one the command or policy that fixes it. Every name and message
 * from outside is escaped here.
 */
import type { ChalkInstance } from "chalk";
import { printable } from "../printable.js";

export type CheckStatus = "ok" | "warn" | "fail" | "unknown";

export interface DoctorCheck {
  id: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export interface DoctorFunctionReport {
  name: string;
  /** null: the unqualified function ($LATEST, and what callers without a qualifier hit). */
  qualifier: string | null;
  checks: DoctorCheck[];
}

/** `--json`: one versioned document. */
export interface DoctorDocument {
  version: 1;
  functions: DoctorFunctionReport[];
}

const SYMBOLS: Record<CheckStatus, string> = { ok: "✓", warn: "⚠", fail: "✗", unknown: "⚠" };

function symbol(status: CheckStatus, colors: ChalkInstance): string {
  const text = SYMBOLS[status];
  if (status === "ok") return colors.green(text);
  if (status === "fail") return colors.red(text);
  return colors.yellow(text);
}

export function renderDoctor(document: DoctorDocument, colors: ChalkInstance): string {
  let out = "";
  for (const report of document.functions) {
    const title =
      report.qualifier === null ? `${report.name} (unqualified)` : `${report.name}:${report.qualifier}`;
    out += `${colors.bold(printable(title))}\n`;
    for (const check of report.checks) {
      out += `  ${symbol(check.status, colors)} ${printable(check.message)}\n`;
      if (check.fix) {
        const [first, ...rest] = check.fix.split("\n");
        out += `      ${colors.dim("fix:")} ${printable(first ?? "")}\n`;
        for (const line of rest) out += `           ${printable(line)}\n`;
      }
    }
    out += "\n";
  }
  const all = document.functions.flatMap((report) => report.checks);
  const count = (status: CheckStatus) => all.filter((check) => check.status === status).length;
  out += `${all.length} ${all.length === 1 ? "check" : "checks"}: ${count("ok")} ✓, ${count("warn") + count("unknown")} ⚠ (${count("unknown")} could not be checked), ${count("fail")} ✗\n`;
  return out;
}

/**
 * The one summary-table layout (tail's closing counts, the demo's expected-against-arrived table): a header
 * and rows indented by two spaces, columns two spaces apart, every cell made printable.
 */
import type { ChalkInstance } from "chalk";
import { printable } from "../printable.js";

export interface TableRow {
  cells: string[];
  /** Colours the whole line (after padding, so that the columns stay aligned). */
  paint?: (text: string) => string;
}

/** `numeric` columns are aligned right; returns the lines without a trailing newline. */
export function tableLines(
  header: string[],
  rows: TableRow[],
  colors: ChalkInstance,
  numeric: (column: number) => boolean,
): string[] {
  const table = rows.map((row) => row.cells.map((cell) => printable(cell)));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...table.map((cells) => cells[column]?.length ?? 0)),
  );
  const format = (cells: string[]) =>
    `  ${widths
      .map((width, column) => {
        const cell = cells[column] ?? "";
        return numeric(column)
          ? cell.padStart(width)
          : column === widths.length - 1
            ? cell
            : cell.padEnd(width);
      })
      .join("  ")}`;
  return [
    colors.dim(format(header)),
    ...rows.map((row, index) => {
      const text = format(table[index]!);
      return row.paint ? row.paint(text) : text;
    }),
  ];
}

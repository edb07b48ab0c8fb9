// Turns colored terminal output (ANSI SGR codes) read from stdin into an SVG picture, for the README:
//   FORCE_COLOR=1 lambda-dest ... 2>&1 | node scripts/terminal-svg.mjs "$ lambda-dest ..." > picture.svg
// Handles what lambda-dest prints: bold, dim, and the eight basic foreground colors.
import { argv, stdin, stdout } from "node:process";

const PALETTE = {
  30: "#3b4252",
  31: "#e06c75",
  32: "#98c379",
  33: "#e5c07b",
  34: "#61afef",
  35: "#c678dd",
  36: "#56b6c2",
  37: "#dcdfe4",
};
const FOREGROUND = "#dcdfe4";
const CHAR_WIDTH = 8.4;
const LINE_HEIGHT = 19;
const PADDING = 16;

let input = "";
for await (const chunk of stdin) input += chunk;
const prompt = argv[2];
const lines = [...(prompt ? [`\u001b[1m${prompt}\u001b[0m`] : []), ...input.replace(/\n$/, "").split("\n")];

const escapeXml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

let widest = 0;
const rows = lines.map((line, index) => {
  const style = { bold: false, dim: false, color: FOREGROUND };
  const spans = [];
  let column = 0;
  for (const part of line.split(/(\u001b\[[0-9;]*m)/)) {
    const sgr = /^\u001b\[([0-9;]*)m$/.exec(part);
    if (sgr) {
      for (const code of (sgr[1] || "0").split(";").map(Number)) {
        if (code === 0) Object.assign(style, { bold: false, dim: false, color: FOREGROUND });
        else if (code === 1) style.bold = true;
        else if (code === 2) style.dim = true;
        else if (code === 22) Object.assign(style, { bold: false, dim: false });
        else if (code === 39) style.color = FOREGROUND;
        else if (PALETTE[code]) style.color = PALETTE[code];
      }
      continue;
    }
    if (part === "") continue;
    const attributes = [`fill="${style.color}"`];
    if (style.bold) attributes.push('font-weight="bold"');
    if (style.dim) attributes.push('opacity="0.6"');
    spans.push(
      `<tspan x="${(PADDING + column * CHAR_WIDTH).toFixed(1)}" ${attributes.join(" ")}>${escapeXml(part)}</tspan>`,
    );
    column += [...part].length;
  }
  widest = Math.max(widest, column);
  return `<text y="${PADDING + (index + 1) * LINE_HEIGHT - 5}" xml:space="preserve">${spans.join("")}</text>`;
});

const width = Math.ceil(PADDING * 2 + widest * CHAR_WIDTH);
const height = PADDING * 2 + lines.length * LINE_HEIGHT;
stdout.write(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">
<rect width="100%" height="100%" rx="8" fill="#282c34"/>
${rows.join("\n")}
</svg>
`);

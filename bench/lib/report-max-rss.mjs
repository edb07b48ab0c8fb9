// Preload for when /usr/bin/time is missing: `node --import ./report-max-rss.mjs ...` writes the
// process's peak resident set size in KB to the file named by MAX_RSS_FILE when the process exits.
import { writeFileSync } from "node:fs";

const file = process.env.MAX_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));

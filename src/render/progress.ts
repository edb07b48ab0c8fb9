/** A one-line progress indicator on stderr, only for a terminal and never with --json or --quiet. */
export class Progress {
  readonly #write?: (text: string) => void;
  #shown = false;
  #last = 0;

  constructor(options: {
    stderr: { write(text: string): void; isTTY: boolean };
    json: boolean;
    quiet: boolean;
  }) {
    if (options.stderr.isTTY && !options.json && !options.quiet)
      this.#write = (text) => options.stderr.write(text);
  }

  update(text: string): void {
    if (!this.#write) return;
    const now = Date.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    this.#write(`\r\x1b[2K${text}`);
    this.#shown = true;
  }

  clear(): void {
    if (this.#write && this.#shown) this.#write("\r\x1b[2K");
    this.#shown = false;
  }
}

import type { Writer } from "../io.js";

/** Collects output and writes it in large chunks: one write per item would cost a syscall each. */
export class BufferedWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(
    private readonly target: Writer,
    private readonly limit = 64 * 1024,
  ) {}

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= this.limit) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    this.target.write(this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }
}

import type { Writer } from "../io.js";

/**
 * Collects output and writes it in large chunks: one write per item would cost a syscall each. A
 * `transform` (escaping) is applied per chunk, which is cheaper than per item.
 */
export class BufferedWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(
    private readonly target: Writer,
    private readonly limit = 64 * 1024,
    private readonly transform?: (text: string) => string,
  ) {}

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= this.limit) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join("");
    this.target.write(this.transform ? this.transform(text) : text);
    this.parts = [];
    this.size = 0;
  }
}

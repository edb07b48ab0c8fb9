/**
 * A small seeded generator (mulberry32): the same seed gives the same ids, times and choices on every
 * platform, which is what `generate --seed` promises. Not for anything secret.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    // Seeds beyond 32 bits still count: fold the high part in rather than dropping it.
    const high = Math.floor(seed / 2 ** 32);
    this.state = (seed ^ Math.imul(high, 0x9e3779b1)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks with weights: `[[value, weight], ...]`. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** A string of `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string {
    let text = "";
    for (let index = 0; index < length; index++) text += alphabet[Math.floor(this.next() * alphabet.length)];
    return text;
  }

  hex(length: number): string {
    return this.chars("0123456789abcdef", length);
  }

  digits(length: number): string {
    return this.chars("0123456789", length);
  }

  /** A UUID of the given version (4 random; SNS message ids look like version 5), lower case. */
  uuid(version: 4 | 5 = 4): string {
    const hex = this.hex(32).split("");
    hex[12] = String(version);
    hex[16] = "89ab"[this.int(0, 3)]!;
    const text = hex.join("");
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  }

  /** `byteCount` random bytes, base64-encoded. */
  base64(byteCount: number): string {
    const bytes = new Uint8Array(byteCount);
    for (let index = 0; index < byteCount; index++) bytes[index] = this.int(0, 255);
    return Buffer.from(bytes).toString("base64");
  }
}

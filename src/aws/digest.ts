import * as crypto from "node:crypto";

/** crypto.hash: a digest without a Hash object (Node 20.12 on); absent from earlier Node 20 releases. */
const oneShotHash = (crypto as { hash?: typeof crypto.hash }).hash;

/**
 * The hex digest of a string's UTF-8 bytes. A drain takes one for every message received (MD5, the body's
 * check) and two for every request sent over the wire (SHA-256): the one-shot form spares creating a Hash
 * object each time.
 */
export function hexDigest(algorithm: "md5" | "sha256", text: string): string {
  return oneShotHash
    ? oneShotHash(algorithm, text, "hex")
    : crypto.createHash(algorithm).update(text, "utf8").digest("hex");
}

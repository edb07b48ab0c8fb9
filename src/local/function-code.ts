import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import * as path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createInflateRaw } from "node:zlib";
import { invalidParameter, LambdaServiceError } from "./lambda-service-error.js";

export interface ExtractedCode {
  directory: string;
  /** Base64 SHA-256 of the zip, as Lambda reports CodeSha256. */
  sha256: string;
  size: number;
}

/** Lambda's limit on a function's code once unpacked (layers included): 250 MB, in bytes. */
export const UNZIPPED_SIZE_LIMIT = 262_144_000;

const UNREADABLE = "Could not unzip uploaded file. Please check your file, then try to upload again.";

/** One file or folder of the archive, as its central directory describes it. */
interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  /** What the archive claims; the data is never allowed to unpack to more. */
  size: number;
  localHeaderOffset: number;
}

/**
 * Unpacks a deployment package the way Lambda does before it accepts it, without trusting it: the entries'
 * declared sizes must add up to at most 250 MB (refused before anything is written), each entry is inflated
 * as a stream that may not produce more than it declared (so a lying header stops at once, and memory stays
 * bounded by the zip itself), and no entry may land outside `directory`. A refused package leaves `directory`
 * removed.
 */
export async function extractFunctionCode(zip: Uint8Array, directory: string): Promise<ExtractedCode> {
  const root = path.resolve(directory);
  const archive = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  try {
    const entries = readCentralDirectory(archive);
    const declared = entries.reduce((total, entry) => total + entry.size, 0);
    if (declared > UNZIPPED_SIZE_LIMIT) throw tooLarge();
    await mkdir(root, { recursive: true });
    for (const entry of entries) {
      const target = path.resolve(root, entry.name);
      // A zip entry must not escape the task root ("zip slip").
      if (target !== root && !target.startsWith(root + path.sep)) {
        throw invalidParameter(
          `Could not unzip uploaded file: the entry ${entry.name} points outside the package.`,
        );
      }
      if (entry.name.endsWith("/")) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true });
      await writeEntry(archive, entry, target);
    }
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    if (error instanceof LambdaServiceError) throw error;
    throw invalidParameter(UNREADABLE);
  }
  return { directory: root, sha256: createHash("sha256").update(archive).digest("base64"), size: zip.length };
}

function tooLarge(): LambdaServiceError {
  return invalidParameter(`Unzipped size must be smaller than ${UNZIPPED_SIZE_LIMIT} bytes`);
}

async function writeEntry(archive: Buffer, entry: ZipEntry, target: string): Promise<void> {
  const at = entry.localHeaderOffset;
  if (at + 30 > archive.length || archive.readUInt32LE(at) !== 0x04034b50)
    throw new Error("bad local header");
  const start = at + 30 + archive.readUInt16LE(at + 26) + archive.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > archive.length) throw new Error("truncated entry");
  const data = archive.subarray(start, end);
  let written = 0;
  const bounded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      written += chunk.length;
      // Never more than declared: the declared sizes were checked against the limit before anything was written.
      if (written > entry.size) {
        done(invalidParameter(UNREADABLE));
        return;
      }
      done(null, chunk);
    },
  });
  const source = Readable.from(chunks(data));
  const output = createWriteStream(target);
  if (entry.method === 0) await pipeline(source, bounded, output);
  else if (entry.method === 8) await pipeline(source, createInflateRaw(), bounded, output);
  else throw new Error(`compression method ${entry.method}`);
  if (written !== entry.size) throw new Error("size mismatch");
}

/** The compressed data in slices, so that the inflater's output (and so memory) stays small per step. */
function* chunks(data: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < data.length; offset += 64 * 1024)
    yield data.subarray(offset, offset + 64 * 1024);
}

/** Reads the end-of-central-directory record (ZIP64 included) and every central directory entry. */
function readCentralDirectory(archive: Buffer): ZipEntry[] {
  const eocd = findSignature(archive, 0x06054b50, Math.max(0, archive.length - 22 - 0xffff));
  if (eocd < 0) throw new Error("no end of central directory");
  let count = archive.readUInt16LE(eocd + 10);
  let directorySize = archive.readUInt32LE(eocd + 12);
  let directoryOffset = archive.readUInt32LE(eocd + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || archive.readUInt32LE(locator) !== 0x07064b50) throw new Error("no ZIP64 locator");
    const zip64 = readSafeInteger(archive, locator + 8);
    if (zip64 + 56 > archive.length || archive.readUInt32LE(zip64) !== 0x06064b50)
      throw new Error("bad ZIP64");
    count = readSafeInteger(archive, zip64 + 32);
    directorySize = readSafeInteger(archive, zip64 + 40);
    directoryOffset = readSafeInteger(archive, zip64 + 48);
  }
  if (directoryOffset + directorySize > archive.length) throw new Error("central directory out of bounds");
  const entries: ZipEntry[] = [];
  let at = directoryOffset;
  for (let index = 0; index < count; index += 1) {
    if (at + 46 > archive.length || archive.readUInt32LE(at) !== 0x02014b50) throw new Error("bad entry");
    const flags = archive.readUInt16LE(at + 8);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const nameBytes = archive.subarray(at + 46, at + 46 + nameLength);
    const entry: ZipEntry = {
      name: nameBytes.toString(flags & 0x0800 ? "utf8" : "latin1"),
      method: archive.readUInt16LE(at + 10),
      compressedSize: archive.readUInt32LE(at + 20),
      size: archive.readUInt32LE(at + 24),
      localHeaderOffset: archive.readUInt32LE(at + 42),
    };
    applyZip64Extra(entry, archive.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    if (entry.name.includes("\0")) throw new Error("NUL in a name");
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** ZIP64's extended information: the 64-bit values of the fields that hold 0xFFFFFFFF, in this order. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const next = () => {
        if (field + 8 > at + 4 + length) throw new Error("short ZIP64 extra field");
        const value = readSafeInteger(extra, field);
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    at += 4 + length;
  }
}

function readSafeInteger(buffer: Buffer, offset: number): number {
  if (offset + 8 > buffer.length) throw new Error("out of bounds");
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("too large");
  return Number(value);
}

function findSignature(buffer: Buffer, signature: number, from: number): number {
  for (let at = buffer.length - 22; at >= from; at -= 1) {
    if (buffer.readUInt32LE(at) === signature) return at;
  }
  return -1;
}

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { CreateFunctionCommand, type Runtime } from "@aws-sdk/client-lambda";
import { zipDirectory } from "../../src/local/zip-directory.js";
import type { Clients } from "../integration/local/helpers.js";

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP request with full control of the headers (Host, Origin, Sec-Fetch-*), as a browser or a hostile
 * local process would send it; fetch would not let a test forge Host.
 */
export function rawRequest(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    timeoutMs?: number;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
        agent: false,
        timeout: options.timeoutMs ?? 5000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error("no answer in time")));
    request.on("error", reject);
    request.end(options.body);
  });
}

/** Writes the given files to a fresh folder, zips it and creates the function through the SDK. */
export async function deployInline(
  clients: Pick<Clients, "lambda">,
  name: string,
  files: Record<string, string>,
  options: {
    runtime?: Runtime;
    handler?: string;
    timeout?: number;
    environment?: Record<string, string>;
  } = {},
): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), "lambda-dest-hostile-"));
  try {
    for (const [file, content] of Object.entries(files)) await writeFile(path.join(folder, file), content);
    const result = await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: options.runtime ?? "nodejs20.x",
        Handler: options.handler ?? "index.handler",
        Role: "arn:aws:iam::000000000000:role/lambda-role",
        Code: { ZipFile: await zipDirectory(folder) },
        Timeout: options.timeout,
        Environment: options.environment ? { Variables: options.environment } : undefined,
      }),
    );
    return result.FunctionArn!;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: 0 | 8;
  /** The entry's data as stored in the archive (already deflated for method 8). */
  data: Buffer;
  /** What the headers claim the entry unpacks to; may lie. */
  declaredSize: number;
}

/**
 * A zip archive built by hand, so that a test can make one that lies in its headers or unpacks to far more
 * than it weighs. CRCs are zero: the stack must refuse such archives for their size before anything else.
 */
export function buildZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(0, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt32LE(0, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.declaredSize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

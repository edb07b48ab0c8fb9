import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { LocalLogger } from "./local-logger.js";

export interface RequestGuardOptions {
  /** The stack's port, known once it listens: a page served from it is the stack's own origin. */
  port(): number;
  /** The interface the stack listens on; a name other than a loopback one is admitted as a Host too. */
  bindHost: string;
  /** Origins (scheme://host[:port]) that `local --allow-origin` admits: a front end the user runs on purpose. */
  allowOrigins: readonly string[];
  logger: LocalLogger;
}

/** Response headers a browser front end needs to read from the SDK's answers. */
const EXPOSED_HEADERS = [
  "x-amzn-RequestId",
  "x-amzn-ErrorType",
  "X-Amz-Function-Error",
  "X-Amz-Log-Result",
  "X-Amz-Executed-Version",
  "x-amz-request-id",
  "x-amz-id-2",
  "x-amz-version-id",
  "ETag",
].join(", ");
const LAMBDA_PATH = /^\/\d{4}-\d{2}-\d{2}(\/|$|\?)/;
const MAX_WARNINGS = 100;

/**
 * Keeps web pages out of the stack, which has no authentication and runs code as the user. Every request on
 * the app (Lambda's routes and fauxqs's SQS, SNS and S3 alike) must
 *   - be addressed to a loopback name (127.0.0.0/8, [::1], localhost, *.localhost): a page on evil.example whose
 *     name is made to resolve to 127.0.0.1 (DNS rebinding) sends `Host: evil.example:PORT`;
 *   - carry no Origin but the stack's own or one admitted with --allow-origin, and no Sec-Fetch-Site of another
 *     site (except a plain navigation): the AWS SDKs and CLIs send neither header, browsers always do.
 * Preflights get no Access-Control-Allow-* unless their origin was admitted. Every response also carries
 * `Content-Security-Policy: sandbox`, so that an HTML object served from a bucket cannot script the stack as
 * its own origin.
 */
export function installRequestGuard(app: FastifyInstance, options: RequestGuardOptions): void {
  const admitted = new Set(options.allowOrigins);
  const warned = new Set<string>();
  const warnOnce = (key: string, line: string) => {
    if (warned.has(key) || warned.size >= MAX_WARNINGS) return;
    warned.add(key);
    options.logger.warn(line);
  };

  // Plain functions rather than async ones, here and below: every request of the app passes these hooks. A
  // request that is answered here (refused, or a preflight) does not go on.
  app.addHook("onRequest", (request, reply, done) => {
    if (guard(request, reply) === undefined) done();
  });

  app.addHook("onSend", (_request, reply, payload, done) => {
    reply.header("content-security-policy", "sandbox");
    done(null, payload);
  });

  /** Answers a request that must not go on (and returns the reply); undefined lets it through. */
  function guard(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    const { host, origin } = request.headers;
    if (host !== undefined && !isLoopbackHost(host, options.bindHost)) {
      warnOnce(
        `host ${host}`,
        `refused a request addressed to ${JSON.stringify(host)}: the local stack answers only 127.0.0.1, localhost, [::1] and *.localhost names (another name may be a web page's, through DNS rebinding)`,
      );
      return refuse(
        request,
        reply,
        `The local stack answers only requests addressed to 127.0.0.1, localhost, [::1] or a *.localhost name, not ${host}.`,
      );
    }
    const allowed = origin !== undefined && admitted.has(origin);
    if (origin !== undefined && !allowed && !isOwnOrigin(origin, options.port())) {
      warnOnce(
        `origin ${origin}`,
        `refused a request from the web page origin ${JSON.stringify(origin)} (${request.method} ${request.url.split("?")[0]}); lambda-dest local --allow-origin ORIGIN admits a front end you run`,
      );
      return refuse(
        request,
        reply,
        `Cross-origin request refused: the local stack runs code as its user and admits no web page from ${origin}. Start it with --allow-origin ${origin} to admit a front end you run.`,
      );
    }
    const site = request.headers["sec-fetch-site"];
    if (!allowed && (site === "cross-site" || site === "same-site") && !isNavigation(request)) {
      warnOnce(
        `site ${request.url}`,
        `refused a ${site} request from a web page without Origin (${request.method} ${request.url.split("?")[0]})`,
      );
      return refuse(request, reply, "Cross-site request refused by the local stack.");
    }
    if (
      origin !== undefined &&
      request.method === "OPTIONS" &&
      request.headers["access-control-request-method"]
    ) {
      if (!allowed) {
        return refuse(
          request,
          reply,
          `Preflight refused: the local stack admits no web page from ${origin}.`,
        );
      }
      const requested = String(request.headers["access-control-request-headers"] ?? "");
      reply
        .code(204)
        .header("access-control-allow-origin", origin)
        .header("access-control-allow-methods", "GET, HEAD, POST, PUT, DELETE")
        .header("access-control-max-age", "600")
        .header("vary", "Origin");
      if (/^[A-Za-z0-9\-_, ]{1,1000}$/.test(requested))
        reply.header("access-control-allow-headers", requested);
      return reply.send();
    }
    if (allowed) {
      reply
        .header("access-control-allow-origin", origin)
        .header("access-control-expose-headers", EXPOSED_HEADERS)
        .header("vary", "Origin");
    }
    return undefined;
  }
}

/** 127.0.0.0/8, ::1 (and its IPv4-mapped form), localhost and *.localhost, with or without a port. */
export function isLoopbackHost(host: string, bindHost = "127.0.0.1"): boolean {
  let name = host.trim().toLowerCase();
  if (name.startsWith("[")) {
    const close = name.indexOf("]");
    if (close < 0) return false;
    const rest = name.slice(close + 1);
    if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return false;
    name = name.slice(1, close);
    return (
      name === "::1" ||
      name === "0:0:0:0:0:0:0:1" ||
      /^::ffff:127(\.\d{1,3}){3}$/.test(name) ||
      name === bindHost.toLowerCase()
    );
  }
  const colon = name.lastIndexOf(":");
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(name.slice(colon + 1))) return false;
    name = name.slice(0, colon);
  }
  return (
    name === "localhost" ||
    (name.endsWith(".localhost") && /^[a-z0-9.-]+$/.test(name)) ||
    /^127(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(name) ||
    name === bindHost.toLowerCase()
  );
}

/** A page the stack itself serves: http on its port, under one of the loopback names. */
function isOwnOrigin(origin: string, port: number): boolean {
  if (!origin.startsWith("http://")) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.origin === origin && url.port === String(port) && isLoopbackHost(url.host);
}

/** A top-level GET the user made by following a link: no page can read its answer. */
function isNavigation(request: FastifyRequest): boolean {
  return (
    (request.method === "GET" || request.method === "HEAD") &&
    request.headers["sec-fetch-mode"] === "navigate" &&
    request.headers["sec-fetch-dest"] === "document"
  );
}

/** A 403 in the shape the refused request's protocol expects, so that a client shows its message. */
function refuse(request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply {
  const requestId = randomUUID();
  const contentType = String(request.headers["content-type"] ?? "");
  reply.code(403).header("x-amzn-RequestId", requestId).header("x-amzn-ErrorType", "AccessDeniedException");
  if (LAMBDA_PATH.test(request.url)) {
    return reply.type("application/json").send(JSON.stringify({ Type: "User", message }));
  }
  if (contentType.includes("application/x-amz-json")) {
    return reply.type("application/x-amz-json-1.0").send(JSON.stringify({ __type: "AccessDenied", message }));
  }
  const text = escapeXml(message);
  if (contentType.includes("application/x-www-form-urlencoded")) {
    return reply
      .type("text/xml")
      .send(
        `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${text}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
  }
  return reply
    .type("application/xml")
    .send(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${text}</Message><RequestId>${requestId}</RequestId></Error>`,
    );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

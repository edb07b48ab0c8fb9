import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { LocalLogger } from "../local-logger.js";
import { EventsServiceError } from "./events-error.js";
import type { EventsService } from "./events-service.js";

const TARGET_PREFIX = "AWSEvents.";

/**
 * Serves EventBridge's JSON 1.1 API (`POST /` with `X-Amz-Target: AWSEvents.<Operation>`) on the stack's
 * one endpoint. The request reaches the app's `POST /` route (fauxqs's, which answers SQS and SNS) with the
 * body as bytes; a hook answers it before that route runs. Errors have the shape SDK v3 reads:
 * `{"__type": NAME, "message": TEXT}` with the name in `x-amzn-ErrorType` too.
 */
export function registerEventsRoutes(
  app: FastifyInstance,
  service: EventsService,
  logger: LocalLogger,
): void {
  // A plain function, not an async one: every request of the app passes here, and all but EventBridge's go on
  // at once, without a promise of their own.
  app.addHook("preHandler", (request, reply, done) => {
    const target = request.headers["x-amz-target"];
    if (
      request.method !== "POST" ||
      typeof target !== "string" ||
      !target.startsWith(TARGET_PREFIX) ||
      request.url.split("?")[0] !== "/"
    ) {
      done();
      return;
    }
    return answer(request, reply, target.slice(TARGET_PREFIX.length));
  });

  async function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    operation: string,
  ): Promise<FastifyReply> {
    const requestId = randomUUID();
    const send = (status: number, document: unknown, errorType?: string) => {
      reply.code(status).header("x-amzn-RequestId", requestId).type("application/x-amz-json-1.1");
      if (errorType !== undefined) reply.header("x-amzn-ErrorType", errorType);
      return reply.send(JSON.stringify(document));
    };
    let input: unknown;
    try {
      const raw = request.body;
      if (Buffer.isBuffer(raw) || typeof raw === "string") {
        const text = raw.toString("utf8");
        input = text.trim() === "" ? {} : JSON.parse(text);
      } else {
        // Sent as application/x-amz-json-1.0, the app's own parser has read it already.
        input = raw ?? {};
      }
    } catch {
      return send(
        400,
        { __type: "SerializationException", message: "The request body is not valid JSON." },
        "SerializationException",
      );
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return send(
        400,
        { __type: "SerializationException", message: "The request body must be a JSON object." },
        "SerializationException",
      );
    }
    try {
      return send(200, await service.handle(operation, input as Record<string, unknown>));
    } catch (error) {
      if (error instanceof EventsServiceError) {
        return send(error.statusCode, { __type: error.errorType, message: error.message }, error.errorType);
      }
      logger.error(`EventBridge ${operation}: ${String(error)}`);
      return send(
        500,
        { __type: "InternalException", message: `Local EventBridge error: ${String(error)}` },
        "InternalException",
      );
    }
  }
}

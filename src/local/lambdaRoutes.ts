import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { LambdaService } from "./lambdaService.js";
import { LambdaServiceError } from "./lambdaServiceError.js";
import type { LocalLogger } from "./localLogger.js";

type Params = { name: string; uuid: string };
type Query = { Qualifier?: string; EventSourceArn?: string; FunctionName?: string };
type Handler = (request: FastifyRequest<{ Params: Params; Querystring: Query }>) => Promise<Answer> | Answer;

/** A JSON document with a status code, or a raw invoke result. */
interface Answer {
  statusCode?: number;
  headers?: Record<string, string>;
  json?: unknown;
  raw?: string;
}

/**
 * Serves the Lambda REST API (the paths and status codes of the SDK's model) on the fauxqs Fastify app, so
 * that one endpoint answers SQS, SNS, S3 and Lambda. fauxqs's catch-all parser hands every body over as a
 * Buffer, which keeps invoke payloads byte for byte.
 */
export function registerLambdaRoutes(
  app: FastifyInstance,
  service: LambdaService,
  logger: LocalLogger,
): void {
  const route = (method: "GET" | "POST" | "PUT" | "DELETE", urls: string[], handler: Handler) => {
    for (const url of urls) {
      app.route({
        method,
        url,
        handler: async (
          request: FastifyRequest<{ Params: Params; Querystring: Query }>,
          reply: FastifyReply,
        ) => {
          try {
            const answer = await handler(request);
            const requestId = answer.headers?.["x-amzn-RequestId"] ?? randomUUID();
            reply.code(answer.statusCode ?? 200).header("x-amzn-RequestId", requestId);
            for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
            if (answer.raw !== undefined) return reply.send(answer.raw);
            if (answer.json === undefined) return reply.send();
            return reply.type("application/json").send(JSON.stringify(answer.json));
          } catch (error) {
            const known =
              error instanceof LambdaServiceError
                ? error
                : new LambdaServiceError(
                    "ServiceException",
                    `Local Lambda service error: ${String(error)}`,
                    500,
                  );
            if (!(error instanceof LambdaServiceError))
              logger.error(`${method} ${request.url}: ${String(error)}`);
            return reply
              .code(known.statusCode)
              .header("x-amzn-RequestId", randomUUID())
              .header("x-amzn-ErrorType", known.errorType)
              .type("application/json")
              .send(JSON.stringify(known.body()));
          }
        },
      });
    }
  };

  const functions = "/2015-03-31/functions";
  const fn = `${functions}/:name`;
  const eventInvokeConfig = "/2019-09-25/functions/:name/event-invoke-config";
  const mappings = "/2015-03-31/event-source-mappings";

  route("POST", [functions, `${functions}/`], async (request) => ({
    statusCode: 201,
    json: await service.createFunction(jsonBody(request)),
  }));
  route("GET", [functions, `${functions}/`], () => ({ json: service.listFunctions() }));
  route("GET", [fn], (request) => ({
    json: service.getFunction(request.params.name, request.query.Qualifier),
  }));
  route("DELETE", [fn], (request) => {
    service.deleteFunction(request.params.name, request.query.Qualifier);
    return { statusCode: 204 };
  });
  route("GET", [`${fn}/configuration`], (request) => ({
    json: service.getFunctionConfiguration(request.params.name, request.query.Qualifier),
  }));
  route("PUT", [`${fn}/configuration`], (request) => ({
    json: service.updateFunctionConfiguration(request.params.name, jsonBody(request)),
  }));
  route("PUT", [`${fn}/code`], async (request) => ({
    json: await service.updateFunctionCode(request.params.name, jsonBody(request)),
  }));
  route("POST", [`${fn}/invocations`], async (request) => {
    const result = await service.invoke(
      request.params.name,
      request.query.Qualifier,
      header(request, "x-amz-invocation-type") ?? "RequestResponse",
      header(request, "x-amz-log-type"),
      Buffer.isBuffer(request.body) ? request.body : undefined,
    );
    return { statusCode: result.statusCode, headers: result.headers, raw: result.body };
  });

  route("PUT", [eventInvokeConfig], (request) => ({
    json: service.putEventInvokeConfig(request.params.name, request.query.Qualifier, jsonBody(request)),
  }));
  route("POST", [eventInvokeConfig], (request) => ({
    json: service.updateEventInvokeConfig(request.params.name, request.query.Qualifier, jsonBody(request)),
  }));
  route("GET", [eventInvokeConfig], (request) => ({
    json: service.getEventInvokeConfig(request.params.name, request.query.Qualifier),
  }));
  route("DELETE", [eventInvokeConfig], (request) => {
    service.deleteEventInvokeConfig(request.params.name, request.query.Qualifier);
    return { statusCode: 204 };
  });
  route("GET", [`${eventInvokeConfig}/list`], (request) => ({
    json: service.listEventInvokeConfigs(request.params.name),
  }));

  route("PUT", ["/2017-10-31/functions/:name/concurrency"], (request) => ({
    json: service.putFunctionConcurrency(request.params.name, jsonBody(request)),
  }));
  route("GET", ["/2019-09-30/functions/:name/concurrency"], (request) => ({
    json: service.getFunctionConcurrency(request.params.name),
  }));
  route("DELETE", ["/2017-10-31/functions/:name/concurrency"], (request) => {
    service.deleteFunctionConcurrency(request.params.name);
    return { statusCode: 204 };
  });

  route("POST", [mappings, `${mappings}/`], async (request) => ({
    statusCode: 202,
    json: await service.createEventSourceMapping(jsonBody(request)),
  }));
  route("GET", [mappings, `${mappings}/`], (request) => ({
    json: service.listEventSourceMappings(request.query.EventSourceArn, request.query.FunctionName),
  }));
  route("GET", [`${mappings}/:uuid`], (request) => ({
    json: service.getEventSourceMapping(request.params.uuid),
  }));
  route("PUT", [`${mappings}/:uuid`], (request) => ({
    statusCode: 202,
    json: service.updateEventSourceMapping(request.params.uuid, jsonBody(request)),
  }));
  route("DELETE", [`${mappings}/:uuid`], (request) => ({
    statusCode: 202,
    json: service.deleteEventSourceMapping(request.params.uuid),
  }));
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null) return {};
  const text = Buffer.isBuffer(body) ? body.toString("utf8") : typeof body === "string" ? body : undefined;
  if (text === undefined) return body as Record<string, unknown>;
  if (text.trim() === "") return {};
  try {
    const parsed = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw new LambdaServiceError(
    "InvalidRequestContentException",
    "Could not parse request body into json",
    400,
  );
}

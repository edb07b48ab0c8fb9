import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type LambdaService, SYNC_PAYLOAD_LIMIT } from "./lambda-service.js";
import { LambdaServiceError, requestTooLarge } from "./lambda-service-error.js";
import type { LocalLogger } from "./local-logger.js";

type Params = { name: string; uuid: string; alias: string };
type Query = {
  Qualifier?: string;
  EventSourceArn?: string;
  FunctionName?: string;
  FunctionVersion?: string;
  After?: string;
};
type Handler = (request: FastifyRequest<{ Params: Params; Querystring: Query }>) => Promise<Answer> | Answer;

/** A JSON document with a status code, or a raw invoke result. */
interface Answer {
  statusCode?: number;
  headers?: Record<string, string>;
  json?: unknown;
  raw?: string;
}

/** What a browser may send cross-site without a preflight; no AWS SDK or CLI sends them to Lambda. */
const BROWSER_SIMPLE_TYPES = new Set([
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
]);

/**
 * The API versions in Lambda's request paths (from the SDK's model), and the Runtime API's: any other request
 * under them is an unknown operation, never an S3 bucket of that name.
 */
const LAMBDA_PATH_PREFIXES = [
  "2014-11-13",
  "2015-03-31",
  "2016-08-19",
  "2017-03-31",
  "2017-10-31",
  "2018-06-01",
  "2018-10-31",
  "2019-09-25",
  "2019-09-30",
  "2020-04-22",
  "2020-06-30",
  "2021-07-20",
  "2021-10-31",
  "2021-11-15",
  "2024-08-31",
  "2025-11-30",
  "2025-12-01",
  "2026-07-09",
];

/** The local stack's own route (not AWS's): records sent to a function as its Lambda destination. */
export const LOCAL_DESTINATION_INVOCATIONS_PATH = "/_lambda-dest/functions/:name/destination-invocations";

/** CreateFunction and UpdateFunctionCode: 50 MB of zip, base64 in a JSON body (AWS's own figure). */
export const CODE_REQUEST_LIMIT = 69_905_067;
/** UpdateFunctionConfiguration: "Request must be smaller than 5120 bytes for the ... operation" on AWS. */
const CONFIGURATION_REQUEST_LIMIT = 5120;

interface RouteConfig {
  operation: string;
  bodyLimit: number;
}

/**
 * Serves the Lambda REST API (the paths and status codes of the SDK's model) on the fauxqs Fastify app, so
 * that one endpoint answers SQS, SNS, S3 and Lambda. The routes live in their own Fastify scope, whose only body
 * parser hands every body over as a Buffer whatever its content type: invoke payloads stay byte for byte, and
 * fauxqs's parsers (form, SQS JSON) never turn a payload into something else. Each operation has its body
 * limit, answered with AWS's RequestEntityTooLargeException; content types that a browser can send cross-site
 * without a preflight are refused (UnsupportedMediaTypeException); unknown paths under Lambda's API versions
 * get AWS's 404 UnknownOperationException.
 */
export function registerLambdaRoutes(
  app: FastifyInstance,
  service: LambdaService,
  logger: LocalLogger,
): void {
  const defaultLimit = app.initialConfig.bodyLimit ?? 1024 * 1024;
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    // A plain function rather than an async one: every Lambda request passes it.
    scope.addHook("onRequest", (request, _reply, done) => {
      const contentType = header(request, "content-type");
      const mediaType =
        contentType === undefined ? undefined : contentType.split(";")[0]!.trim().toLowerCase();
      if (mediaType === undefined || !BROWSER_SIMPLE_TYPES.has(mediaType)) {
        done();
        return;
      }
      done(
        new LambdaServiceError(
          "UnsupportedMediaTypeException",
          `The local stack refuses Content-Type ${mediaType} on the Lambda API: a web page can send it from another site without asking. Send application/json, or application/octet-stream for an Invoke payload, as the AWS SDKs and CLI do.`,
          415,
        ),
      );
    });
    scope.setErrorHandler((error, request, reply) => {
      const config = request.routeOptions.config as Partial<RouteConfig>;
      const known =
        error instanceof LambdaServiceError
          ? error
          : (error as { code?: string }).code === "FST_ERR_CTP_BODY_TOO_LARGE"
            ? requestTooLarge(config.bodyLimit ?? defaultLimit, config.operation ?? "requested")
            : undefined;
      if (!known) logger.error(`${request.method} ${request.url}: ${String(error)}`);
      const answer =
        known ??
        new LambdaServiceError("ServiceException", `Local Lambda service error: ${String(error)}`, 500);
      return reply
        .code(answer.statusCode)
        .header("x-amzn-RequestId", randomUUID())
        .header("x-amzn-ErrorType", answer.errorType)
        .type("application/json")
        .send(JSON.stringify(answer.body()));
    });
    routes(scope, service, defaultLimit);
    for (const url of LAMBDA_PATH_PREFIXES.flatMap((prefix) => [`/${prefix}`, `/${prefix}/*`])) {
      scope.route({
        method: ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"],
        url,
        exposeHeadRoute: false,
        bodyLimit: defaultLimit,
        handler: async (_request, reply) =>
          reply
            .code(404)
            .header("x-amzn-RequestId", randomUUID())
            .header("x-amzn-ErrorType", "UnknownOperationException")
            .send("<UnknownOperationException/>\n"),
      });
    }
  });
}

function routes(app: FastifyInstance, service: LambdaService, defaultLimit: number): void {
  const route = (
    method: "GET" | "POST" | "PUT" | "DELETE",
    urls: string[],
    operation: string,
    handler: Handler,
    bodyLimit = defaultLimit,
  ) => {
    for (const url of urls) {
      app.route({
        method,
        url,
        bodyLimit,
        config: { operation, bodyLimit } satisfies RouteConfig,
        handler: async (
          request: FastifyRequest<{ Params: Params; Querystring: Query }>,
          reply: FastifyReply,
        ) => {
          const answer = await handler(request);
          const requestId = answer.headers?.["x-amzn-RequestId"] ?? randomUUID();
          reply.code(answer.statusCode ?? 200).header("x-amzn-RequestId", requestId);
          for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
          if (answer.raw !== undefined) return reply.send(answer.raw);
          if (answer.json === undefined) return reply.send();
          return reply.type("application/json").send(JSON.stringify(answer.json));
        },
      });
    }
  };

  // Not an AWS API: what the stack sent to a function as its Lambda destination (tail function:NAME reads it).
  route("GET", [LOCAL_DESTINATION_INVOCATIONS_PATH], "ListDestinationInvocations", (request) => ({
    json: {
      Invocations: service.destinationInvocations(request.params.name, Number(request.query.After ?? 0) || 0),
    },
  }));

  const functions = "/2015-03-31/functions";
  const fn = `${functions}/:name`;
  const eventInvokeConfig = "/2019-09-25/functions/:name/event-invoke-config";
  const mappings = "/2015-03-31/event-source-mappings";
  const recursionConfig = "/2024-08-31/functions/:name/recursion-config";

  route(
    "POST",
    [functions, `${functions}/`],
    "CreateFunction",
    async (request) => ({ statusCode: 201, json: await service.createFunction(jsonBody(request)) }),
    CODE_REQUEST_LIMIT,
  );
  route("GET", [functions, `${functions}/`], "ListFunctions", (request) => ({
    json: service.listFunctions(request.query.FunctionVersion),
  }));
  route("GET", [fn], "GetFunction", (request) => ({
    json: service.getFunction(request.params.name, request.query.Qualifier),
  }));
  route("DELETE", [fn], "DeleteFunction", (request) => {
    service.deleteFunction(request.params.name, request.query.Qualifier);
    return { statusCode: 204 };
  });
  route("GET", [`${fn}/configuration`], "GetFunctionConfiguration", (request) => ({
    json: service.getFunctionConfiguration(request.params.name, request.query.Qualifier),
  }));
  route(
    "PUT",
    [`${fn}/configuration`],
    "UpdateFunctionConfiguration",
    (request) => ({ json: service.updateFunctionConfiguration(request.params.name, jsonBody(request)) }),
    CONFIGURATION_REQUEST_LIMIT,
  );
  route(
    "PUT",
    [`${fn}/code`],
    "UpdateFunctionCode",
    async (request) => ({ json: await service.updateFunctionCode(request.params.name, jsonBody(request)) }),
    CODE_REQUEST_LIMIT,
  );
  route(
    "POST",
    [`${fn}/invocations`],
    "InvokeFunction",
    async (request) => {
      const result = await service.invoke(
        request.params.name,
        request.query.Qualifier,
        header(request, "x-amz-invocation-type") ?? "RequestResponse",
        header(request, "x-amz-log-type"),
        Buffer.isBuffer(request.body) ? request.body : undefined,
        header(request, "x-amzn-trace-id"),
      );
      return { statusCode: result.statusCode, headers: result.headers, raw: result.body };
    },
    SYNC_PAYLOAD_LIMIT,
  );

  route("POST", [`${fn}/versions`], "PublishVersion", (request) => ({
    statusCode: 201,
    json: service.publishVersion(request.params.name, jsonBody(request)),
  }));
  route("GET", [`${fn}/versions`], "ListVersionsByFunction", (request) => ({
    json: service.listVersionsByFunction(request.params.name),
  }));
  route("POST", [`${fn}/aliases`], "CreateAlias", (request) => ({
    statusCode: 201,
    json: service.createAlias(request.params.name, jsonBody(request)),
  }));
  route("GET", [`${fn}/aliases`], "ListAliases", (request) => ({
    json: service.listAliases(request.params.name, request.query.FunctionVersion),
  }));
  route("GET", [`${fn}/aliases/:alias`], "GetAlias", (request) => ({
    json: service.getAlias(request.params.name, request.params.alias),
  }));
  route("PUT", [`${fn}/aliases/:alias`], "UpdateAlias", (request) => ({
    json: service.updateAlias(request.params.name, request.params.alias, jsonBody(request)),
  }));
  route("DELETE", [`${fn}/aliases/:alias`], "DeleteAlias", (request) => {
    service.deleteAlias(request.params.name, request.params.alias);
    return { statusCode: 204 };
  });

  route("PUT", [eventInvokeConfig], "PutFunctionEventInvokeConfig", (request) => ({
    json: service.putEventInvokeConfig(request.params.name, request.query.Qualifier, jsonBody(request)),
  }));
  route("POST", [eventInvokeConfig], "UpdateFunctionEventInvokeConfig", (request) => ({
    json: service.updateEventInvokeConfig(request.params.name, request.query.Qualifier, jsonBody(request)),
  }));
  route("GET", [eventInvokeConfig], "GetFunctionEventInvokeConfig", (request) => ({
    json: service.getEventInvokeConfig(request.params.name, request.query.Qualifier),
  }));
  route("DELETE", [eventInvokeConfig], "DeleteFunctionEventInvokeConfig", (request) => {
    service.deleteEventInvokeConfig(request.params.name, request.query.Qualifier);
    return { statusCode: 204 };
  });
  route("GET", [`${eventInvokeConfig}/list`], "ListFunctionEventInvokeConfigs", (request) => ({
    json: service.listEventInvokeConfigs(request.params.name),
  }));

  route("PUT", ["/2017-10-31/functions/:name/concurrency"], "PutFunctionConcurrency", (request) => ({
    json: service.putFunctionConcurrency(request.params.name, jsonBody(request)),
  }));
  route("GET", ["/2019-09-30/functions/:name/concurrency"], "GetFunctionConcurrency", (request) => ({
    json: service.getFunctionConcurrency(request.params.name),
  }));
  route("DELETE", ["/2017-10-31/functions/:name/concurrency"], "DeleteFunctionConcurrency", (request) => {
    service.deleteFunctionConcurrency(request.params.name);
    return { statusCode: 204 };
  });

  route("PUT", [recursionConfig], "PutFunctionRecursionConfig", (request) => ({
    json: service.putFunctionRecursionConfig(request.params.name, jsonBody(request)),
  }));
  route("GET", [recursionConfig], "GetFunctionRecursionConfig", (request) => ({
    json: service.getFunctionRecursionConfig(request.params.name),
  }));

  route("POST", [mappings, `${mappings}/`], "CreateEventSourceMapping", async (request) => ({
    statusCode: 202,
    json: await service.createEventSourceMapping(jsonBody(request)),
  }));
  route("GET", [mappings, `${mappings}/`], "ListEventSourceMappings", (request) => ({
    json: service.listEventSourceMappings(request.query.EventSourceArn, request.query.FunctionName),
  }));
  route("GET", [`${mappings}/:uuid`], "GetEventSourceMapping", (request) => ({
    json: service.getEventSourceMapping(request.params.uuid),
  }));
  route("PUT", [`${mappings}/:uuid`], "UpdateEventSourceMapping", (request) => ({
    statusCode: 202,
    json: service.updateEventSourceMapping(request.params.uuid, jsonBody(request)),
  }));
  route("DELETE", [`${mappings}/:uuid`], "DeleteEventSourceMapping", (request) => ({
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

import type { FastifyInstance, FastifyRequest } from "fastify";

/** The SQS actions whose responses carry queue URLs. */
const URL_ACTIONS = new Set(["AmazonSQS.CreateQueue", "AmazonSQS.GetQueueUrl", "AmazonSQS.ListQueues"]);
const FAUXQS_URL = /http:\/\/sqs\.[a-z0-9-]+\.localhost:(\d+)\//g;
/** A whole queue URL in fauxqs's form, with nothing a URL parser could read another host from. */
const FAUXQS_QUEUE_URL = /^http:\/\/sqs\.[a-z0-9-]+\.localhost:\d{1,5}\/\d{12}\/[A-Za-z0-9_.-]+$/;

/**
 * fauxqs names queues http://sqs.REGION.localhost:PORT/ACCOUNT/NAME, a host that does not resolve here, and
 * SDK v3 sends SQS requests to the QueueUrl's host unless told otherwise, so code that only has
 * AWS_ENDPOINT_URL (a function in the stack, a user's script) cannot reach its queues. The stack therefore
 * hands out URLs on its own endpoint (http://127.0.0.1:PORT/ACCOUNT/NAME) and maps any URL that names a
 * queue by its path (ours, fauxqs's or LocalStack's style) back to fauxqs's key on the way in.
 */
export function installQueueUrlRewriting(
  app: FastifyInstance,
  publicHost: () => string,
  defaultRegion: string,
): void {
  // Plain functions rather than async ones, here and below: every request of the app passes these hooks.
  app.addHook("preHandler", (request, _reply, done) => {
    rewriteQueueUrl(request);
    done();
  });
  app.addHook("onSend", (request, _reply, payload, done) => {
    if (typeof payload !== "string" || !URL_ACTIONS.has(String(request.headers["x-amz-target"] ?? "")))
      done(null, payload);
    else done(null, payload.replace(FAUXQS_URL, `http://${publicHost()}/`));
  });

  function rewriteQueueUrl(request: FastifyRequest): void {
    if (!String(request.headers["content-type"] ?? "").includes("application/x-amz-json-1.0")) return;
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || typeof body.QueueUrl !== "string") return;
    const region = regionFromAuthorization(request.headers.authorization) ?? defaultRegion;
    body.QueueUrl = fauxqsQueueUrl(body.QueueUrl, region, publicHost());
  }
}

/**
 * The queue URL fauxqs knows a request's QueueUrl by: ours (http://127.0.0.1:PORT/ACCOUNT/NAME), LocalStack's
 * style or any other URL that names a queue by its path, in fauxqs's form for the request's region; anything
 * else as it is.
 */
export function fauxqsQueueUrl(queueUrl: string, region: string, publicHost: string): string {
  // Already fauxqs's own form (what the stack itself sends, and most clients): nothing to parse.
  if (FAUXQS_QUEUE_URL.test(queueUrl)) return queueUrl;
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    return queueUrl;
  }
  if (/^sqs\.[a-z0-9-]+\.localhost$/.test(url.hostname)) return queueUrl;
  if (!/^\/\d{12}\/[^/]+$/.test(url.pathname)) return queueUrl;
  const port = publicHost.split(":").pop();
  return `http://sqs.${region}.localhost:${port}${url.pathname}`;
}

function regionFromAuthorization(header: string | undefined): string | undefined {
  return header ? /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(header)?.[1] : undefined;
}

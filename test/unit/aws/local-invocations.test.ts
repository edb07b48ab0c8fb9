/**
 * A Lambda destination is followed only on the local stack: an endpoint that does not serve the stack's own
 * route (AWS answers an unknown path with an error, not JSON) gives no watch, and tail names the destination as
 * one it cannot follow.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { watchLocalDestination } from "../../../src/aws/local-invocations.js";

let server: Server;
let endpoint: string;
let answer: { status: number; type: string; body: string };

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(answer.status, { "content-type": answer.type }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it("no watch where the route is unknown; a watch starting after the last record where it is served", async () => {
  const stop = new AbortController().signal;
  answer = { status: 404, type: "application/xml", body: "<UnknownOperationException/>" };
  expect(await watchLocalDestination(endpoint, "audit", stop, 1_000)).toBeUndefined();
  answer = { status: 403, type: "application/json", body: '{"message":"Missing Authentication Token"}' };
  expect(await watchLocalDestination(endpoint, "audit", stop, 1_000)).toBeUndefined();
  answer = {
    status: 200,
    type: "application/json",
    body: JSON.stringify({
      Invocations: [
        { sequence: 3, requestId: "r3", receivedAt: "2026-12-04T12:00:00.000Z", payload: "{}" },
        { sequence: 7, requestId: "r7", receivedAt: "2026-12-04T12:00:01.000Z", payload: "{}" },
      ],
    }),
  };
  expect(await watchLocalDestination(endpoint, "audit", stop, 1_000)).toMatchObject({
    kind: "invocations",
    label: "lambda:audit",
    after: 7,
  });
});

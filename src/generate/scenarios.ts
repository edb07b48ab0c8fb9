/**
 * The made-up but plausible world that generated items come from: a few kinds of application (orders,
 * images, sign-ups), each with its events, results, failures and source files. Everything is drawn
 * from the seeded generator.
 */
import type { Random } from "./random.js";

export interface Failure {
  /** Error type per runtime (the class name as each runtime reports it). */
  types: { nodejs: string; python: string; java: string; go: string };
  message: string;
}

export interface Scenario {
  functionNames: readonly string[];
  /** Package or module name used in stack traces. */
  module: string;
  /** What the handler calls before it fails, for the stack traces. */
  step: string;
  request(rng: Random): unknown;
  response(rng: Random, request: unknown): unknown;
  failure(rng: Random, request: unknown): Failure;
  /** An SQS message body of the order-processor example (a failing one contains "error"). */
  processingBody(rng: Random, failing: boolean): string;
}

/** A string field of the request, when the request (any JSON a caller gave) has one. */
function field(request: unknown, name: string): string | undefined {
  if (typeof request !== "object" || request === null) return undefined;
  const value = (request as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

const money = (rng: Random, min: number, max: number) => rng.int(min * 100, max * 100) / 100;

const orders: Scenario = {
  functionNames: ["order-processor", "checkout-fulfilment", "order-events-handler"],
  module: "orders",
  step: "reserveStock",
  request(rng) {
    const items = Array.from({ length: rng.int(1, 3) }, () => ({
      sku: `${rng.chars("ABCDEFGHJKLMNPQRSTUVWXYZ", 2)}-${rng.digits(4)}`,
      quantity: rng.int(1, 4),
      price: money(rng, 3, 120),
    }));
    return {
      orderId: `ord-${rng.digits(6)}`,
      customerId: `cus-${rng.digits(5)}`,
      items,
      currency: rng.pick(["EUR", "USD", "GBP"]),
      total: Math.round(items.reduce((sum, item) => sum + item.price * item.quantity, 0) * 100) / 100,
    };
  },
  response(rng, request) {
    return {
      orderId: field(request, "orderId") ?? `ord-${rng.digits(6)}`,
      status: "CONFIRMED",
    };
  },
  failure(rng, request) {
    const orderId = field(request, "orderId") ?? `ord-${rng.digits(6)}`;
    return rng.pick<Failure>([
      {
        types: {
          nodejs: "Error",
          python: "ValueError",
          java: "java.lang.IllegalStateException",
          go: "errorString",
        },
        message: `order ${orderId} cannot be processed: payment declined`,
      },
      {
        types: {
          nodejs: "OutOfStockError",
          python: "OutOfStockError",
          java: "com.example.orders.OutOfStockException",
          go: "OutOfStockError",
        },
        message: `order ${orderId}: not enough stock to reserve`,
      },
      {
        types: {
          nodejs: "TypeError",
          python: "KeyError",
          java: "java.lang.NullPointerException",
          go: "wrapError",
        },
        message: "Cannot read properties of undefined (reading 'sku')",
      },
    ]);
  },
  processingBody(rng, failing) {
    const order = `order ${rng.digits(5)}`;
    return failing ? `${order}: error in shipping address` : `${order}: ${rng.int(1, 4)} x book`;
  },
};

const images: Scenario = {
  functionNames: ["thumbnail-generator", "image-resizer"],
  module: "thumbnails",
  step: "resize",
  request(rng) {
    const name = `IMG_${rng.digits(4)}.jpg`;
    return {
      bucket: rng.pick(["uploads-prod", "media-incoming", "user-photos"]),
      key: `photos/2025/${String(rng.int(1, 12)).padStart(2, "0")}/${name}`,
      size: rng.int(40_000, 9_000_000),
      contentType: "image/jpeg",
    };
  },
  response(rng, request) {
    const key = field(request, "key") ?? "photos/image.jpg";
    const size = rng.pick([128, 256, 512]);
    return {
      thumbnail: key.replace(/^photos\//, "thumbnails/").replace(/\.jpg$/, `_${size}.jpg`),
      width: size,
    };
  },
  failure(rng, request) {
    const key = field(request, "key") ?? "photos/image.jpg";
    return rng.pick<Failure>([
      {
        types: { nodejs: "Error", python: "OSError", java: "java.io.IOException", go: "errorString" },
        message: `image ${key} is corrupt: unexpected end of JPEG data`,
      },
      {
        types: {
          nodejs: "RangeError",
          python: "MemoryError",
          java: "java.lang.OutOfMemoryError",
          go: "errorString",
        },
        message: `image ${key} is too large to resize in memory`,
      },
    ]);
  },
  processingBody(rng, failing) {
    return failing ? `resize error for IMG_${rng.digits(4)}.jpg` : `resize IMG_${rng.digits(4)}.jpg`;
  },
};

const signups: Scenario = {
  functionNames: ["welcome-mailer", "signup-handler"],
  module: "signup",
  step: "sendWelcomeEmail",
  request(rng) {
    const first = rng.pick(["maria", "li", "amara", "jonas", "priya", "tomas"]);
    const last = rng.pick(["lopez", "chen", "okafor", "berg", "sharma", "novak"]);
    return {
      userId: `usr_${rng.chars("abcdefghijkmnpqrstuvwxyz23456789", 8)}`,
      email: `${first}.${last}@example.com`,
      plan: rng.pick(["free", "pro", "team"]),
      referrer: null,
    };
  },
  response(rng, request) {
    return { userId: field(request, "userId") ?? null, welcomeEmailId: rng.uuid() };
  },
  failure(rng) {
    return rng.pick<Failure>([
      {
        types: {
          nodejs: "Error",
          python: "ConnectionError",
          java: "java.net.ConnectException",
          go: "errorString",
        },
        message: "email service unavailable: 503 Service Unavailable",
      },
      {
        types: {
          nodejs: "ValidationError",
          python: "ValueError",
          java: "java.lang.IllegalArgumentException",
          go: "wrapError",
        },
        message: "email address is not deliverable",
      },
    ]);
  },
  processingBody(rng, failing) {
    return failing ? `signup ${rng.digits(5)} with an error in the address` : `signup ${rng.digits(5)}`;
  },
};

export const SCENARIOS: readonly Scenario[] = [orders, images, signups];

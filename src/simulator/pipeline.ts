import { operations } from "../generated/operations.js";
import { compareVersions } from "../version.js";
import { authenticate } from "./auth/gate.js";
import { sha256Hex } from "./auth/signature.js";
import type { Handler, HandlerContext } from "./context.js";
import type { ErrorFault } from "./fault-types.js";
import type { FaultDecision } from "./faults.js";
import { handlers, PUBLIC_OPERATIONS, STREAMED_OPERATIONS } from "./handlers/table.js";
import { type Envelope, envelopeForPath, fail, SimHttpError } from "./responses.js";
import { createRouter, type Route } from "./router.js";
import { sleep } from "./time.js";
import type { World } from "./world.js";

const route = createRouter(operations);
/** JSON bodies are small; a larger one is refused rather than buffered (only uploads stream). */
const MAX_BUFFERED_BODY_BYTES = 1024 * 1024;
const DEFAULT_FAULT_MESSAGES: Readonly<Record<number, string>> = {
  429: "request limit reached; slow down",
  500: "internal server error",
  502: "bad gateway",
  503: "service unavailable",
  504: "gateway timeout",
};

/**
 * The whole request path: count, faults, latency, route and version gate, auth, idempotency, handler.
 * Faults that answer an error or reset act before anything is applied (as a gateway failure would).
 */
export async function handleRequest(world: World, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  const matched = route(method, url.pathname);
  const envelope = matched?.op.envelope ?? envelopeForPath(url.pathname);
  world.count(`${method} ${matched?.op.path ?? url.pathname}`);
  const decision = world.faults.evaluate(method, url.pathname, matched?.op.path);
  const delayMs = world.options.latencyMs + decision.delayMs;
  if (delayMs > 0) {
    try {
      await sleep(delayMs, request.signal);
    } catch {
      return Response.error();
    }
  }
  const terminal = decision.terminal;
  if (terminal?.kind === "reset") {
    await request.body?.cancel().catch(() => undefined);
    return Response.error();
  }
  if (terminal?.kind === "error") {
    return faultResponse(envelope, terminal);
  }
  const response = await dispatch(world, request, url, matched, envelope, decision);
  if (terminal?.kind === "apply-then-drop") {
    await response.body?.cancel().catch(() => undefined);
    return Response.error();
  }
  return response;
}

function faultResponse(envelope: Envelope, fault: ErrorFault): Response {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSec !== undefined) {
    headers["retry-after"] = String(fault.retryAfterSec);
  }
  return fail(
    envelope,
    fault.status,
    fault.message ?? DEFAULT_FAULT_MESSAGES[fault.status] ?? "simulated fault",
    headers,
  );
}

async function dispatch(
  world: World,
  request: Request,
  url: URL,
  matched: Route | undefined,
  envelope: Envelope,
  faults: Pick<FaultDecision, "task" | "answer">,
): Promise<Response> {
  let reserved: string | undefined;
  try {
    const nowMs = world.advance();
    if (!matched || compareVersions(matched.op.minVersion, world.scpVersion()) > 0) {
      throw new SimHttpError(404, `no such API: ${request.method} ${url.pathname}`);
    }
    const handler: Handler | undefined = handlers[matched.op.operationId];
    if (!handler) {
      throw new SimHttpError(501, `the simulator does not implement ${matched.op.operationId}`);
    }
    const ctx = await prepare(world, request, url, matched, {
      envelope,
      nowMs,
      taskFaults: faults.task,
      answerFaults: faults.answer,
    });
    reserved =
      ctx.op.method === "POST" || ctx.op.method === "PUT"
        ? (request.headers.get("x-client-token") ?? undefined)
        : undefined;
    return await handler(ctx);
  } catch (error) {
    // A refused or failed request applied nothing, so its token may be sent again (a 429 means "applied").
    if (reserved !== undefined) {
      world.idempotency.release(reserved);
    }
    if (error instanceof SimHttpError) {
      return fail(envelope, error.status, error.message, error.headers);
    }
    return fail(envelope, 500, `internal simulator error: ${(error as Error).message}`);
  }
}

async function prepare(
  world: World,
  request: Request,
  url: URL,
  matched: Route,
  facts: Pick<HandlerContext, "envelope" | "nowMs" | "taskFaults" | "answerFaults">,
): Promise<HandlerContext> {
  const { op } = matched;
  const streamed = STREAMED_OPERATIONS.has(op.operationId);
  const body = streamed ? undefined : await readSmallBody(request);
  let caller: HandlerContext["caller"];
  let verifyPayload: HandlerContext["verifyPayload"] = () => true;
  if (!PUBLIC_OPERATIONS.has(op.operationId)) {
    const auth = authenticate(world, request, url, facts.nowMs);
    if (body && !auth.verifyPayload(sha256Hex(body))) {
      throw new SimHttpError(401, "the request signature does not match");
    }
    caller = auth.caller;
    verifyPayload = auth.verifyPayload;
  }
  const token = request.headers.get("x-client-token");
  if ((op.method === "POST" || op.method === "PUT") && token && world.idempotency.check(token, facts.nowMs)) {
    throw new SimHttpError(
      429,
      "request limit reached or idempotency check failed: this X-Client-Token was already used",
    );
  }
  return { world, request, url, op, params: matched.params, body, caller, verifyPayload, ...facts };
}

async function readSmallBody(request: Request): Promise<Uint8Array> {
  if (!request.body) {
    return new Uint8Array();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    total += next.value.byteLength;
    if (total > MAX_BUFFERED_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new SimHttpError(413, `the request body is larger than ${MAX_BUFFERED_BODY_BYTES} bytes`);
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks);
}

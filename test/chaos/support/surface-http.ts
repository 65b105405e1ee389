// The escape hatch `scp.http` (openapi-fetch over the SDK's transport): header values that would split a header,
// signals that are not signals, bodies that cannot be sent, middleware that is not middleware.
import fc from "fast-check";
import { badArgs, badSignal, withControl } from "./bad-values.js";
import type { SurfaceCase } from "./surface-client.js";

const PATH = "/janus/20180725/tasks/{task_id}";
const INIT = { params: { path: { task_id: "t-1" } } };
const badInit = fc.oneof(
  withControl.filter((v) => /[\r\n\0]/.test(v)).map((value) => ({ ...INIT, headers: { "X-Note": value } })),
  badSignal.map((signal) => ({ ...INIT, signal })),
);
const badBody = fc.oneof(
  fc.constant({ ...INIT, body: { size: 10n } }),
  fc.constant(
    (() => {
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      return { ...INIT, body: loop };
    })(),
  ),
);

type Verb = (path: string, init: unknown) => Promise<unknown>;
const verb = (name: string) => (scp: { http: unknown }, args: unknown[]) =>
  (scp.http as Record<string, Verb>)[name]?.(args[0] as string, args[1]);

/** Cases of `scp.http`. */
export function httpCases(): SurfaceCase[] {
  const verbs = ["GET", "DELETE", "HEAD", "OPTIONS", "TRACE"].map((name) => ({
    name: `scp.http.${name}`,
    bad: badArgs([PATH, INIT], [undefined, badInit]),
    call: verb(name),
  }));
  const withBodies = ["POST", "PUT", "PATCH"].map((name) => ({
    name: `scp.http.${name}`,
    bad: badArgs([PATH, INIT], [undefined, fc.oneof(badInit, badBody)]),
    call: verb(name),
  }));
  const badMiddleware = fc.oneof(fc.constantFrom(null, 5, "mw", {}), fc.constant({ onRequest: "not a function" }));
  const middleware = (name: "use" | "eject"): SurfaceCase => ({
    name: `scp.http.${name}`,
    bad: badMiddleware.map((m) => [m]),
    call: (scp, [m]) => (scp.http as unknown as Record<string, (m: unknown) => unknown>)[name]?.(m),
    sync: true,
  });
  const request: SurfaceCase = {
    name: "scp.http.request",
    bad: badArgs(["get", PATH, INIT], [fc.constantFrom(5, null, Symbol("m")), undefined, badInit]),
    call: (scp, [method, path, init]) =>
      (scp.http as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>).request?.(method, path, init),
  };
  return [...verbs, ...withBodies, request, middleware("use"), middleware("eject")];
}

import { z } from "zod";
import type { FaultControl, FaultRule } from "./fault-types.js";
import { SCP_RELEASE_PATTERN } from "./options.js";
import { plainJson } from "./responses.js";
import type { ScpSimulatorState } from "./state.js";

/** The path prefix of the control endpoint (no auth; never part of the SCP API). */
export const CONTROL_PREFIX = "/__sim/";

const base = {
  match: z.string().min(1).optional(),
  matchRegex: z.string().min(1).optional(),
  count: z.number().int().min(1).optional(),
  rate: z.number().min(0).max(1).optional(),
};
const ruleBody = z.discriminatedUnion("kind", [
  z.object({
    ...base,
    kind: z.literal("error"),
    status: z.number().int().min(400).max(599),
    message: z.string().optional(),
    retryAfterSec: z.number().min(0).optional(),
  }),
  z.object({ ...base, kind: z.literal("latency"), delayMs: z.number().min(0) }),
  z.object({ ...base, kind: z.literal("reset") }),
  z.object({ ...base, kind: z.literal("apply-then-drop") }),
  z.object({ ...base, kind: z.literal("task-failure"), reason: z.string().optional() }),
  z.object({
    ...base,
    kind: z.literal("slow-task"),
    factor: z.number().min(0).optional(),
    extraMs: z.number().min(0).optional(),
  }),
  z.object({ ...base, kind: z.literal("stuck-task") }),
  z.object({ ...base, kind: z.literal("device-delay"), delayMs: z.number().min(0) }),
  z.object({
    ...base,
    kind: z.literal("partial-changed-areas"),
    maxAreas: z.number().int().min(1).optional(),
    maxLength: z.number().int().min(1).optional(),
  }),
]);
const versionBody = z.object({
  scpVersion: z.string().regex(SCP_RELEASE_PATTERN).nullable(),
});

/** What the control endpoint works on. */
interface Controlled {
  readonly faults: FaultControl;
  readonly state: () => ScpSimulatorState;
  readonly requestCounts: (options?: { readonly reset?: boolean }) => Readonly<Record<string, number>>;
}

/**
 * The control endpoint on the simulator's own address:
 * `GET /__sim/state`, `GET|POST|DELETE /__sim/faults`, `DELETE /__sim/faults/{id}`, `PUT /__sim/version`,
 * `GET /__sim/request-counts` and `DELETE /__sim/request-counts` (answers the counts, then starts again from 0).
 */
export async function handleControl(request: Request, url: URL, control: Controlled): Promise<Response> {
  const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, "");
  const { faults } = control;
  const route = `${request.method} ${path.startsWith("faults/") ? "faults/{id}" : path}`;
  switch (route) {
    case "GET state": {
      const state = control.state();
      return plainJson({ ...state, faults: state.faults.map((f) => ({ ...f, rule: serializable(f.rule) })) });
    }
    case "GET request-counts":
      return plainJson(control.requestCounts());
    case "DELETE request-counts":
      return plainJson(control.requestCounts({ reset: true }));
    case "GET faults":
      return plainJson(faults.list().map((f) => ({ ...f, rule: serializable(f.rule) })));
    case "POST faults":
      return addFault(faults, await readBody(request));
    case "DELETE faults":
      faults.clear();
      return new Response(null, { status: 204 });
    case "DELETE faults/{id}":
      return faults.remove(decodeURIComponent(path.slice("faults/".length)))
        ? new Response(null, { status: 204 })
        : plainJson({ error: "no such fault" }, 404);
    case "PUT version":
      return setVersion(faults, await readBody(request));
    default:
      return plainJson({ error: `no control operation ${request.method} ${url.pathname}` }, 404);
  }
}

function addFault(faults: FaultControl, body: unknown): Response {
  const parsed = ruleBody.safeParse(body);
  if (!parsed.success || (parsed.data.match === undefined) === (parsed.data.matchRegex === undefined)) {
    return plainJson(
      { error: parsed.success ? "give exactly one of match and matchRegex" : parsed.error.message },
      400,
    );
  }
  const { matchRegex, ...rest } = parsed.data;
  try {
    const rule = {
      ...definedOnly(rest),
      match: matchRegex === undefined ? (rest.match ?? "") : new RegExp(matchRegex),
    };
    return plainJson({ id: faults.add(rule as FaultRule) }, 201);
  } catch (error) {
    return plainJson({ error: (error as Error).message }, 400);
  }
}

function setVersion(faults: FaultControl, body: unknown): Response {
  const parsed = versionBody.safeParse(body);
  if (!parsed.success) {
    return plainJson({ error: 'send {"scpVersion": "6.10.0"} or {"scpVersion": null}' }, 400);
  }
  faults.setScpVersion(parsed.data.scpVersion ?? undefined);
  return plainJson({ scpVersion: faults.scpVersion() });
}

async function readBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

function definedOnly(value: object): object {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function serializable(rule: FaultRule): object {
  return rule.match instanceof RegExp ? { ...rule, match: undefined, matchRegex: rule.match.source } : rule;
}

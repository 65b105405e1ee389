// Broken answers for the transport: each turns the simulator's real answer (or the request) into one SCP, a proxy
// or a broken network could send. None is a valid answer, so every call must fail, typed, within its limit.
import fc from "fast-check";

/** What the fuzzer knows when it breaks an answer. */
export interface Answering {
  request: Request;
  /** The simulator's real answer to it. */
  real: () => Promise<Response>;
}

/** One way to break an answer. */
export interface Mutation {
  kind: string;
  answer: (a: Answering) => Promise<Response> | Response;
}

const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", ...headers } });

/** A body stream that sends `first` and then nothing, ever (until cancelled). */
function stalled(first: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
    },
    pull: () => new Promise<void>(() => undefined),
  });
}

/** A body stream that never ends: the same chunk forever. */
function endless(): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(16 * 1024).fill(0x20);
  return new ReadableStream({ pull: (controller) => controller.enqueue(chunk) });
}

/** The echo a careless server makes of what it was sent: the Authorization value, the token, the signature. */
function echo(request: Request, part: "authorization" | "token" | "signature"): string {
  const auth = request.headers.get("authorization") ?? "";
  const value =
    part === "authorization"
      ? auth
      : part === "token"
        ? auth.replace(/^Token /, "")
        : /Signature=(\w+)/.exec(auth)?.[1];
  return `request rejected: ${value ?? auth}`;
}

/** Every mutation, keyed by kind; `fc.constantFrom` of these drives the in-process fuzzing. */
export const MUTATIONS: readonly Mutation[] = [
  { kind: "truncated JSON", answer: async (a) => truncated(await (await a.real()).text()) },
  { kind: "wrong types in data", answer: async (a) => wrongTypes(await (await a.real()).json()) },
  {
    kind: "HTML login page (200)",
    answer: () => new Response("<html><body>Please log in</body></html>", { headers: { "content-type": "text/html" } }),
  },
  {
    kind: "HTML labelled JSON",
    answer: () => new Response("<html>oops</html>", { headers: { "content-type": "application/json" } }),
  },
  {
    kind: "huge declared body",
    answer: () =>
      new Response("{", {
        headers: { "content-type": "application/json", "content-length": String(512 * 1024 * 1024) },
      }),
  },
  { kind: "endless body", answer: () => new Response(endless(), { headers: { "content-type": "application/json" } }) },
  {
    kind: "stalled body",
    answer: () => new Response(stalled('{"code":0,"data":{'), { headers: { "content-type": "application/json" } }),
  },
  { kind: "answer never comes", answer: () => new Promise<Response>(() => undefined) },
  { kind: "envelope is an array", answer: () => json([1, 2, 3]) },
  { kind: "envelope is null", answer: () => json(null) },
  { kind: "no code or errcode", answer: async (a) => json({ data: (await (await a.real()).json()).data }) },
  { kind: "code as a string", answer: () => json({ code: "500", message: "failed", data: {} }) },
  { kind: "error envelope in a 200", answer: () => json({ code: 500, message: "internal error", data: {} }) },
  { kind: "errcode in a 200", answer: () => json({ errcode: "InternalError", message: "failed", data: {} }) },
  {
    kind: "redirect",
    answer: () => new Response(null, { status: 302, headers: { location: "https://elsewhere.test/login" } }),
  },
  { kind: "teapot", answer: () => json({ code: 418, message: "teapot", data: {} }, 418) },
  {
    kind: "599 with HTML",
    answer: () => new Response("<h1>gateway</h1>", { status: 599, headers: { "content-type": "text/html" } }),
  },
  {
    kind: "503 with garbage Retry-After",
    answer: () => json({ code: 503, message: "busy", data: {} }, 503, { "retry-after": "soon-ish" }),
  },
  {
    kind: "429 with a year-long Retry-After",
    answer: () => json({ code: 429, message: "slow down", data: {} }, 429, { "retry-after": "31536000" }),
  },
  {
    kind: "garbage content type",
    answer: () => new Response("\u0000\u0001binary", { headers: { "content-type": "x/\u00ff" } }),
  },
  {
    kind: "401 echoing the Authorization value",
    answer: (a) => json({ code: 401, message: echo(a.request, "authorization"), data: {} }, 401),
  },
  {
    kind: "403 echoing the token",
    answer: (a) => json({ code: 403, message: echo(a.request, "token"), data: {} }, 403),
  },
  {
    kind: "400 echoing the signature",
    answer: (a) => json({ code: 400, message: echo(a.request, "signature"), data: {} }, 400),
  },
  {
    kind: "200 error envelope echoing the Authorization value",
    answer: (a) => json({ code: 400, message: echo(a.request, "authorization"), data: {} }),
  },
  {
    kind: "400 echoing the request body",
    answer: async (a) => json({ code: 400, message: `bad request: ${await a.request.clone().text()}`, data: {} }, 400),
  },
  {
    kind: "login answer with a token holding a newline",
    answer: () =>
      json({ code: 0, message: "", data: { access: { token: { id: "tok\nen-LEAK-9f2c", expires: "2099-01-01" } } } }),
  },
  {
    kind: "HTML error page echoing the headers",
    answer: (a) =>
      new Response(`<pre>${[...a.request.headers].join("\n")}</pre>`, {
        status: 500,
        headers: { "content-type": "text/html" },
      }),
  },
];

function truncated(text: string): Response {
  const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  return new Response(cut, { headers: { "content-type": "application/json" } });
}

/** The real answer with its payload's shape broken: `data` of the wrong type, or a required field wrong. */
function wrongTypes(envelope: { data?: unknown }): Response {
  const data = envelope.data;
  if (data && typeof data === "object" && !Array.isArray(data)) {
    const broken: Record<string, unknown> = { ...(data as Record<string, unknown>) };
    for (const key of [
      "task_id",
      "id",
      "total_size",
      "build_version",
      "data",
      "uuids",
      "status",
      "access",
      "public_key",
    ]) {
      if (key in broken) {
        broken[key] = key === "data" || key === "uuids" ? "not a list" : { wrong: true };
      }
    }
    return json({ ...envelope, data: broken });
  }
  return json({ ...envelope, data: "not an object" });
}

/** One fuzzing draw: a mutation, and whether the client retries. */
export const fuzzDraw = fc.record({
  mutation: fc.constantFrom(...MUTATIONS),
  retries: fc.constantFrom(0, 1),
  token: fc.boolean(),
  operation: fc.nat(),
});

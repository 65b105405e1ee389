import { inspect } from "node:util";
import { HttpResponse, http } from "msw";
import { expect, test } from "vitest";
import { createScpClient, ScpValidationError } from "../../src/index.js";
import { TEST_KEYS, testClient } from "../support/client.js";
import { fakeLogin } from "../support/fake-login.js";
import { BASE, useMsw, v1, v1Error } from "../support/msw.js";
import { hangingFetch, networkFailure, scriptedFetch } from "../support/scripted-fetch.js";

const server = useMsw();
const PASSWORD = "Pa55-SECRET-never-print";

/** Everything an error can say: message, stack, JSON, inspect (own fields and the whole cause chain). */
function everythingSaid(error: unknown): string {
  const parts: string[] = [String(error), inspect(error, { depth: 20, showHidden: true }), JSON.stringify(error)];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    parts.push(e.message, e.stack ?? "", JSON.stringify(e));
  }
  return parts.join("\n");
}

function recordingLogger() {
  const lines: string[] = [];
  const log = (fields: Record<string, unknown>, message: string) => lines.push(`${message} ${JSON.stringify(fields)}`);
  return { logger: { debug: log, warn: log }, lines };
}

test("a signature client never reveals its secret key: API, network, timeout errors and logs", async () => {
  const { logger, lines } = recordingLogger();
  const errors: unknown[] = [];
  for (const step of [
    HttpResponse.json({ code: 401, message: "signature mismatch", data: {} }, { status: 401 }),
    networkFailure("ECONNRESET"),
  ]) {
    const fetch = scriptedFetch([step as Response]);
    errors.push(
      await testClient({ fetch, logger, retry: { retries: 1, minDelayMs: 0, maxDelayMs: 0 } })
        .tasks.get("t")
        .catch((e) => e),
    );
  }
  errors.push(
    await testClient({ fetch: hangingFetch(), timeoutMs: 5, logger })
      .servers.start("vm")
      .catch((e) => e),
  );
  expect(errors).toHaveLength(3);
  for (const error of errors) {
    expect(error).toBeInstanceOf(Error);
    expect(everythingSaid(error)).not.toContain(TEST_KEYS.secretKey);
  }
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.join("\n")).not.toContain(TEST_KEYS.secretKey);
});

test("a token client never reveals its password or token, even after a refused replay", async () => {
  const login = fakeLogin({ username: "u", password: PASSWORD });
  server.use(
    ...login.handlers,
    http.get(`${BASE}/janus/20180725/tasks/:id`, () => v1Error(401, "token expired")),
    http.post(`${BASE}/janus/20180725/servers/:id/start`, () => v1Error(500, "boom")),
  );
  const { logger, lines } = recordingLogger();
  const scp = createScpClient({
    baseUrl: BASE,
    auth: { type: "token", username: "u", password: PASSWORD },
    logger,
    retry: false,
  });
  const errors = [await scp.tasks.get("t").catch((e) => e), await scp.servers.start("vm").catch((e) => e)];
  const said = [...errors.map(everythingSaid), ...lines, inspect(scp, { depth: 10, showHidden: true })].join("\n");
  expect(login.calls.tokens.length).toBeGreaterThan(1);
  expect(said).not.toContain(PASSWORD);
  for (const token of login.calls.tokens) {
    expect(said).not.toContain(token);
  }
});

test("bad options are refused before any request, naming the fields but not the values", async () => {
  const fetch = scriptedFetch([]);
  const attempt = () =>
    createScpClient({
      baseUrl: "ftp://nowhere",
      auth: { type: "token", username: "", password: PASSWORD },
      timeoutMs: -1,
      fetch,
    });
  let error: unknown;
  try {
    attempt();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof ScpValidationError)) {
    throw new Error("expected an ScpValidationError");
  }
  expect(error.issues.map((i) => i.path.join("."))).toEqual(["baseUrl", "auth.username", "timeoutMs"]);
  expect(everythingSaid(error)).not.toContain(PASSWORD);
  expect(fetch.requests).toHaveLength(0);
});

test("a token echoed by a proxy into an error body is scrubbed before the error is built", async () => {
  const login = fakeLogin({ username: "u", password: PASSWORD });
  server.use(
    ...login.handlers,
    http.get(`${BASE}/janus/20180725/tasks/:id`, ({ request }) =>
      HttpResponse.text(`502 Bad Gateway; you sent Authorization: ${request.headers.get("authorization")}`, {
        status: 502,
      }),
    ),
  );
  const scp = createScpClient({
    baseUrl: BASE,
    auth: { type: "token", username: "u", password: PASSWORD },
    retry: false,
  });
  const error = await scp.tasks.get("t").catch((e) => e);
  expect(error.status).toBe(502);
  expect(error.serverMessage).toContain("Authorization: Token [redacted]");
  expect(everythingSaid(error)).not.toContain(login.calls.tokens[0]);
});

test("a 200 answer carrying an error envelope that echoes the token is scrubbed too", async () => {
  const login = fakeLogin({ username: "u", password: PASSWORD });
  server.use(
    ...login.handlers,
    http.get(`${BASE}/janus/20180725/tasks/:id`, ({ request }) =>
      HttpResponse.json({ code: 500, message: `refused ${request.headers.get("authorization")}`, data: {} }),
    ),
  );
  const scp = createScpClient({ baseUrl: BASE, auth: { type: "token", username: "u", password: PASSWORD } });
  const error = await scp.tasks.get("t").catch((e) => e);
  expect(error.status).toBe(500);
  expect(error.serverMessage).toBe("refused Token [redacted]");
  expect(everythingSaid(error)).not.toContain(login.calls.tokens[0]);
});

test("a login refused with an echo of the request carries neither the password nor its ciphertext", async () => {
  const login = fakeLogin({ username: "u", password: PASSWORD });
  const sent: string[] = [];
  server.use(
    http.post(`${BASE}/janus/v2/authenticate`, async ({ request }) => {
      const body = await request.text();
      sent.push(
        (JSON.parse(body) as { auth: { passwordCredentials: { password: string } } }).auth.passwordCredentials.password,
      );
      return HttpResponse.json({ code: 400, message: `bad request: ${body}`, data: {} }, { status: 400 });
    }),
    ...login.handlers,
  );
  const scp = createScpClient({ baseUrl: BASE, auth: { type: "token", username: "u", password: PASSWORD } });
  const error = await scp.tasks.get("t").catch((e) => e);
  expect(error.status).toBe(400);
  expect(sent).toHaveLength(1);
  expect(everythingSaid(error)).not.toContain(sent[0]);
  expect(everythingSaid(error)).not.toContain(PASSWORD);
});

test("a custom fetch whose failure text includes the Authorization header does not leak the token", async () => {
  const login = fakeLogin({ username: "u", password: PASSWORD });
  server.use(...login.handlers);
  const leaky = async (request: Request) => {
    if (new URL(request.url).pathname.startsWith("/janus/20180725/")) {
      const header = `Authorization: ${request.headers.get("authorization")}`;
      throw new TypeError("fetch failed", { cause: new Error(`socket hang up while sending ${header}`) });
    }
    return fetch(request);
  };
  const scp = createScpClient({
    baseUrl: BASE,
    auth: { type: "token", username: "u", password: PASSWORD },
    fetch: leaky,
    retry: false,
  });
  const error = await scp.tasks.get("t").catch((e) => e);
  expect(error.name).toBe("ScpNetworkError");
  expect(error.message).toContain("socket hang up while sending Authorization: Token [redacted]");
  expect(login.calls.tokens).toHaveLength(1);
  expect(everythingSaid(error)).not.toContain(login.calls.tokens[0]);
});

test("a login answer whose token has a newline is a typed error that does not show the token", async () => {
  const token = "abc123\r\nX-Evil: 1";
  server.use(
    http.get(`${BASE}/janus/v2/public-key`, () => v1({ public_key: "c5".repeat(128) })),
    http.post(`${BASE}/janus/v2/authenticate`, () => v1({ access: { token: { id: token } } })),
  );
  const scp = createScpClient({ baseUrl: BASE, auth: { type: "token", username: "u", password: PASSWORD } });
  const error = await scp.tasks.get("t").catch((e) => e);
  expect(error.name).toBe("ScpResponseError");
  expect(error.message).toContain("data.access.token.id: must be printable ASCII without spaces");
  expect(everythingSaid(error)).not.toContain("abc123");
});

test("a server that echoes only the request's signature does not get it into the error", async () => {
  let signature = "";
  const fetch = scriptedFetch([
    (request) => {
      signature = /Signature=([0-9a-f]+)/.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
      return Response.json({ code: 400, message: `signature ${signature} does not match`, data: {} }, { status: 400 });
    },
  ]);
  const error = await testClient({ fetch })
    .tasks.get("t")
    .catch((e) => e);
  expect(signature).toMatch(/^[0-9a-f]{64}$/);
  expect(error.message).toContain("[redacted]");
  expect(everythingSaid(error)).not.toContain(signature);
});

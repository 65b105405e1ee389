import { inspect } from "node:util";
import { HttpResponse, http } from "msw";
import { expect, test } from "vitest";
import { createScpClient, ScpValidationError } from "../../src/index.js";
import { TEST_KEYS, testClient } from "../support/client.js";
import { fakeLogin } from "../support/fake-login.js";
import { BASE, useMsw, v1Error } from "../support/msw.js";
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

import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScpSimulator } from "../../src/simulator/index.js";
import { rawClient } from "./support.js";

const BASE = "https://scp.msw.test";
const sim = createScpSimulator({ serverCount: 10, taskDurationMs: 0 });
// The whole simulator behind one msw handler: the same behaviour as over HTTPS, for unit tests.
const server = setupServer(http.all(`${BASE}/*`, ({ request }) => sim.handle(request)));

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(async () => {
  server.close();
  await sim.close();
});

describe("in-process through msw", () => {
  it("serves the global fetch, including dropped connections", async () => {
    const call = rawClient(fetch, BASE, { type: "signature", credentials: sim.credentials });
    const page = await call("GET", "/janus/20240725/servers", { query: { page_size: 5 } });
    expect(page.status).toBe(200);
    expect(page.body.data.total_size).toBe(11);
    sim.faults.add({ match: "GET /janus/20180725/azs", kind: "reset", count: 1 });
    await expect(call("GET", "/janus/20180725/azs")).rejects.toThrow(TypeError);
    expect((await call("GET", "/janus/20180725/azs")).status).toBe(200);
  });
});

// Response fuzzing at the transport: broken answers in-process (the simulator's real answer, mutated) and over a
// real loopback socket (stalls, cuts, garbage status lines and headers, lying lengths). Every call must fail with a
// typed ScpError within its time limit (per attempt), and no error may carry a credential, even when the server
// echoes it.
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createScpClient, type ScpClient, ScpError } from "../../src/index.js";
import { createScpSimulator, type ScpSimulator } from "../../src/simulator/index.js";
import { liveFigures } from "./support/figures.js";
import { observedClient } from "./support/fleet-world.js";
import { fuzzDraw, MUTATIONS, type Mutation } from "./support/fuzz-answers.js";
import { scaled, sectionSeed } from "./support/mode.js";
import { RAW_BEHAVIOURS, startRawServer } from "./support/raw-server.js";
import { SecretScan } from "./support/secret-scan.js";

const TIMEOUT_MS = 250;
/** Slack over the limit for the event loop and a retry's zero delay; the limit is per attempt. */
const SLACK_MS = 2_000;
const scan = new SecretScan();
let sim: ScpSimulator;
let raw: Awaited<ReturnType<typeof startRawServer>>;

beforeAll(async () => {
  sim = createScpSimulator({ seed: sectionSeed("responses"), taskDurationMs: 0, serverCount: 30 });
  raw = await startRawServer();
});
afterAll(async () => {
  await sim.close();
  await raw.close();
});

/** Calls the SDK makes, each on one path the mutation is applied to (the login's, for a token client). */
const OPERATIONS: { path: RegExp; call: (scp: ScpClient) => Promise<unknown>; login?: true }[] = [
  { path: /^\/janus(\/v2)?\/authenticate$/, call: (scp) => scp.system.version(), login: true },
  { path: /^\/janus(\/v2)?\/public-key$/, call: (scp) => scp.azs.list(), login: true },
  { path: /^\/janus\/20240725\/servers$/, call: (scp) => scp.servers.list({ page_size: 5 }) },
  { path: /^\/janus\/20240725\/servers\/[^/]+$/, call: (scp) => scp.servers.get(sim.goldenServerId) },
  { path: /^\/janus\/20200725\/images$/, call: (scp) => scp.images.list() },
  { path: /^\/janus\/20180725\/system\/version$/, call: (scp) => scp.system.version() },
  { path: /^\/janus\/20190725\/projects$/, call: (scp) => scp.projects.administrators() },
  { path: /^\/janus\/20180725\/tasks$/, call: (scp) => scp.tasks.list({ page_size: 5 }) },
  { path: /^\/janus\/20180725\/azs$/, call: (scp) => scp.azs.list() },
  {
    path: /^\/janus\/20180725\/servers\/[^/]+\/start$/,
    call: (scp) => scp.servers.start(sim.goldenServerId),
  },
];

async function fuzzOnce(draw: { mutation: Mutation; retries: number; token: boolean; operation: number }) {
  const op = OPERATIONS[draw.operation % OPERATIONS.length] as (typeof OPERATIONS)[number];
  const mutate = async (request: Request) =>
    op.path.test(new URL(request.url).pathname)
      ? draw.mutation.answer({ request, real: () => sim.fetch(request.clone()) })
      : sim.fetch(request);
  const scp = observedClient(sim, scan, draw.token || op.login === true, mutate, {
    timeoutMs: TIMEOUT_MS,
    retry: draw.retries === 0 ? false : { retries: draw.retries, minDelayMs: 0, maxDelayMs: 0 },
    maxResponseBytes: 64 * 1024,
  });
  const started = performance.now();
  const error = await op.call(scp).then(
    () => undefined,
    (e: unknown) => e,
  );
  const ms = performance.now() - started;
  if (!(error instanceof ScpError)) {
    throw new Error(`${draw.mutation.kind}: ${error === undefined ? "accepted" : `untyped ${String(error)}`}`);
  }
  scan.error(error, draw.mutation.kind);
  expect(ms, draw.mutation.kind).toBeLessThan(TIMEOUT_MS * (draw.retries + 1) + SLACK_MS);
}

test("broken answers in-process: a typed error within the time limit every time, no credential in it", async (context) => {
  const figures = liveFigures(context, "Response fuzzing");
  const runs = scaled(300, 4_000);
  await fc.assert(
    fc.asyncProperty(fuzzDraw, (draw) => fuzzOnce(draw)),
    { numRuns: runs, seed: sectionSeed("responses-in-process"), endOnFailure: true },
  );
  expect(scan.leaks).toEqual([]);
  figures.set("fuzzed answers (in-process)", runs);
  figures.set("kinds of broken answer", MUTATIONS.length);
  figures.set("errors scanned for secrets", scan.counts.errors);
  figures.set("credentials watched", scan.secretCount);
  for (const m of MUTATIONS) {
    figures.note(m.kind);
  }
}, 600_000);

test("broken answers over a real socket: a typed error within the time limit every time", async (context) => {
  const figures = liveFigures(context, "Response fuzzing");
  const runs = scaled(40, 400);
  const names = Object.keys(RAW_BEHAVIOURS);
  const rawScan = new SecretScan();
  rawScan.add("sk-RAW-secret-never-shown", "secret key");
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...names), fc.constantFrom(0, 1), async (name, retries) => {
      const scp = createScpClient({
        baseUrl: raw.url,
        auth: { type: "signature", accessKey: "AKRAW", secretKey: "sk-RAW-secret-never-shown" },
        timeoutMs: TIMEOUT_MS,
        retry: retries === 0 ? false : { retries, minDelayMs: 0, maxDelayMs: 0 },
        maxResponseBytes: 64 * 1024,
        proxy: false,
        logger: rawScan.logger(),
      });
      const started = performance.now();
      const error = await scp.tasks.get(name).then(
        () => undefined,
        (e: unknown) => e,
      );
      const ms = performance.now() - started;
      expect(error, name).toBeInstanceOf(ScpError);
      rawScan.error(error, name);
      expect(ms, name).toBeLessThan(TIMEOUT_MS * (retries + 1) + SLACK_MS);
    }),
    { numRuns: runs, seed: sectionSeed("responses-socket"), endOnFailure: true },
  );
  expect(rawScan.leaks).toEqual([]);
  figures.set("fuzzed answers (loopback socket)", runs);
  figures.set("kinds of broken answer", names.length);
  for (const name of names) {
    figures.note(name);
  }
}, 600_000);

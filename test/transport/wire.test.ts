// The transport over a real loopback HTTPS connection to the simulator: TLS trust, both auth schemes, retries
// and lost answers, streamed uploads, and SCP's 204-with-a-body deletes.
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createScpClient, isOutcomeUnknown, type ScpClientOptions, ScpNetworkError } from "../../src/index.js";
import { type ScpSimulatorServer, startScpSimulator } from "../../src/simulator/index.js";
import { useTempDir } from "../support/temp-dir.js";

let sim: ScpSimulatorServer;
const temp = useTempDir("scp-wire-");
const FAST = { pollIntervalMs: 5, maxIntervalMs: 20 };

beforeAll(async () => {
  sim = await startScpSimulator({ taskDurationMs: 0, vmtoolsDelayMs: 0, serverCount: 150 });
});
afterAll(async () => {
  await sim.close();
});

function client(overrides: Partial<ScpClientOptions> = {}) {
  return createScpClient({
    baseUrl: sim.url,
    auth: { type: "signature", accessKey: sim.credentials.accessKey, secretKey: sim.credentials.secretKey },
    tls: { ca: sim.ca },
    retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
    ...overrides,
  });
}

test("TLS: the self-signed certificate is refused without ca, trusted with ca, skipped only with insecure", async () => {
  const refused = await client({ tls: {} })
    .system.version()
    .catch((e) => e);
  expect(refused).toBeInstanceOf(ScpNetworkError);
  expect(refused.outcome).toBe("not-sent");
  expect(refused.code).toMatch(/CERT|SELF_SIGNED/);
  await expect(client().system.version()).resolves.toMatchObject({ version: "6.11.3" });
  await expect(client({ tls: { insecure: true } }).system.version()).resolves.toMatchObject({ version: "6.11.3" });
});

test("signature auth lists 150+ VMs over pages: the query string is sent but not signed", async () => {
  const ids = new Set<string>();
  for await (const vm of client().servers.listAll()) {
    ids.add(vm.id);
  }
  expect(ids.size).toBeGreaterThan(150);
});

test("token auth logs in with v2 (OAEP) and, on an older platform, falls back to v1", async () => {
  const { username, password } = sim.credentials;
  const token = client({ auth: { type: "token", username, password } });
  await expect(token.system.version()).resolves.toMatchObject({ version: "6.11.3" });
  sim.faults.setScpVersion("6.10.0");
  try {
    const older = client({ auth: { type: "token", username, password } });
    await expect(older.system.version()).resolves.toMatchObject({ version: "6.10.0" });
  } finally {
    sim.faults.setScpVersion(undefined);
  }
});

test("a GET answered 503 twice is retried to success", async () => {
  sim.faults.add({ kind: "error", match: "GET /janus/20180725/system/version", status: 503, count: 2 });
  await expect(client().system.version()).resolves.toMatchObject({ version: "6.11.3" });
});

test("a 429 with Retry-After on a POST is waited out and retried with the same token", async () => {
  const before = sim.state().idempotencyTokens.length;
  sim.faults.add({
    kind: "error",
    match: "POST /janus/20180725/servers/*/stop",
    status: 429,
    retryAfterSec: 0,
    count: 1,
  });
  const ref = await client().servers.stop(sim.goldenServerId, { force: true });
  expect(ref.taskId).toBeTruthy();
  expect(sim.state().idempotencyTokens.length).toBe(before + 1);
});

test("a POST whose answer is lost after it applied says the outcome is unknown, and SCP applied it once", async () => {
  const scp = client();
  const started = sim.state().tasks.length;
  sim.faults.add({ kind: "apply-then-drop", match: "POST /janus/20180725/servers/*/start", count: 1 });
  const error = await scp.servers.start(sim.goldenServerId).catch((e) => e);
  expect(error).toBeInstanceOf(ScpNetworkError);
  expect(isOutcomeUnknown(error)).toBe(true);
  expect(sim.state().tasks.length).toBe(started + 1);
  await expect(scp.servers.find(sim.goldenServerId)).resolves.toMatchObject({ power_state: "on" });
});

test("a streamed, signed upload arrives whole: same size and sha256 on the server", async () => {
  const data = Buffer.alloc(8 * 1024 * 1024 + 123);
  for (let i = 0; i < data.length; i += 4096) {
    data[i] = i % 251;
  }
  const file = join(temp.dir, "wire.vma");
  await writeFile(file, data);
  const scp = client();
  const owner = await scp.projects.getAdministratorId();
  const image = await scp.images.create({
    name: "wire-upload",
    azs: [sim.poolIds[0] as string],
    disk_format: "aCloud",
    image_type: "private",
    owner_id: owner,
  });
  await scp.tasks.wait(await scp.images.upload(image.imageId, { file }), FAST);
  const stored = sim.state().images.find((i) => i.id === image.imageId);
  expect(stored?.upload).toEqual({ sizeBytes: data.length, sha256: createHash("sha256").update(data).digest("hex") });
  expect(stored?.status).toBe("active");
});

test("a 204 delete whose JSON body Node drops yields no task id, and the VM goes", async () => {
  const scp = client();
  const victim = (await scp.servers.list({ page_size: 5 })).items.find((s) => s.id !== sim.goldenServerId);
  const ref = await scp.servers.delete(victim?.id as string, { force: true });
  expect(ref.taskId).toBeUndefined();
  await expect.poll(() => scp.servers.find(victim?.id as string), { interval: 10 }).toBeUndefined();
});

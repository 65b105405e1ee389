// Reaching SCP through an HTTP(S) proxy: an explicit `proxy`, or HTTPS_PROXY / NO_PROXY from the environment;
// JSON calls and streamed uploads alike, with the client's TLS settings towards SCP.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import { createScpClient, type ScpClientOptions } from "../../src/index.js";
import { type ScpSimulatorServer, startScpSimulator } from "../../src/simulator/index.js";
import { startConnectProxy } from "../support/connect-proxy.js";
import { useTempDir } from "../support/temp-dir.js";

let sim: ScpSimulatorServer;
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
const temp = useTempDir("scp-proxy-");
const target = () => new URL(sim.url).host;

beforeAll(async () => {
  sim = await startScpSimulator({ taskDurationMs: 0, serverCount: 5 });
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
  proxy.tunnels.length = 0;
});

function client(overrides: Partial<ScpClientOptions> = {}) {
  return createScpClient({
    baseUrl: sim.url,
    auth: { type: "signature", accessKey: sim.credentials.accessKey, secretKey: sim.credentials.secretKey },
    tls: { ca: sim.ca },
    ...overrides,
  });
}

test("an explicit proxy carries JSON calls and streamed uploads, trusting SCP's CA through the tunnel", async () => {
  const scp = client({ proxy: proxy.url });
  await expect(scp.system.version()).resolves.toMatchObject({ version: "6.11.3" });
  const file = join(temp.dir, "small.vma");
  await writeFile(file, Buffer.alloc(64 * 1024, 7));
  const [pool] = sim.poolIds;
  const { imageId } = await scp.images.create({
    name: "via-proxy",
    azs: [pool as string],
    disk_format: "aCloud",
    image_type: "private",
  });
  await expect(scp.images.upload(imageId, { file })).resolves.toMatchObject({ taskId: expect.any(String) });
  expect(proxy.tunnels.length).toBeGreaterThan(0);
  expect(new Set(proxy.tunnels)).toEqual(new Set([target()]));
});

test("HTTPS_PROXY from the environment is honoured, NO_PROXY bypasses it, and proxy: false ignores it", async () => {
  vi.stubEnv("HTTPS_PROXY", proxy.url);
  await client().system.version();
  expect(proxy.tunnels).toEqual([target()]);
  await client({ proxy: false }).system.version();
  expect(proxy.tunnels).toHaveLength(1);
  vi.stubEnv("NO_PROXY", "127.0.0.1");
  await client().system.version();
  expect(proxy.tunnels).toHaveLength(1);
});

test("tls together with a custom fetch or dispatcher is refused: the SDK would silently drop it", () => {
  expect(() => client({ fetch: globalThis.fetch })).toThrow("tls cannot be combined with fetch or dispatcher");
});

// A simulated platform for fleet trials: two published proxy images, a client under test whose every log line, hook
// event and credential feeds a secrets scan, another administrator's client, and the fleet's invariants.
import { expect } from "vitest";
import {
  createScpClient,
  type DeployBackupProxyFleetInput,
  type FleetProgress,
  importProxyImage,
  type ScpClient,
  type ScpClientOptions,
} from "../../../src/index.js";
import {
  createScpSimulator,
  type ScpSimulator,
  type ScpSimulatorOptions,
  type ScpSimulatorState,
  type ServerState,
} from "../../../src/simulator/index.js";
import { SecretScan } from "./secret-scan.js";

/** Sees every request of the client under test first; answering stands in for the simulator. */
export type Intercept = (request: Request) => Promise<Response | undefined> | Response | undefined;

/** Polling fast enough for the simulator's instant tasks. */
export const FAST = { pollIntervalMs: 1, maxIntervalMs: 5 } as const;

/** The fleet trials' fleet. */
export const FLEET = "acme";

/** A client on a simulator, signed or logged in (alternating by seed), observed by a secrets scan. */
export function observedClient(
  sim: ScpSimulator,
  scan: SecretScan,
  token: boolean,
  fetch: (request: Request) => Promise<Response>,
  extra: Partial<ScpClientOptions> = {},
): ScpClient {
  const { accessKey, secretKey, username, password } = sim.credentials;
  scan.add(secretKey, "secret key");
  scan.add(password, "password");
  return createScpClient({
    baseUrl: "https://scp.sim.test",
    auth: token ? { type: "token", username, password } : { type: "signature", accessKey, secretKey },
    retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
    logger: scan.logger(),
    hooks: scan.hooks(),
    fetch: scan.fetch(fetch),
    ...extra,
  });
}

/** The world of one fleet trial. */
export interface FleetWorld {
  sim: ScpSimulator;
  /** The client under test. */
  scp: ScpClient;
  /** Another administrator on the same platform; its requests are not intercepted. */
  other: ScpClient;
  scan: SecretScan;
  poolA: string;
  poolB: string;
  imageV1: string;
  imageV2: string;
  /** Requests the client under test sent. */
  requests: () => number;
}

/** Builds a fleet trial's world from its seed; `vma` is a small file to publish the images from. */
export async function fleetWorld(
  seed: number,
  vma: string,
  options: { sim?: ScpSimulatorOptions; intercept?: Intercept } = {},
): Promise<FleetWorld> {
  const sim = createScpSimulator({ seed, taskDurationMs: 0, vmtoolsDelayMs: 0, serverCount: 20, ...options.sim });
  const scan = new SecretScan();
  let requests = 0;
  const scp = observedClient(sim, scan, seed % 2 === 1, async (request) => {
    requests++;
    return (await options.intercept?.(request)) ?? sim.fetch(request);
  });
  const other = createScpClient({
    baseUrl: "https://scp.sim.test",
    auth: { type: "signature", accessKey: sim.credentials.accessKey, secretKey: sim.credentials.secretKey },
    fetch: sim.fetch,
  });
  const [poolA, poolB] = sim.poolIds as [string, string];
  const image = (imageName: string) =>
    importProxyImage(other, { file: vma, imageName, azIds: [poolA, poolB] }, FAST).then((r) => r.imageId);
  const imageV1 = await image("proxy-v1");
  const imageV2 = await image("proxy-v2");
  return { sim, scp, other, scan, poolA, poolB, imageV1, imageV2, requests: () => requests };
}

/** The fleet's input with these counts per pool. */
export function fleetInput(
  imageId: string,
  pools: Record<string, number>,
  extra: Partial<DeployBackupProxyFleetInput> = {},
): DeployBackupProxyFleetInput {
  return { fleetId: FLEET, imageId, pools: Object.entries(pools).map(([azId, count]) => ({ azId, count })), ...extra };
}

/** Progress events go through the scan. */
export function scannedProgress(scan: SecretScan) {
  return (event: FleetProgress) => scan.progress(event);
}

const MARKER = new RegExp(`scp-sdk-proxy/1 fleet=${FLEET} `);
const alive = (state: ScpSimulatorState) => state.servers.filter((s) => !s.recycled);
/** The fleet's VMs (carrying its marker), alive. */
export const fleetVms = (state: ScpSimulatorState) => alive(state).filter((s) => MARKER.test(s.description ?? ""));

/** What of a VM a fleet run must leave alone when the VM is not its own. */
const looks = (s: ServerState) =>
  JSON.stringify([s.name, s.description, s.os_name, s.power_state, s.status, s.image_id, s.az_id, s.recycled]);

/**
 * Asserts the fleet is exactly as asked: per pool `count` ready proxies on the image, no duplicate name, no other
 * VM of the fleet (orphan), none in the recycle bin; every VM without the marker that existed `before` unchanged
 * (unless another client touched it); no image public or owned by a non-administrator that was not so before.
 */
export function expectFleetExactly(
  world: Pick<FleetWorld, "sim">,
  input: DeployBackupProxyFleetInput,
  before: ScpSimulatorState,
  touchedByOthers: ReadonlySet<string> = new Set(),
): void {
  const state = world.sim.state();
  const mine = fleetVms(state);
  for (const pool of input.pools) {
    const inPool = mine.filter((s) => s.az_id === pool.azId);
    expect(inPool.map((s) => s.image_id).sort(), `pool ${pool.azId}`).toEqual(Array(pool.count).fill(input.imageId));
    for (const s of inPool) {
      expect([s.name, s.os_name, s.power_state, s.vtool_installed, s.status]).toEqual([
        s.name,
        "Backup Proxy",
        "on",
        1,
        "running",
      ]);
    }
  }
  expect(mine.filter((s) => !input.pools.some((p) => p.azId === s.az_id))).toEqual([]);
  const names = mine.map((s) => s.name);
  expect(new Set(names).size, `duplicate names in ${names.join(", ")}`).toBe(names.length);
  expect(state.servers.filter((s) => s.recycled && MARKER.test(s.description ?? ""))).toEqual([]);
  const now = new Map(state.servers.map((s) => [s.id, s]));
  for (const old of before.servers.filter((s) => !MARKER.test(s.description ?? "") && !touchedByOthers.has(s.id))) {
    const current = now.get(old.id);
    expect(current && looks(current), `unmarked VM ${old.id} changed`).toBe(looks(old));
  }
  expectImagesGuarded(before, state, world.sim.adminProjectId);
}

/** No image ended public or owned by a non-administrator unless it already was. */
export function expectImagesGuarded(before: ScpSimulatorState, after: ScpSimulatorState, adminProjectId: string): void {
  const was = new Map(before.images.map((i) => [i.id, i]));
  for (const image of after.images) {
    const old = was.get(image.id);
    if (old && (old.image_type !== "private" || old.owner_id !== adminProjectId)) {
      expect([image.image_type, image.owner_id]).toEqual([old.image_type, old.owner_id]);
      continue;
    }
    expect([image.name, image.image_type, image.visibility, image.owner_id]).toEqual([
      image.name,
      "private",
      "private",
      adminProjectId,
    ]);
  }
}

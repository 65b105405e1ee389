// A fleet benchmark's platform: the HTTPS simulator in its own process with a proxy image in its pools, and a
// client (signature auth, the defaults otherwise) that counts nothing itself: the simulator counts the requests.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createScpClient,
  type DeployBackupProxyFleetInput,
  importProxyImage,
  type ScpClient,
} from "../../src/index.js";
import type { StartScpSimulatorOptions } from "../../src/simulator/index.js";
import { type SimProcess, startSimProcess } from "./sim-process.js";

/** A simulator with a published proxy image, and a client of it. */
export interface FleetEnv {
  sim: SimProcess;
  scp: ScpClient;
  imageId: string;
  /** The input of fleet `bench` with `count` proxies spread evenly over the first `pools` pools. */
  input(count: number, pools: number): DeployBackupProxyFleetInput;
  close(): Promise<void>;
}

/** Starts the simulator with these options and imports a small proxy image into every pool. */
export async function fleetEnv(options: StartScpSimulatorOptions): Promise<FleetEnv> {
  const sim = await startSimProcess(options);
  const scp = createScpClient({
    baseUrl: sim.url,
    auth: { type: "signature", accessKey: sim.credentials.accessKey, secretKey: sim.credentials.secretKey },
    tls: { ca: sim.ca },
  });
  const dir = await mkdtemp(join(tmpdir(), "scp-bench-fleet-"));
  const file = join(dir, "proxy.vma");
  await writeFile(file, Buffer.alloc(256 * 1024, 7));
  const fast = { pollIntervalMs: 20, maxIntervalMs: 100 };
  const image = await importProxyImage(scp, { file, imageName: "bench-proxy", azIds: sim.poolIds }, fast);
  return {
    sim,
    scp,
    imageId: image.imageId,
    input: (count, pools) => ({
      fleetId: "bench",
      imageId: image.imageId,
      pools: sim.poolIds.slice(0, pools).map((azId, i) => ({
        azId,
        count: Math.floor(count / pools) + (i < count % pools ? 1 : 0),
      })),
    }),
    close: async () => {
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

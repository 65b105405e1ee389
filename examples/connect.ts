// Shared by the examples: a client for a real SCP when SCP_URL is set, otherwise for an embedded simulator.
import { readFileSync } from "node:fs";
import { createScpClient, type ScpClient } from "sangfor-scp-sdk";
import { type ScpSimulator, startScpSimulator } from "sangfor-scp-sdk/simulator";

/** Where the example runs, and what it needs to know about the platform. */
export interface Target {
  scp: ScpClient;
  /** The golden proxy VM to publish from. */
  goldenServerId: string;
  /** Resource pools to use. */
  poolIds: readonly string[];
  /** Stops the embedded simulator (no-op against a real SCP). */
  close(): Promise<void>;
  /** "simulator" or the SCP address. */
  where: string;
  /** A VM to back up: SCP_BACKUP_VM, or the simulator's backup lab VM (with `backupLab`). */
  backupServerId: string | undefined;
  /** The embedded simulator, to play the agent inside the proxy's guest; undefined against a real SCP. */
  simulator: ScpSimulator | undefined;
}

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

/** Connects to SCP_URL with SCP_ACCESS_KEY/SCP_SECRET_KEY or SCP_USERNAME/SCP_PASSWORD, or starts the simulator. */
export async function connect(options: { taskDurationMs?: number; backupLab?: boolean } = {}): Promise<Target> {
  const url = env("SCP_URL");
  if (url) {
    const ak = env("SCP_ACCESS_KEY");
    const sk = env("SCP_SECRET_KEY");
    const auth =
      ak && sk
        ? { type: "signature" as const, accessKey: ak, secretKey: sk }
        : { type: "token" as const, username: env("SCP_USERNAME") ?? "", password: env("SCP_PASSWORD") ?? "" };
    const caFile = env("SCP_CA_FILE");
    const scp = createScpClient({
      baseUrl: url,
      auth,
      tls: caFile ? { ca: readFileSync(caFile, "utf8") } : { insecure: env("SCP_INSECURE") === "1" },
    });
    const pools = (env("SCP_POOLS") ?? "").split(",").filter(Boolean);
    return {
      ...{ scp, goldenServerId: env("SCP_GOLDEN_VM") ?? "", poolIds: pools, close: async () => {}, where: url },
      ...{ backupServerId: env("SCP_BACKUP_VM"), simulator: undefined },
    };
  }
  // SCP_SIM_TASK_MS=0 makes the simulator's tasks instant (the example tests use it).
  const taskDurationMs = Number(env("SCP_SIM_TASK_MS") ?? options.taskDurationMs ?? 200);
  const sim = await startScpSimulator({
    taskDurationMs,
    vmtoolsDelayMs: Math.min(300, taskDurationMs),
    backupLab: options.backupLab ?? false,
  });
  const scp = createScpClient({
    baseUrl: sim.url,
    auth: { type: "signature", accessKey: sim.credentials.accessKey, secretKey: sim.credentials.secretKey },
    tls: { ca: sim.ca },
  });
  return {
    scp,
    goldenServerId: sim.goldenServerId,
    poolIds: sim.poolIds,
    close: () => sim.close(),
    where: `simulator at ${sim.url}`,
    backupServerId: sim.lab?.vms.running,
    simulator: sim.simulator,
  };
}

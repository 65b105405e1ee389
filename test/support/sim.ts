import { afterAll } from "vitest";
import { createScpClient, type ScpClient } from "../../src/index.js";
import { createScpSimulator, type ScpSimulator, type ScpSimulatorOptions } from "../../src/simulator/index.js";

// Every simulator a test file made is closed after it, so its temporary image files go too.
const opened = new Set<ScpSimulator>();
afterAll(async () => {
  await Promise.all([...opened].map((sim) => sim.close()));
  opened.clear();
});

/** One request the client sent, as the simulator received it. */
export interface SentCall {
  method: string;
  path: string;
}

/** Polling fast enough for zero-duration simulator tasks. */
export const FAST = { pollIntervalMs: 1, maxIntervalMs: 5 } as const;

/** An in-process simulator (zero-duration tasks, instant vmtools) with a signature client that records every call. */
export function simulated(
  options: ScpSimulatorOptions = {},
  /** Sees every request first; answering stands in for the simulator. */
  intercept?: (request: Request) => Promise<Response | undefined> | Response | undefined,
) {
  const sim = createScpSimulator({ taskDurationMs: 0, vmtoolsDelayMs: 0, serverCount: 40, ...options });
  opened.add(sim);
  const calls: SentCall[] = [];
  const scp: ScpClient = createScpClient({
    baseUrl: "https://scp.sim.test",
    auth: { type: "signature", accessKey: sim.credentials.accessKey, secretKey: sim.credentials.secretKey },
    retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
    fetch: async (request) => {
      calls.push({ method: request.method, path: new URL(request.url).pathname });
      return (await intercept?.(request)) ?? sim.fetch(request);
    },
  });
  const mutations = () => calls.filter((c) => c.method !== "GET");
  return { sim, scp, calls, mutations };
}

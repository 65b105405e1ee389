import type { ScpClient } from "../client.js";
import type { Server } from "../types.js";
import { PoolLanes } from "./concurrency.js";
import { proxySize } from "./fleet-input.js";

/** Per client, per proxy: the disks this process's sessions have on it, never more than its slots. */
const lanesByClient = new WeakMap<object, Map<string, PoolLanes>>();

/** Disks a proxy serves at once (about one vCPU and 2 GiB each), from its size, as the fleet sizes proxies. @internal */
export function proxySlots(proxy: Pick<Server, "cores" | "sockets" | "memory_mb">): number {
  return proxySize(
    {
      ...(proxy.cores ? { cores: proxy.cores } : {}),
      ...(proxy.sockets ? { sockets: proxy.sockets } : {}),
      ...(proxy.memory_mb ? { memoryMb: proxy.memory_mb } : {}),
    },
    undefined,
  ).slots;
}

/**
 * Takes one of a proxy's slots for this process's sessions, waiting while all are taken; resolves to the function
 * that gives it back. The first session to use a proxy sets its slot count for the client.
 * @internal
 */
export function takeProxySlot(
  scp: ScpClient,
  proxyId: string,
  slots: number,
  signal: AbortSignal,
): Promise<() => void> {
  let lanes = lanesByClient.get(scp);
  if (!lanes) {
    lanes = new Map();
    lanesByClient.set(scp, lanes);
  }
  let proxy = lanes.get(proxyId);
  if (!proxy) {
    proxy = new PoolLanes(slots);
    lanes.set(proxyId, proxy);
  }
  const lane = proxy;
  return new Promise((resolve, reject) => {
    // The slot is held for as long as the "work" runs: until the returned function is called.
    lane.run(proxyId, 0, () => new Promise<void>((release) => resolve(() => release())), signal).catch(reject);
  });
}

import { readFile } from "node:fs/promises";
import type { Socket } from "node:net";

/** The libuv handles behind a socket, as far as this module reads them (Node internals: absent is "unknown"). */
interface Handles {
  _handle?: { writeQueueSize?: number; _parent?: { writeQueueSize?: number } } | null;
}

/**
 * How to see a socket's written bytes move: a function whose answer changes while they do and stays the same while
 * they stall. It joins what libuv still queues for the kernel (what Node's own socket timeout reads; for TLS, the
 * TCP handle under it) with, on Linux, what the kernel holds unacknowledged (`tx_queue` in `/proc/net/tcp`). The
 * second covers the end of an upload: every byte has left the process, but the last few MiB are still on their way.
 * @internal
 */
export function socketBacklog(socket: Socket): () => Promise<string> {
  return async () => {
    const handle = (socket as unknown as Handles)._handle;
    if (!handle) {
      return "closed";
    }
    const queued = handle._parent?.writeQueueSize ?? handle.writeQueueSize ?? "?";
    return `${queued}/${await kernelBacklog(socket)}`;
  };
}

/** The socket's unacknowledged bytes as the kernel lists them (hex), or "?" where there is no such list. */
async function kernelBacklog(socket: Socket): Promise<string> {
  const { localPort, remotePort } = socket;
  if (localPort === undefined || remotePort === undefined) {
    return "?";
  }
  const table = socket.remoteFamily === "IPv6" ? "/proc/self/net/tcp6" : "/proc/self/net/tcp";
  const text = await readFile(table, "latin1").catch(() => "");
  const local = `:${port(localPort)}`;
  const remote = `:${port(remotePort)}`;
  let backlog = "?";
  // Columns: sl, local_address, rem_address, st, tx_queue:rx_queue, ...
  for (const line of text.split("\n")) {
    const [, from, to, , queues] = line.trim().split(/\s+/);
    if (from?.endsWith(local) && to?.endsWith(remote)) {
      backlog = queues?.split(":")[0] ?? "?";
    }
  }
  return backlog;
}

/** A port as `/proc/net/tcp` writes it: four upper-case hex digits. */
function port(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, "0");
}

import { readFile, readlink } from "node:fs/promises";
import type { Socket } from "node:net";

/** The libuv handle behind a socket, as far as this module reads it (Node internals: absent is "unknown"). */
interface Handle {
  writeQueueSize?: number;
  fd?: number;
  /** Under a TLS socket, the TCP handle that carries it. */
  _parent?: Handle;
}

/**
 * How to see a socket's written bytes move: a function whose answer changes while they do and stays the same while
 * they stall (undefined when it cannot tell this time). It joins what libuv still queues for the kernel (what Node's
 * own socket timeout reads; for TLS, the TCP handle under it) with, on Linux, what the kernel holds unacknowledged
 * (`tx_queue` in `/proc/net/tcp`, the line of the socket's inode). The second covers the end of an upload: every byte
 * has left the process, but the last few MiB are still on their way. Bytes the server's kernel has acknowledged but
 * its application not yet read show in neither.
 * @internal
 */
export function socketBacklog(socket: Socket): () => Promise<string | undefined> {
  let inode: Promise<string | undefined> | undefined;
  return async () => {
    const handle = (socket as unknown as { _handle?: Handle | null })._handle;
    if (!handle) {
      return "closed";
    }
    const tcp = handle._parent ?? handle;
    inode ??= socketInode(tcp.fd);
    const kernel = await kernelBacklog(await inode, socket.remoteFamily === "IPv6");
    return kernel === undefined ? undefined : `${tcp.writeQueueSize ?? "?"}/${kernel}`;
  };
}

/** The inode of the socket behind a descriptor (Linux), or undefined. */
async function socketInode(fd: number | undefined): Promise<string | undefined> {
  if (fd === undefined || fd < 0) {
    return undefined;
  }
  const link = await readlink(`/proc/self/fd/${fd}`).catch(() => "");
  return /^socket:\[(\d+)\]$/.exec(link)?.[1];
}

/**
 * The socket's unacknowledged bytes as the kernel lists them (hex): "?" where there is no such list, undefined when
 * this read of it missed the socket's line (the table changed under it).
 */
async function kernelBacklog(inode: string | undefined, ipv6: boolean): Promise<string | undefined> {
  if (inode === undefined) {
    return "?";
  }
  let listed = false;
  // The family's own table first; an IPv4 peer may still be reached through an IPv6 socket.
  for (const table of ipv6 ? ["tcp6", "tcp"] : ["tcp", "tcp6"]) {
    const text = await readFile(`/proc/self/net/${table}`, "latin1").catch(() => undefined);
    listed ||= text !== undefined;
    const found = text === undefined ? undefined : lineOf(text, inode);
    if (found !== undefined) {
      return found;
    }
  }
  return listed ? undefined : "?";
}

/** `tx_queue` on the line of the socket with this inode, if the table has one. */
function lineOf(text: string, inode: string): string | undefined {
  for (const line of text.split("\n")) {
    if (!line.includes(` ${inode} `)) {
      continue;
    }
    // Columns: sl, local_address, rem_address, st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout, inode.
    const columns = line.trim().split(/\s+/);
    if (columns[9] === inode) {
      return columns[4]?.split(":")[0];
    }
  }
  return undefined;
}

// A TCP relay in front of the simulator that cuts one connection once it has carried a given number of bytes
// towards the client: a download dropped mid-body, which the simulator's own faults (which act before the answer)
// cannot do. It also counts every byte it relays towards clients.
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";

/** A running relay. */
export interface DropProxy {
  /** `https://127.0.0.1:<port>`: the simulator's certificate is valid for it. */
  readonly url: string;
  /** Bytes relayed towards clients so far (TLS records included). */
  readonly relayed: () => number;
  /** Connections cut so far. */
  readonly drops: () => number;
  close(): Promise<void>;
}

/** Relays to `target` (an https URL); the first connection to carry `dropAfterBytes` towards the client is cut. */
export async function startDropProxy(target: string, dropAfterBytes: number): Promise<DropProxy> {
  const { hostname, port } = new URL(target);
  let relayed = 0;
  let drops = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let carried = 0;
    upstream.on("data", (chunk: Buffer) => {
      relayed += chunk.length;
      carried += chunk.length;
      if (!client.write(chunk)) {
        upstream.pause();
        client.once("drain", () => upstream.resume());
      }
      if (drops === 0 && carried >= dropAfterBytes) {
        drops++;
        client.destroy();
        upstream.destroy();
      }
    });
    client.pipe(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    relayed: () => relayed,
    drops: () => drops,
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      server.close();
      await once(server, "close");
    },
  };
}

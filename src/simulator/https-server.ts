import { createServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { generateSelfSignedCertificate } from "./certificate.js";
import { nodeListener } from "./node-adapter.js";
import type { ScpSimulatorOptions } from "./options.js";
import { createScpSimulator, type ScpSimulator } from "./simulator.js";

/** Options of {@link startScpSimulator}: the simulator's options plus where to listen. */
export interface StartScpSimulatorOptions extends ScpSimulatorOptions {
  /** TCP port; 0 picks a free one. @defaultValue 0 */
  readonly port?: number;
  /** Address to listen on. @defaultValue "127.0.0.1" */
  readonly host?: string;
  /** Always HTTPS, as SCP; the certificate is self-signed and made at start. */
  readonly tls?: true;
}

/** A running HTTPS simulator: the in-process simulator's facts and controls, plus its address and CA. */
export interface ScpSimulatorServer extends ScpSimulator {
  /** Base URL, such as `https://127.0.0.1:54321`. */
  readonly url: string;
  /** The self-signed certificate (PEM) to trust as the CA. */
  readonly ca: string;
  /** The in-process simulator behind the server. */
  readonly simulator: ScpSimulator;
  /** Stops listening, drops open connections and releases the simulator. */
  close(): Promise<void>;
}

/** Starts the simulator over HTTPS on loopback with a certificate generated for this run. */
export async function startScpSimulator(options: StartScpSimulatorOptions = {}): Promise<ScpSimulatorServer> {
  const { port = 0, host = "127.0.0.1", tls: _tls, ...simulatorOptions } = options;
  const simulator = createScpSimulator(simulatorOptions);
  const hosts = [...new Set(["localhost", "127.0.0.1", "::1", host].filter((h) => h !== "0.0.0.0" && h !== "::"))];
  const { cert, key } = generateSelfSignedCertificate({ hosts });
  const server = createServer({ cert, key }, nodeListener(simulator.handle));
  // Every raw socket, including ones mid-handshake or idle before a request, which closeAllConnections misses.
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return {
    ...simulator,
    url: `https://${urlHost}:${address.port}`,
    ca: cert,
    simulator,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) {
          socket.destroy();
        }
      });
      await simulator.close();
    },
  };
}

// A raw TCP server on loopback that answers HTTP as badly as a broken server or middlebox can: stalls, cuts,
// garbage status lines and headers, lying lengths, endless bodies. The request path names the behaviour.
import { createServer, type Socket } from "node:net";

const JSON_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";

/** Raw answers by name; each gets the socket once the request's headers are in. */
export const RAW_BEHAVIOURS: Readonly<Record<string, (socket: Socket) => void>> = {
  "stall-before-headers": () => undefined,
  "partial-headers": (s) => s.write("HTTP/1.1 200 OK\r\nContent-Ty"),
  "headers-then-stall": (s) => s.write(`${JSON_HEAD}Content-Length: 100\r\n\r\n{"code":0`),
  "truncated-then-close": (s) =>
    s.end(`${JSON_HEAD}Content-Length: 100\r\nConnection: close\r\n\r\n{"code":0,"data":{`),
  "reset-after-headers": (s) => {
    s.write(`${JSON_HEAD}Content-Length: 100\r\n\r\n`);
    setTimeout(() => s.resetAndDestroy(), 5);
  },
  "garbage-status-line": (s) => s.end("HTTX/9 abc\r\n\r\n"),
  "bad-content-length": (s) => s.end(`${JSON_HEAD}Content-Length: abc\r\nConnection: close\r\n\r\n{}`),
  "conflicting-lengths": (s) =>
    s.end(`${JSON_HEAD}Content-Length: 2\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{}`),
  "header-without-colon": (s) => s.end(`${JSON_HEAD}Garbage header line\r\nConnection: close\r\n\r\n{}`),
  "nul-in-header": (s) => s.end(`${JSON_HEAD}X-Evil: a\u0000b\r\nConnection: close\r\n\r\n{}`),
  "invalid-chunk": (s) =>
    s.end(`${JSON_HEAD}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`),
  "huge-declared": (s) => s.write(`${JSON_HEAD}Content-Length: 10737418240\r\n\r\n{`),
  "204-with-body": (s) => s.end("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"),
  trickle: (s) => {
    s.write(`${JSON_HEAD}Transfer-Encoding: chunked\r\n\r\n`);
    const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write("1\r\n \r\n")), 40);
  },
  "endless-chunked": (s) => {
    s.write(`${JSON_HEAD}Transfer-Encoding: chunked\r\n\r\n`);
    const chunk = `4000\r\n${" ".repeat(0x4000)}\r\n`;
    const pump = () => {
      while (!s.destroyed && s.write(chunk)) {}
      if (!s.destroyed) {
        s.once("drain", pump);
      }
    };
    pump();
  },
};

/** Starts the raw server; `close` destroys every socket it still holds. */
export async function startRawServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.once("close", () => sockets.delete(socket));
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) {
        return;
      }
      socket.off("data", onData);
      const path = /^[A-Z]+ (\S+)/.exec(head)?.[1] ?? "";
      const name = /\/tasks\/([^/?]+)/.exec(path)?.[1] ?? "";
      (RAW_BEHAVIOURS[name] ?? ((s: Socket) => s.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n")))(socket);
    };
    socket.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

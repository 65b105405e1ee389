// The HTTPS simulator in its own process for bench/simulator-transfer.ts, so its memory is measured apart from
// the client's. Reports its peak RSS (sampled every 100 ms) on request over IPC.
import { startScpSimulator } from "../src/simulator/index.js";

type Message = { type: "peak"; reset: boolean } | { type: "stop" };

const vmaSizeBytes = Number(process.env.SCP_SIM_VMA_BYTES ?? 4 * 1024 * 1024);
const dataDir = process.env.SCP_SIM_DATA_DIR;
const server = await startScpSimulator({
  taskDurationMs: 0,
  vmaSizeBytes,
  serverCount: 10,
  ...(dataDir ? { dataDir } : {}),
});
let peak = process.memoryUsage().rss;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 100);

process.on("message", async (message: Message) => {
  if (message.type === "peak") {
    process.send?.({ type: "peak", rss: Math.max(peak, process.memoryUsage().rss) });
    if (message.reset) {
      peak = process.memoryUsage().rss;
    }
  } else {
    clearInterval(timer);
    await server.close();
    process.disconnect?.();
  }
});

process.send?.({
  type: "ready",
  url: server.url,
  ca: server.ca,
  credentials: server.credentials,
  poolIds: server.poolIds,
  goldenServerId: server.goldenServerId,
  rss: process.memoryUsage().rss,
});

// The HTTPS simulator in its own process, so the client's time and memory are measured apart from the platform's.
// Options come as JSON in SCP_SIM_OPTIONS. It answers its peak RSS (sampled every 100 ms) and CPU time over IPC,
// and logs in once so curl can use a token.
import { loginForCurl } from "../../src/cli/login.js";
import { type StartScpSimulatorOptions, startScpSimulator } from "../../src/simulator/index.js";

type Message = { type: "peak"; reset: boolean } | { type: "cpu" } | { type: "stop" };

const options = JSON.parse(process.env.SCP_SIM_OPTIONS ?? "{}") as StartScpSimulatorOptions;
const server = await startScpSimulator(options);
let peak = process.memoryUsage().rss;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 100);

// A benchmark that dies leaves no simulator behind: the IPC channel closes with it.
process.once("disconnect", () => process.exit(0));

process.on("message", async (message: Message) => {
  if (message.type === "peak") {
    process.send?.({ type: "peak", rss: Math.max(peak, process.memoryUsage().rss) });
    if (message.reset) {
      peak = process.memoryUsage().rss;
    }
  } else if (message.type === "cpu") {
    const used = process.cpuUsage();
    process.send?.({ type: "cpu", ms: (used.user + used.system) / 1000 });
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
  adminProjectId: server.adminProjectId,
  token: (await loginForCurl(server)).id,
  rss: process.memoryUsage().rss,
});

// Issue 10, item 4: what the SDK adds to a request. 10,000 sequential GETs of the platform version through the SDK
// (signature auth, envelope check, schema gate) against 10,000 bare `fetch` + `json()` of the same URL with the
// same undici dispatcher and a signature made once, against the HTTPS simulator in its own process. The two take
// turns by block, so a busy spell hits both; CPU time per request is reported beside wall time.
// Run: npx tsx bench/request-overhead.ts [--quick] [--runs N] [--out FILE]
import { createHash } from "node:crypto";
import { createScpClient } from "../src/index.js";
import { amzDate, signatureHeaders } from "../test/simulator/support.js";
import { benchArgs, type Figure, figure, goal, report } from "./support/figures.js";
import { startSimProcess } from "./support/sim-process.js";

const args = benchArgs("request-overhead");
const RUNS = args.runs ?? (args.quick ? 1 : 5);
const CALLS = args.quick ? 300 : 10_000;
const PATH = "/janus/20180725/system/version";

interface Block {
  ms: number;
  cpuMs: number;
}

async function timeBlock(call: () => Promise<unknown>): Promise<Block> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    await call();
  }
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

async function main(): Promise<void> {
  const sim = await startSimProcess({ serverCount: 10 });
  const scp = createScpClient({
    baseUrl: sim.url,
    auth: { type: "signature", accessKey: sim.credentials.accessKey, secretKey: sim.credentials.secretKey },
    dispatcher: sim.agent,
  });
  const headers = signatureHeaders({
    method: "GET",
    path: PATH,
    headers: {},
    bodySha256: createHash("sha256").digest("hex"),
    credentials: sim.credentials,
    amzDate: amzDate(Date.now()),
  });
  const bare = async () => {
    const response = await fetch(`${sim.url}${PATH}`, { headers, dispatcher: sim.agent } as RequestInit);
    return response.json();
  };
  const viaSdk = () => scp.system.version();
  const pairs: { sdk: Block; bare: Block }[] = [];
  try {
    // Warm-up: connections open, code compiled.
    for (let i = 0; i < 200; i++) {
      await viaSdk();
      await bare();
    }
    for (let run = 0; run < RUNS; run++) {
      const first = run % 2 === 0 ? await timeBlock(viaSdk) : undefined;
      const b = await timeBlock(bare);
      pairs.push({ sdk: first ?? (await timeBlock(viaSdk)), bare: b });
    }
  } finally {
    await sim.stop();
  }
  const us = (block: Block, key: keyof Block) => (block[key] * 1000) / CALLS;
  const figures: Figure[] = [
    figure(
      `${CALLS} GETs: SDK / bare fetch, wall time`,
      pairs.map((p) => p.sdk.ms / p.bare.ms),
      "×",
      goal.atMost(1.15),
    ),
    figure(
      "SDK: wall time per GET",
      pairs.map((p) => us(p.sdk, "ms")),
      "µs",
    ),
    figure(
      "bare fetch: wall time per GET",
      pairs.map((p) => us(p.bare, "ms")),
      "µs",
    ),
    figure(
      "SDK: client CPU per GET",
      pairs.map((p) => us(p.sdk, "cpuMs")),
      "µs",
    ),
    figure(
      "bare fetch: client CPU per GET",
      pairs.map((p) => us(p.bare, "cpuMs")),
      "µs",
    ),
  ];
  await report(args, figures, [`GET ${PATH}, one at a time, over one keep-alive connection; signature auth in both`]);
}

await main();

// The SDK's memory and speed while moving an image each way through the HTTPS simulator: images.upload from a
// file (signature auth: sha256 pre-pass, Content-Length, node:https stream) and images.download of an exported VMA
// (running sha256). The simulator runs in a child process; the client's RSS is sampled every 50 ms.
// Run: npx tsx bench/sdk-transfer.ts [sizeMiB]   (default 1024)
import { fork } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScpClient } from "../src/index.js";
import type { ScpSimulatorCredentials } from "../src/simulator/index.js";

const MIB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 1024);
const FAST = { pollIntervalMs: 20, maxIntervalMs: 200 };

interface Ready {
  url: string;
  ca: string;
  credentials: ScpSimulatorCredentials;
  poolIds: string[];
  goldenServerId: string;
}

function sampler() {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return {
    peakSince(): number {
      const value = Math.max(peak, process.memoryUsage().rss);
      peak = 0;
      return value;
    },
    stop: () => clearInterval(timer),
  };
}

async function writeFile(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  for (let written = 0; written < size; written += MIB) {
    if (!out.write(Buffer.alloc(MIB, (written / MIB) % 251))) {
      await once(out, "drain");
    }
  }
  out.end();
  await once(out, "finish");
}

const dir = await mkdtemp(join(tmpdir(), "scp-sdk-bench-"));
const child = fork(new URL("./simulator-child.ts", import.meta.url), {
  execArgv: ["--import", "tsx"],
  env: { ...process.env, SCP_SIM_VMA_BYTES: String(sizeMiB * MIB), SCP_SIM_DATA_DIR: dir },
});
const ready = (await once(child, "message"))[0] as Ready;
const mem = sampler();
try {
  const file = join(dir, "upload.vma");
  await writeFile(file, sizeMiB * MIB);
  const scp = createScpClient({
    baseUrl: ready.url,
    auth: { type: "signature", accessKey: ready.credentials.accessKey, secretKey: ready.credentials.secretKey },
    tls: { ca: ready.ca },
  });
  const pool = ready.poolIds[0] as string;
  const admin = await scp.projects.getAdministratorId();
  const baseline = mem.peakSince();

  const created = await scp.images.create({
    name: "bench-upload",
    azs: [pool],
    disk_format: "aCloud",
    image_type: "private",
    owner_id: admin,
  });
  let started = performance.now();
  const upload = await scp.images.upload(created.imageId, { file });
  const uploadSeconds = (performance.now() - started) / 1000;
  await scp.tasks.wait(upload, FAST);
  const uploadPeak = mem.peakSince();

  await scp.tasks.wait(
    await scp.images.createFromServer({
      server_id: ready.goldenServerId,
      name: "bench-vma",
      os_type: "l2664",
      azs: [pool],
    }),
    FAST,
  );
  const [vma] = await scp.images.findByName("bench-vma");
  await scp.tasks.wait(await scp.images.export(vma?.id as string), FAST);
  started = performance.now();
  const download = await scp.images.download(vma?.id as string, { file: join(dir, "download.vma") });
  const downloadSeconds = (performance.now() - started) / 1000;
  const downloadPeak = mem.peakSince();

  const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
  console.log(`SDK transfer of ${sizeMiB} MiB each way (client process, RSS sampled every 50 ms)`);
  console.log(`  baseline RSS          ${mib(baseline)}`);
  console.log(
    `  upload   ${(sizeMiB / uploadSeconds).toFixed(0).padStart(4)} MiB/s   peak RSS ${mib(uploadPeak)} (+${mib(uploadPeak - baseline)})`,
  );
  console.log(
    `  download ${(sizeMiB / downloadSeconds).toFixed(0).padStart(4)} MiB/s   peak RSS ${mib(downloadPeak)} (+${mib(downloadPeak - baseline)})   sha256 ${download.sha256.slice(0, 16)}…`,
  );
} finally {
  mem.stop();
  child.send({ type: "stop" });
  await once(child, "exit");
  await rm(dir, { recursive: true, force: true });
}

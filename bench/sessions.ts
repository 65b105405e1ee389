// Control-plane cost of backup sessions over the HTTPS simulator (instant tasks, so what is measured is the SDK and
// the wire, not the platform): listing a 10,000-range changed-area map, and a whole session (open, attach each
// disk, list its areas, detach, commit, close) with a small map and with a 10,000-range one.
// Run: npx tsx bench/sessions.ts [--quick] [--runs N] [--out tmp/bench/sessions.json]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { collect, createScpClient, openBackupSession, type ScpClient } from "../src/index.js";
import { type ScpSimulatorBackupLab, startScpSimulator } from "../src/simulator/index.js";
import { benchArgs, type Figure, figure, median, report } from "./support/figures.js";

const args = benchArgs("sessions");
const RUNS = args.runs ?? (args.quick ? 1 : 5);
const RANGES = 10_000;
const BLOCK = 4096;
const FAST = { pollIntervalMs: 1, maxIntervalMs: 5 };

const server = await startScpSimulator({
  serverCount: 0,
  taskDurationMs: 0,
  vmtoolsDelayMs: 0,
  backupLab: true,
  cbtBlockSizeBytes: BLOCK,
});
const lab = server.lab as ScpSimulatorBackupLab;
let requests = 0;
const scp: ScpClient = createScpClient({
  baseUrl: server.url,
  auth: { type: "signature", accessKey: server.credentials.accessKey, secretKey: server.credentials.secretKey },
  tls: { ca: server.ca },
  hooks: { onRequest: () => void requests++ },
});
const stateDir = mkdtempSync(join(tmpdir(), "scp-bench-sessions-"));

/** A stopped VM with one 128 MiB disk holding `ranges` separate written blocks (every other block). */
async function vmWithRanges(name: string, ranges: number): Promise<string> {
  const snap = await scp.snapshots.create(lab.vms.stopped, { name: `conf-${name}` });
  await scp.tasks.wait(snap, FAST);
  const { vmconf } = await scp.snapshots.get(lab.vms.stopped, snap.snapshotId);
  const hardware_option = { ...vmconf.hardware_option, disks: [{ id: "virtio0", size_mb: 128 }] };
  const azId = server.poolIds[0] as string;
  const ref = await scp.servers.createFromConfig({ ...vmconf, hardware_option, az_id: azId, name });
  await scp.tasks.wait(ref, FAST);
  for (let i = 0; i < ranges; i++) {
    server.disks.write(ref.serverId, "virtio0", i * 2 * BLOCK, new Uint8Array(BLOCK).fill((i % 250) + 1));
  }
  return ref.serverId;
}

/** Median of `RUNS` runs of `work`, in ms, with the requests of one run. */
async function measure(work: () => Promise<unknown>): Promise<{ ms: number; requests: number; result: unknown }> {
  const times: number[] = [];
  let sent = 0;
  let result: unknown;
  for (let run = 0; run < RUNS; run++) {
    const before = requests;
    const started = performance.now();
    result = await work();
    times.push(performance.now() - started);
    sent = requests - before;
  }
  return { ms: median(times), requests: sent, result };
}

/** One whole backup session of a VM's control plane: the agent reads nothing. */
async function session(serverId: string): Promise<number> {
  const s = await openBackupSession(scp, { serverId }, { ...FAST, stateDir });
  let ranges = 0;
  for (const disk of s.disks) {
    const device = await s.attach(disk.id);
    for await (const _ of s.changedAreas(disk.id)) {
      ranges++;
    }
    await device.detach();
  }
  await s.commit();
  await s.close();
  return ranges;
}

const figures: Figure[] = [];
/** A figure whose goal is given in words, with whether it was met (some goals compare two figures). */
const add = (name: string, value: number, unit: string, goal: string, met: boolean) =>
  figures.push(figure(name, value, unit, { text: goal, test: () => met }));

try {
  const big = await vmWithRanges("bench-10k", RANGES);
  const small = await vmWithRanges("bench-small", 8);
  await scp.system.version(); // every later gate reuses it

  // 1. Listing a 10,000-range map, alone.
  await scp.tasks.wait(await scp.cbt.enable(big), FAST);
  const snap = await scp.snapshots.create(big, { name: "bench-list" });
  await scp.tasks.wait(snap, FAST);
  const query = { diskId: "virtio0", snapshotId: snap.snapshotId, checkpointId: 0, diskSizeBytes: 128 * 1024 * 1024 };
  const listing = await measure(() => collect(scp.cbt.changedAreas(big, query), { limit: RANGES * 2 }));
  const listed = (listing.result as unknown[]).length;
  add("changed-areas.10k.ranges", listed, "ranges", `= ${RANGES}`, listed === RANGES);
  add("changed-areas.10k.wall", listing.ms, "ms", "< 500", listing.ms < 500);
  add(
    "changed-areas.10k.requests",
    listing.requests,
    "requests",
    "<= 12 (1,024 ranges per answer)",
    listing.requests <= 12,
  );
  add(
    "changed-areas.10k.rate",
    listed / (listing.ms / 1000),
    "ranges/s",
    "> 20000",
    listed / (listing.ms / 1000) > 20_000,
  );
  await scp.tasks.wait(await scp.snapshots.deleteMany(big, [snap.snapshotId]), FAST);

  // 2. A whole session, with a small map and with the 10,000-range one.
  const plain = await measure(() => session(small));
  const mapped = await measure(() => session(big));
  add("session.small-map.requests", plain.requests, "requests", "<= 30", plain.requests <= 30);
  // Beyond the platform's own task times, a session's control plane should cost well under a second.
  add("session.small-map.wall", plain.ms, "ms", "< 1000", plain.ms < 1000);
  add(
    "session.10k-map.requests",
    mapped.requests,
    "requests",
    "<= small-map + 12",
    mapped.requests <= plain.requests + 12,
  );
  add("session.10k-map.wall", mapped.ms, "ms", "< small-map + 500", mapped.ms < plain.ms + 500);
  add("session.10k-map.ranges", mapped.result as number, "ranges", `= ${RANGES}`, mapped.result === RANGES);
} finally {
  await server.close();
  rmSync(stateDir, { recursive: true, force: true });
}

await report(args, figures, [
  "HTTPS simulator with instant tasks: the SDK and the wire, not the platform's task times",
]);

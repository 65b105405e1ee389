// Changed areas are listed to the disk's end, an answer at a time, however the platform cuts its answers.
import { http } from "msw";
import { expect, test } from "vitest";
import { collect, ScpCbtExpiredError, ScpResponseError, ScpUnsupportedVersionError } from "../../src/index.js";
import type { ScpSimulatorBackupLab } from "../../src/simulator/index.js";
import { testClient } from "../support/client.js";
import { BASE, useMsw, v1, v1Error } from "../support/msw.js";
import { FAST, simulated } from "../support/sim.js";

const server = useMsw();
const AREAS = `${BASE}/janus/20180725/servers/vm-1/cbt/changed-areas`;
const MIB = 1024 * 1024;

function version(build = "SCP6.11.3B-2025-03-01") {
  return http.get(`${BASE}/janus/20180725/system/version`, () => v1({ build_version: build }));
}

/** Answers changed-area reads from a script of [start_offset, length, areas] by the asked offset. */
function scripted(answers: Record<number, [number, number, [number, number][]]>) {
  const asked: number[] = [];
  server.use(
    version(),
    http.get(AREAS, ({ request }) => {
      const offset = Number(new URL(request.url).searchParams.get("start_offset"));
      asked.push(offset);
      const [start_offset, length, areas] = answers[offset] ?? [offset, 1, []];
      return v1({ start_offset, length, changed_area: areas.map(([start, len]) => ({ start, length: len })) });
    }),
  );
  return asked;
}

const input = { diskId: "virtio0", snapshotId: "snap-1", checkpointId: 0, diskSizeBytes: 4 * MIB };

test("empty answers mid-way never end the listing; areas cut at an answer's end come out joined", async () => {
  const asked = scripted({
    0: [0, MIB, [[0, 4096]]],
    [MIB]: [MIB, MIB, []],
    [2 * MIB]: [2 * MIB, MIB, [[3 * MIB - 4096, 4096]]],
    [3 * MIB]: [
      3 * MIB,
      MIB,
      [
        [3 * MIB, 8192],
        [4 * MIB - 512, 512],
      ],
    ],
  });
  const areas = await collect(testClient().cbt.changedAreas("vm-1", input), { limit: 100 });
  expect(asked).toEqual([0, MIB, 2 * MIB, 3 * MIB]);
  expect(areas).toEqual([
    { offset: 0, length: 4096 },
    { offset: 3 * MIB - 4096, length: 4096 + 8192 },
    { offset: 4 * MIB - 512, length: 512 },
  ]);
});

test("an answer that does not move on, or covers past the disk's end, is an ScpResponseError", async () => {
  scripted({ 0: [0, MIB, []], [MIB]: [0, MIB, []] });
  const stuck = await collect(testClient().cbt.changedAreas("vm-1", input), { limit: 10 }).catch((e) => e);
  expect(stuck).toBeInstanceOf(ScpResponseError);
  expect(stuck.message).toContain("does not move on");
  scripted({ 0: [0, 8 * MIB, []] });
  const past = await collect(testClient().cbt.changedAreas("vm-1", input), { limit: 10 }).catch((e) => e);
  expect(past).toBeInstanceOf(ScpResponseError);
  expect(past.message).toContain("past the disk's end");
});

test("SCP's 'CBT has expired' becomes ScpCbtExpiredError, saying to reset and take a full", async () => {
  server.use(
    version(),
    http.get(AREAS, () => v1Error(400, "The VM CBT has expired. Please reset it.")),
  );
  const error = await testClient()
    .cbt.changedAreasPage("vm-1", { disk_id: "virtio0", snapshot_id: "s", checkpoint_id: 3, start_offset: 0 })
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpCbtExpiredError);
  expect(error).toMatchObject({ status: 400, serverId: "vm-1" });
  expect(error.message).toContain("scp.cbt.reset");
  expect(error.message).toContain("full backup");
});

test("an older platform is refused before anything is sent: hot-add needs 6.11.3, CBT 6.10.0", async () => {
  server.use(version("SCP6.10.0B-2024-01-01"));
  const scp = testClient();
  const hotAdd = await scp.hotAdd
    .attach("proxy-1", [{ serverId: "vm-1", diskId: "virtio0", snapshotId: "s", application: "backup" }])
    .catch((e) => e);
  expect(hotAdd).toBeInstanceOf(ScpUnsupportedVersionError);
  expect(hotAdd.message).toBe("hot-add (HotAdd transport) needs SCP 6.11.3 or later; this platform runs 6.10.0");
  server.use(version("SCP6.9.0B-2023-01-01"));
  const cbt = await testClient()
    .cbt.enable("vm-1")
    .catch((e) => e);
  expect(cbt).toMatchObject({ name: "ScpUnsupportedVersionError", requiredVersion: "6.10.0" });
});

test("against the simulator, narrow windows and cut answers give the same areas as one whole answer", async () => {
  const whole = simulated({ serverCount: 0, backupLab: true });
  const cut = simulated({ serverCount: 0, backupLab: true, cbtWindowBytes: 256 * 1024, cbtMaxAreasPerAnswer: 1 });
  cut.sim.faults.add({ kind: "partial-changed-areas", match: "*", maxAreas: 1, maxLength: 8192 });
  const list = async ({ sim, scp }: typeof whole) => {
    const vm = (sim.lab as ScpSimulatorBackupLab).vms.running;
    await scp.tasks.wait(await scp.cbt.enable(vm), FAST);
    const snap = await scp.snapshots.create(vm, { name: "s" });
    await scp.tasks.wait(snap, FAST);
    const query = { diskId: "virtio0", snapshotId: snap.snapshotId, checkpointId: 0, diskSizeBytes: 4 * MIB };
    return collect(scp.cbt.changedAreas(vm, query), { limit: 10_000 });
  };
  const areas = await list(whole);
  expect(areas.length).toBeGreaterThan(1);
  expect(await list(cut)).toEqual(areas);
  const pages = cut.calls.filter((c) => c.path.endsWith("/changed-areas")).length;
  expect(pages).toBeGreaterThan(16);
});

test("version gates read the version once for many calls; an explicit version() always asks the platform", async () => {
  let reads = 0;
  server.use(
    http.get(`${BASE}/janus/20180725/system/version`, () => {
      reads++;
      return v1({ build_version: "SCP6.11.3B" });
    }),
    http.get(AREAS, () => v1({ start_offset: 0, length: 4 * MIB, changed_area: [] })),
  );
  const scp = testClient();
  for (let i = 0; i < 3; i++) {
    await collect(scp.cbt.changedAreas("vm-1", input), { limit: 1 });
  }
  expect(reads).toBe(1);
  await scp.system.version();
  expect(reads).toBe(2);
});

import { describe, expect, it } from "vitest";
import { BASE, backupSetup, KIB, MIB, merge, pattern, type Range, S18 } from "./backup-support.js";
import { rawClient } from "./support.js";

const DISK = 4 * MIB;
/** What the lab seeds on each disk: the start, around the middle and the end (4 KiB aligned). */
const SEEDED: Range[] = [
  { start: 0, length: 64 * KIB },
  { start: DISK / 2 - 4 * KIB, length: 192 * KIB },
  { start: DISK - 8 * KIB, length: 8 * KIB },
];
const EXPIRED = "The VM CBT has expired. Please reset it.";

/** Small blocks, small windows and at most two areas an answer, so paging shows on a 4 MiB disk. */
function setup() {
  return backupSetup({ cbtBlockSizeBytes: 4 * KIB, cbtWindowBytes: 256 * KIB, cbtMaxAreasPerAnswer: 2 });
}

function write(sim: ReturnType<typeof setup>["sim"], vm: string, ranges: readonly Range[]): void {
  for (const [i, r] of ranges.entries()) {
    sim.disks.write(vm, "virtio0", r.start, pattern(i + 10, r.length));
  }
}

describe("changed block tracking", () => {
  it("maps a full backup's allocated areas and an incremental's written ones, page by page, in bytes", async () => {
    const { sim, lab, cbt, snapshot, checkpointOf, allAreas } = setup();
    const vm = lab.vms.running;
    await cbt(vm, "enable", ["virtio0"]);
    const first = await snapshot(vm);
    const c1 = await checkpointOf(vm, first);
    expect(c1).toBeGreaterThan(0);

    const full = await allAreas(vm, "virtio0", first, 0, DISK);
    expect(full.areas).toEqual(SEEDED);
    const emptyMidDisk = full.pages.filter((p) => p.changed_area.length === 0 && p.start_offset + p.length < DISK);
    expect(emptyMidDisk.length).toBeGreaterThan(0);
    expect(full.pages.every((p) => p.length <= 256 * KIB)).toBe(true);

    // One byte marks its whole 4 KiB block; three areas in one window exceed the two an answer lists.
    const written: Range[] = [
      { start: 100 * KIB, length: 8 * KIB },
      { start: 520 * KIB, length: 4 * KIB },
      { start: 540 * KIB, length: 4 * KIB },
      { start: 600 * KIB, length: 4 * KIB },
      { start: 3 * MIB, length: 12 * KIB },
    ];
    write(sim, vm, written);
    sim.disks.write(vm, "virtio0", MIB + 5, Uint8Array.of(7));
    const second = await snapshot(vm);
    const incremental = await allAreas(vm, "virtio0", second, c1, DISK);
    expect(incremental.areas).toEqual(merge([...written, { start: MIB, length: 4 * KIB }]));
    const cut = incremental.pages.find((p) => p.changed_area.length === 2 && p.length < 256 * KIB);
    expect(cut, "an answer cut short at its second area").toBeDefined();
    expect((await allAreas(vm, "virtio0", second, 0, DISK)).areas).toEqual(
      merge([...SEEDED, ...written, { start: MIB, length: 4 * KIB }]),
    );

    sim.disks.write(vm, "virtio0", 200 * KIB, pattern(3, 4 * KIB));
    const third = await snapshot(vm);
    const c2 = await checkpointOf(vm, second);
    expect((await allAreas(vm, "virtio0", third, c2, DISK)).areas).toEqual([{ start: 200 * KIB, length: 4 * KIB }]);
    expect((await allAreas(vm, "virtio0", third, c1, DISK)).areas).toEqual(
      merge([...written, { start: MIB, length: 4 * KIB }, { start: 200 * KIB, length: 4 * KIB }]),
    );
  });

  it("expires after a revert, fails with the platform's text until reset, then takes only a full for old checkpoints", async () => {
    const { sim, call, lab, cbt, snapshot, checkpointOf, areas, allAreas, finish } = setup();
    const vm = lab.vms.running;
    await cbt(vm, "enable");
    const first = await snapshot(vm);
    const c1 = await checkpointOf(vm, first);
    write(sim, vm, [{ start: 8 * KIB, length: 4 * KIB }]);
    const second = await snapshot(vm);
    expect((await allAreas(vm, "virtio0", second, c1, DISK)).areas).toEqual([{ start: 8 * KIB, length: 4 * KIB }]);

    await finish(await call("POST", `${S18}/${vm}/snapshots/${first}/recovery`, { json: { backup: 0 } }));
    expect(sim.state().cbt[vm]?.expired).toBe(true);
    for (const checkpoint of [c1, 0]) {
      const refused = await areas(vm, {
        disk_id: "virtio0",
        snapshot_id: second,
        checkpoint_id: checkpoint,
        start_offset: 0,
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ code: 400, message: EXPIRED, data: {} });
    }
    const status = await call("GET", `${S18}/${vm}/cbt/status`);
    expect(status.body.data).toEqual({
      server_id: vm,
      is_enabled: true,
      disks: [
        { id: "virtio0", is_enabled: true },
        { id: "virtio1", is_enabled: true },
      ],
    });

    await cbt(vm, "reset");
    expect(sim.state().cbt[vm]?.expired).toBe(false);
    const stale = await areas(vm, { disk_id: "virtio0", snapshot_id: second, checkpoint_id: c1, start_offset: 0 });
    expect(stale.status).toBe(400);
    expect(stale.body.message).toMatch(/before CBT was last enabled or reset.*checkpoint_id 0/);
    expect((await allAreas(vm, "virtio0", second, 0, DISK)).areas).toEqual(
      merge([...SEEDED, { start: 8 * KIB, length: 4 * KIB }]),
    );

    const base = await snapshot(vm);
    write(sim, vm, [{ start: 16 * KIB, length: 4 * KIB }]);
    const next = await snapshot(vm);
    const fresh = await allAreas(vm, "virtio0", next, await checkpointOf(vm, base), DISK);
    expect(fresh.areas).toEqual([{ start: 16 * KIB, length: 4 * KIB }]);
  });

  it("refuses disks without CBT, checkpoints not older than the snapshot's and offsets past the disk", async () => {
    const { lab, cbt, snapshot, checkpointOf, areas, call } = setup();
    const vm = lab.vms.running;
    const before = await snapshot(vm);
    expect(await checkpointOf(vm, before)).toBe(0);
    await cbt(vm, "enable", ["virtio0"]);
    const snap = await snapshot(vm);
    const c = await checkpointOf(vm, snap);
    const query = { disk_id: "virtio1", snapshot_id: snap, checkpoint_id: 0, start_offset: 0 };
    const off = await areas(vm, query);
    expect(off.status).toBe(400);
    expect(off.body.message).toMatch(/CBT is not enabled on disk virtio1/);
    expect((await areas(vm, { ...query, disk_id: "virtio0", checkpoint_id: c })).body.message).toMatch(/not older/);
    expect((await areas(vm, { ...query, disk_id: "virtio0", start_offset: DISK })).status).toBe(400);
    expect((await areas(vm, { ...query, disk_id: "virtio0", checkpoint_id: -1 })).status).toBe(400);
    expect((await call("GET", `${S18}/${vm}/cbt/changed-areas`, { query: { disk_id: "virtio0" } })).status).toBe(400);
    await cbt(vm, "disable", ["virtio0"]);
    expect((await areas(vm, { ...query, disk_id: "virtio0" })).status).toBe(400);
  });

  it("is for administrators only", async () => {
    const { sim, lab, now } = setup();
    const tenant = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.tenantCredentials }, now);
    const refused = await tenant("GET", `${S18}/${lab.vms.running}/cbt/status`);
    expect(refused.status).toBe(403);
  });
});

// Concurrent changes by another client while a fleet is deployed, re-run, rolled to a new image and destroyed:
// between the pages the client under test reads, another administrator deletes and creates VMs (look-alikes named
// like the fleet's proxies, so the fleet's own filtered list spans pages; unrelated ones; and now and then a VM
// squatting the exact name of a proxy slot). The fleet must end exactly as asked, never with a duplicate.
import { expect, test } from "vitest";
import { deployBackupProxyFleet, destroyBackupProxyFleet, type ScpClient } from "../../src/index.js";
import type { ScpSimulatorState } from "../../src/simulator/index.js";
import { useVmaFile } from "../workflows/fleet-env.js";
import { liveFigures } from "./support/figures.js";
import {
  expectFleetExactly,
  FAST,
  FLEET,
  type FleetWorld,
  fleetInput,
  fleetVms,
  fleetWorld,
} from "./support/fleet-world.js";
import { Rng, scaled, trialSeeds } from "./support/mode.js";
import { eachSeed, expectTyped, settle, trialNote } from "./support/trial.js";

const vma = useVmaFile();
const SEEDS = trialSeeds("concurrent", scaled(5, 50));
type Figures = ReturnType<typeof liveFigures>;

const isList = (request: Request) =>
  request.method === "GET" && new URL(request.url).pathname === "/janus/20240725/servers";

/** VM fields for creates by the other client. */
const vm = (azId: string, imageId: string, name: string, count = 1) => ({
  az_id: azId,
  image_id: imageId,
  name,
  cores: 1,
  sockets: 1,
  memory_mb: 1024,
  disks: [{ id: "ide0", size_mb: 10_240 }],
  networks: [],
  count,
});

/** What the other administrator does between two pages: delete or create a VM, or squat a proxy's name. */
class Meddler {
  armed = false;
  readonly touched = new Set<string>();
  readonly counts = { deletes: 0, creates: 0, squats: 0 };

  constructor(
    private readonly rng: Rng,
    private readonly world: () => FleetWorld,
  ) {}

  async act(): Promise<void> {
    const { other, sim, poolA, imageV1 } = this.world();
    const roll = this.rng.float();
    if (roll < 0.45) {
      const victims = sim.state().servers.filter((s) => !s.recycled && !this.#precious(s, sim.goldenServerId));
      const victim = victims.length > 0 ? this.rng.pick(victims) : undefined;
      if (victim) {
        this.touched.add(victim.id);
        this.counts.deletes++;
        await other.servers.delete(victim.id, { force: true }).catch(() => undefined);
      }
    } else if (roll < 0.9) {
      const name = this.rng.chance(0.5) ? `${FLEET}-lookalike-x${this.counts.creates}` : `other-${this.counts.creates}`;
      this.counts.creates++;
      const made = await other.servers.create(vm(poolA, imageV1, name));
      for (const id of made.serverIds) {
        this.touched.add(id);
      }
    } else {
      await this.#squat(other, poolA, imageV1);
    }
  }

  /** Creates an unmarked VM with the exact name of a free proxy slot in pool A (slots 1 to 6). */
  async #squat(other: ScpClient, poolA: string, imageId: string): Promise<void> {
    const names = new Set(
      this.world()
        .sim.state()
        .servers.map((s) => s.name),
    );
    const slot = [1, 2, 3, 4, 5, 6].find((n) => !names.has(`${FLEET}-${poolA.replace(/-/g, "").slice(0, 8)}-0${n}`));
    if (slot !== undefined) {
      this.counts.squats++;
      const made = await other.servers.create(
        vm(poolA, imageId, `${FLEET}-${poolA.replace(/-/g, "").slice(0, 8)}-0${slot}`),
      );
      for (const id of made.serverIds) {
        this.touched.add(id);
      }
    }
  }

  #precious(s: ScpSimulatorState["servers"][number], golden: string): boolean {
    return s.id === golden || /scp-sdk-proxy\/1 /.test(s.description ?? "");
  }
}

/**
 * Runs until it succeeds. Two refusals are the contract under change, typed and bounded: a VM squatting a slot's
 * name (the next run plans around it), and a list that changed on each of its reads (no plan from a torn read).
 */
async function untilDone<T>(world: FleetWorld, run: () => Promise<T>, figures: Figures): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ran = await settle(run);
    if (ran.ok) {
      return ran.value;
    }
    expectTyped(ran.error);
    world.scan.error(ran.error, "run under concurrent change");
    const why = ran.error.message.includes("hold still") ? "a list that kept changing" : "a name squatted meanwhile";
    figures.add(`runs refused by ${why} (then run again)`);
    expect(attempt, ran.error.message).toBeLessThan(10);
  }
}

async function trial(seed: number, figures: Figures): Promise<void> {
  const rng = new Rng(seed);
  let world: FleetWorld | undefined;
  const meddler = new Meddler(rng, () => world as FleetWorld);
  const rate = rng.pick([0.1, 0.2, 0.35]);
  const intercept = async (request: Request) => {
    if (meddler.armed && isList(request) && rng.chance(rate)) {
      await meddler.act();
    }
    return undefined;
  };
  const w = await fleetWorld(seed, vma.path, { intercept });
  world = w;
  const { other, poolA, poolB } = w;
  // Enough look-alikes (named with the fleet's prefix, unmarked) that the fleet's filtered list spans pages.
  for (const [batch, count] of [
    ["a", 50],
    ["b", 50],
    ["c", rng.int(1, 40)],
  ] as const) {
    const made = await other.servers.create(vm(poolA, w.imageV1, `${FLEET}-lookalike-${batch}`, count));
    await other.tasks.wait(made, FAST);
  }
  const before = w.sim.state();
  meddler.armed = true;
  const first = fleetInput(w.imageV1, { [poolA]: rng.int(1, 4), [poolB]: rng.int(0, 2) });
  const rolled = fleetInput(w.imageV2, { [poolA]: rng.int(1, 4), [poolB]: rng.int(0, 2) });
  trialNote.text = `rate ${rate}; ${JSON.stringify(first.pools)} then ${JSON.stringify(rolled.pools)}`;
  for (const input of [first, first, rolled, rolled]) {
    await untilDone(w, () => deployBackupProxyFleet(w.scp, input, { ...FAST, prune: true }), figures);
    expectFleetExactly(w, input, before, meddler.touched);
    figures.add("deploys converged under concurrent change");
  }
  const destroyed = await untilDone(w, () => destroyBackupProxyFleet(w.scp, { fleetId: FLEET }, FAST), figures);
  expect(fleetVms(w.sim.state())).toEqual([]);
  expect(destroyed.removed.length).toBeGreaterThan(0);
  meddler.armed = false;
  expect(w.scan.leaks).toEqual([]);
  figures.add("trials");
  figures.add("VMs deleted by the other client", meddler.counts.deletes);
  figures.add("VMs created by the other client", meddler.counts.creates);
  figures.add("proxy names squatted by the other client", meddler.counts.squats);
  figures.add("requests", w.requests());
  await w.sim.close();
}

test("deploy, re-run, roll and destroy while another client deletes and creates VMs between pages", async (context) => {
  const figures = liveFigures(context, "Concurrent changes");
  await eachSeed(SEEDS, (seed) => trial(seed, figures));
  figures.set("seeds", SEEDS.length);
}, 600_000);

// Fault seeds over fleet deployment: each trial deploys a fleet cleanly, changes it (replace, grow, add a pool,
// prune, init script) under seeded faults of every kind on creates, edits, deletes and reads, then re-runs cleanly
// and checks the fleet is exactly as asked, with nothing else changed and no secret said.
import { expect, test } from "vitest";
import { type DeployBackupProxyFleetInput, deployBackupProxyFleet } from "../../src/index.js";
import { useVmaFile } from "../workflows/fleet-env.js";
import { DEPLOY_TARGETS, faultRules } from "./support/fault-plan.js";
import { liveFigures } from "./support/figures.js";
import {
  expectFleetExactly,
  FAST,
  type FleetWorld,
  fleetInput,
  fleetVms,
  fleetWorld,
  scannedProgress,
} from "./support/fleet-world.js";
import { Rng, scaled, trialSeeds } from "./support/mode.js";
import {
  eachSeed,
  expectLeftoversListed,
  expectTyped,
  settle,
  trialNote,
  unfinishedTaskObjects,
} from "./support/trial.js";

const vma = useVmaFile();
const SEEDS = trialSeeds("faults-deploy", scaled(22, 198));
/** Short limits for the faulty run, so stuck and slow tasks end it quickly. */
const FAULTY = { ...FAST, maxWaitMs: 600, cleanupMaxWaitMs: 600, vmtoolsMaxWaitMs: 600 };
/** Longest a faulty run may take: a few waits at their limits, never an unbounded one. */
const FAULTY_BOUND_MS = 15_000;

type Figures = ReturnType<typeof liveFigures>;

async function faultyRun(world: FleetWorld, input: DeployBackupProxyFleetInput, rng: Rng, figures: Figures) {
  const before = fleetVms(world.sim.state());
  const run = await settle(() =>
    deployBackupProxyFleet(world.scp, input, {
      ...FAULTY,
      prune: true,
      maxUnavailable: rng.int(0, 1),
      concurrency: rng.int(1, 4),
      onProgress: scannedProgress(world.scan),
    }),
  );
  expect(run.ms, "a faulty run must end within its limits").toBeLessThan(FAULTY_BOUND_MS);
  figures.add(run.ok ? "faulty runs that still succeeded" : "faulty runs that failed (typed)");
  if (!run.ok) {
    expectTyped(run.error);
    world.scan.error(run.error, "faulty deploy");
    expectLeftoversListed(run.error, before, fleetVms(world.sim.state()));
  }
}

/** The clean re-run; a VM whose create or delete task the simulator holds stuck forever may block it. */
async function cleanRerun(world: FleetWorld, input: DeployBackupProxyFleetInput, figures: Figures) {
  const rerun = await settle(() =>
    deployBackupProxyFleet(world.scp, input, {
      ...FAST,
      prune: true,
      maxWaitMs: 5_000,
      onProgress: scannedProgress(world.scan),
    }),
  );
  if (rerun.ok) {
    figures.add("clean re-runs that converged");
    return true;
  }
  expectTyped(rerun.error);
  world.scan.error(rerun.error, "clean re-run");
  const stuck = unfinishedTaskObjects(world.sim.state());
  const blocked = fleetVms(world.sim.state()).some((s) => stuck.has(s.id));
  expect(blocked, `clean re-run failed: ${rerun.error.message}`).toBe(true);
  figures.add("clean re-runs blocked by a task the simulator never ends");
  return false;
}

test("fault seeds over deployBackupProxyFleet, each followed by a clean re-run that converges", async (context) => {
  const figures = liveFigures(context, "Fault seeds: deploy");
  await eachSeed(SEEDS, async (seed, trial) => {
    const rng = new Rng(seed);
    const world = await fleetWorld(seed, vma.path);
    const { scp, sim, poolA, poolB } = world;
    await deployBackupProxyFleet(scp, fleetInput(world.imageV1, { [poolA]: rng.int(1, 2) }), FAST);
    const before = sim.state();
    const input = fleetInput(
      world.imageV2,
      { [poolA]: rng.int(1, 3), [poolB]: rng.int(0, 2) },
      { initScript: "systemctl start backup-agent" },
    );
    const { rules, targets } = faultRules(rng, trial, DEPLOY_TARGETS);
    trialNote.text = `faults: ${JSON.stringify(rules)}; input ${JSON.stringify(input.pools)}`;
    for (const rule of rules) {
      sim.faults.add(rule);
      figures.note(`${rule.kind} on ${targets[rules.indexOf(rule)]?.kind}`);
      figures.add(`faults on ${targets[rules.indexOf(rule)]?.kind}s`);
    }
    figures.add("faults applied", rules.length);
    await faultyRun(world, input, rng, figures);
    sim.faults.clear();
    const converged = await cleanRerun(world, input, figures);
    if (converged) {
      expectFleetExactly(world, input, before);
    }
    expect(world.scan.leaks).toEqual([]);
    figures.add("trials");
    figures.add("requests", world.requests());
    figures.add("errors scanned for secrets", world.scan.counts.errors);
    figures.add("log lines scanned", world.scan.counts.logLines);
    figures.add("hook and progress events scanned", world.scan.counts.hookEvents + world.scan.counts.progressEvents);
    await sim.close();
  });
  figures.set("seeds", SEEDS.length);
}, 600_000);

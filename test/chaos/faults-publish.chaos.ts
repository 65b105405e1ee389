// Fault seeds over publishing a proxy image (VM → VMA image → export → download → private, administrator-owned
// upload to every pool), on one platform or to a second one: every fault kind on creates, edits, deletes and reads,
// each trial followed by a clean re-run that must leave exactly one complete image and nothing else.
import { expect, test } from "vitest";
import { ScpWorkflowError } from "../../src/index.js";
import { faultRules, PUBLISH_TARGETS } from "./support/fault-plan.js";
import { liveFigures } from "./support/figures.js";
import { FAST } from "./support/fleet-world.js";
import { Rng, scaled, trialSeeds } from "./support/mode.js";
import { expectHonestLeftovers, expectPublished, publishOnce, publishWorld } from "./support/publish-world.js";
import { eachSeed, expectTyped, trialNote, unfinishedTaskObjects } from "./support/trial.js";

const SEEDS = trialSeeds("faults-publish", scaled(18, 117));
const FAULTY = { ...FAST, maxWaitMs: 600, cleanupMaxWaitMs: 600 };
const FAULTY_BOUND_MS = 15_000;
type Figures = ReturnType<typeof liveFigures>;

async function trial(seed: number, index: number, figures: Figures): Promise<void> {
  const rng = new Rng(seed);
  const world = await publishWorld(seed, { crossPlatform: rng.chance(0.35) });
  const { source, target, scp } = world;
  const stopSource = rng.chance(0.4);
  if (stopSource) {
    await scp.tasks.wait(await scp.servers.start(source.goldenServerId), FAST);
  }
  const before = { source: source.state(), target: target.state() };
  const { rules, targets } = faultRules(rng, index, PUBLISH_TARGETS);
  trialNote.text = `faults: ${JSON.stringify(rules)}; stopSource ${stopSource}; cross-platform ${target !== source}`;
  for (const [i, rule] of rules.entries()) {
    source.faults.add(rule);
    if (target !== source) {
      target.faults.add(rule);
    }
    figures.note(`${rule.kind} on ${targets[i]?.kind}`);
    figures.add(`faults on ${targets[i]?.kind}s`);
  }
  const imageName = `proxy-${seed.toString(36)}`;
  const faulty = await publishOnce(world, imageName, { ...FAULTY, stopSource });
  expect(faulty.ms).toBeLessThan(FAULTY_BOUND_MS);
  figures.add(faulty.ok ? "faulty runs that still succeeded" : "faulty runs that failed (typed)");
  const goldenLeftOff =
    !faulty.ok &&
    faulty.error instanceof ScpWorkflowError &&
    faulty.error.changes.some((c) => c.startsWith(`left the golden VM ${source.goldenServerId} powered off`));
  figures.add("faulty runs that reported leaving the golden VM off", goldenLeftOff ? 1 : 0);
  if (!faulty.ok) {
    expectTyped(faulty.error);
    world.scan.error(faulty.error, "faulty publish");
    await expectHonestLeftovers(world, faulty.error);
  }
  source.faults.clear();
  target.faults.clear();
  const clean = await publishOnce(world, imageName, { ...FAST, stopSource, maxWaitMs: 5_000 });
  if (clean.ok) {
    figures.add(clean.value.reused ? "clean re-runs that found it published" : "clean re-runs that published");
    await expectPublished(world, imageName, before, goldenLeftOff);
  } else {
    expectTyped(clean.error);
    world.scan.error(clean.error, "clean re-run");
    const stuck = unfinishedTaskObjects(source.state());
    const stuckOnTarget = unfinishedTaskObjects(target.state());
    expect(stuck.size + stuckOnTarget.size, `clean re-run failed: ${clean.error.message}`).toBeGreaterThan(0);
    figures.add("clean re-runs blocked by a task the simulator never ends");
  }
  expect(world.scan.leaks).toEqual([]);
  figures.add("trials");
  figures.add("cross-platform trials", target === source ? 0 : 1);
  figures.add("requests", world.requests());
  figures.add("errors scanned for secrets", world.scan.counts.errors);
  figures.add("log, hook and progress lines scanned", world.scan.counts.logLines + world.scan.counts.hookEvents);
  await world.close();
}

test("fault seeds over publishProxyImage, each followed by a clean re-run that converges", async (context) => {
  const figures = liveFigures(context, "Fault seeds: publish");
  await eachSeed(SEEDS, (seed, index) => trial(seed, index, figures));
  figures.set("seeds", SEEDS.length);
}, 600_000);

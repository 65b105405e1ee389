// Abort trials: a deploy (changing a fleet: replace, grow, add a pool, init script) or a publish aborted after a
// random number of its requests, then a clean re-run that must converge. The aborted run must end in an
// ScpWorkflowError whose cause is the abort's reason (or finish, when the abort came too late), within its
// cleanup limit, listing everything it left.
import { expect, test } from "vitest";
import { deployBackupProxyFleet, ScpWorkflowError } from "../../src/index.js";
import { useVmaFile } from "../workflows/fleet-env.js";
import { liveFigures } from "./support/figures.js";
import { expectFleetExactly, FAST, fleetInput, fleetVms, fleetWorld, scannedProgress } from "./support/fleet-world.js";
import { Rng, scaled, trialSeeds } from "./support/mode.js";
import { expectHonestLeftovers, expectPublished, publishOnce, publishWorld } from "./support/publish-world.js";
import { eachSeed, expectLeftoversListed, expectTyped, settle, trialNote } from "./support/trial.js";

const vma = useVmaFile();
const SEEDS = trialSeeds("abort", scaled(12, 120));
const BOUND_MS = 15_000;
type Figures = ReturnType<typeof liveFigures>;

/** Aborts after the k-th request the client under test sends: as it leaves, or just after. */
function abortAfter(k: number, soon: boolean) {
  const controller = new AbortController();
  const reason = new Error(`chaos abort after request ${k}`);
  let sent = 0;
  const intercept = (): undefined => {
    if (++sent === k) {
      if (soon) {
        setTimeout(() => controller.abort(reason), 0);
      } else {
        controller.abort(reason);
      }
    }
    return undefined;
  };
  return { signal: controller.signal, reason, intercept, sent: () => sent };
}

/** The aborted run's outcome: finished (abort too late), or a workflow error caused by the abort. */
function judgeAborted(run: Awaited<ReturnType<typeof settle>>, reason: Error, figures: Figures): unknown {
  expect(run.ms).toBeLessThan(BOUND_MS);
  if (run.ok) {
    figures.add("aborts that came after the work was done");
    return undefined;
  }
  expectTyped(run.error);
  expect(run.error).toBeInstanceOf(ScpWorkflowError);
  expect((run.error as ScpWorkflowError).cause).toBe(reason);
  figures.add("aborted runs (ScpWorkflowError, caused by the abort)");
  return run.error;
}

async function deployTrial(seed: number, rng: Rng, figures: Figures): Promise<void> {
  // A twin world of the same seed counts the requests of the run, so the abort lands anywhere in it.
  const counted = await fleetWorld(seed, vma.path);
  const start = fleetInput(counted.imageV1, { [counted.poolA]: 2 });
  const target = fleetInput(
    counted.imageV2,
    { [counted.poolA]: 3, [counted.poolB]: 1 },
    { initScript: "systemctl start backup-agent" },
  );
  await deployBackupProxyFleet(counted.scp, start, FAST);
  const before = counted.requests();
  await deployBackupProxyFleet(counted.scp, target, { ...FAST, prune: true });
  const total = counted.requests() - before;
  await counted.sim.close();
  const k = rng.int(1, total);
  const abort = abortAfter(k, rng.chance(0.5));
  let armed = false;
  const world = await fleetWorld(seed, vma.path, { intercept: () => (armed ? abort.intercept() : undefined) });
  await deployBackupProxyFleet(world.scp, start, FAST);
  const state = world.sim.state();
  trialNote.text = `deploy aborted after request ${k} of ${total}`;
  armed = true;
  const options = { ...FAST, prune: true, cleanupMaxWaitMs: 3_000, signal: abort.signal };
  const run = await settle(() =>
    deployBackupProxyFleet(world.scp, target, { ...options, onProgress: scannedProgress(world.scan) }),
  );
  armed = false;
  const error = judgeAborted(run, abort.reason, figures);
  if (error) {
    world.scan.error(error, "aborted deploy");
    expectLeftoversListed(error, fleetVms(state), fleetVms(world.sim.state()));
  }
  await deployBackupProxyFleet(world.scp, target, { ...FAST, prune: true });
  expectFleetExactly(world, target, state);
  expect(world.scan.leaks).toEqual([]);
  figures.add("deploy trials");
  await world.sim.close();
}

async function publishTrial(seed: number, rng: Rng, figures: Figures): Promise<void> {
  const stopSource = rng.chance(0.5);
  const counted = await publishWorld(seed, { crossPlatform: false });
  if (stopSource) {
    await counted.scp.tasks.wait(await counted.scp.servers.start(counted.source.goldenServerId), FAST);
  }
  const before = counted.requests();
  await publishOnce(counted, "proxy-abort", { ...FAST, stopSource });
  const total = counted.requests() - before;
  await counted.close();
  const k = rng.int(1, total);
  const abort = abortAfter(k, rng.chance(0.5));
  let armed = false;
  const world = await publishWorld(seed, {
    crossPlatform: false,
    intercept: () => (armed ? abort.intercept() : undefined),
  });
  if (stopSource) {
    await world.scp.tasks.wait(await world.scp.servers.start(world.source.goldenServerId), FAST);
  }
  const state = { source: world.source.state(), target: world.target.state() };
  trialNote.text = `publish aborted after request ${k} of ${total}; stopSource ${stopSource}`;
  armed = true;
  const run = await publishOnce(world, "proxy-abort", {
    ...FAST,
    stopSource,
    cleanupMaxWaitMs: 3_000,
    signal: abort.signal,
  });
  armed = false;
  const error = judgeAborted(run, abort.reason, figures);
  if (error) {
    world.scan.error(error, "aborted publish");
    await expectHonestLeftovers(world, error);
  }
  const clean = await publishOnce(world, "proxy-abort", { ...FAST, stopSource });
  expect(clean.ok, clean.ok ? "" : String(clean.error)).toBe(true);
  await expectPublished(world, "proxy-abort", state);
  expect(world.scan.leaks).toEqual([]);
  figures.add("publish trials");
  await world.close();
}

test("aborts at random points of deploy and publish, each followed by a clean re-run that converges", async (context) => {
  const figures = liveFigures(context, "Aborts");
  await eachSeed(SEEDS, async (seed, index) => {
    const rng = new Rng(seed);
    await (index % 2 === 0 ? deployTrial(seed, rng, figures) : publishTrial(seed, rng, figures));
  });
  figures.set("seeds", SEEDS.length);
}, 900_000);

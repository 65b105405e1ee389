// Property-based input generation over every exported function and every method of the client (as listed in
// api/public-surface.txt): each generated bad input must be refused with ScpValidationError (never a TypeError or a
// bare Error) before any request, and no refusal may carry the secret the client holds.

import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createScpClient, isOutcomeUnknown, type ScpClient, ScpValidationError } from "../../src/index.js";
import { liveFigures, report } from "./support/figures.js";
import { scaled, sectionSeed } from "./support/mode.js";
import { SecretScan } from "./support/secret-scan.js";
import { clientCases, type SurfaceCase } from "./support/surface-client.js";
import { functionCases } from "./support/surface-functions.js";
import { httpCases } from "./support/surface-http.js";

const SECRET = "sk-CHAOS-never-in-an-error-7f3a";
const TOTAL_INPUTS = scaled(10_500, 105_000);
const state = { dir: "", file: "", sent: 0 };
const scan = new SecretScan();
scan.add(SECRET, "secret key");

beforeAll(async () => {
  state.dir = await mkdtemp(join(tmpdir(), "scp-chaos-inputs-"));
  state.file = join(state.dir, "image.vma");
  await writeFile(state.file, Buffer.alloc(4096, 3));
});
afterAll(async () => {
  await rm(state.dir, { recursive: true, force: true });
});

function countingClient(): ScpClient {
  return createScpClient({
    baseUrl: "https://scp.test:4430",
    auth: { type: "signature", accessKey: "AKCHAOS", secretKey: SECRET },
    retry: false,
    logger: scan.logger(),
    hooks: scan.hooks(),
    // A refused input never gets here; one that does is answered at once, so the property fails fast.
    fetch: async () => {
      state.sent++;
      return Response.json({ code: 500, message: "a refused input reached the network", data: {} }, { status: 500 });
    },
  });
}

/** Runs a call to its first refusal: a synchronous throw, or the rejection of what it returned. */
async function outcome(c: SurfaceCase, scp: ScpClient, args: unknown[]) {
  let result: unknown;
  try {
    result = c.call(scp, args);
  } catch (error) {
    return { thrown: error, synchronously: true };
  }
  try {
    if (c.iterates) {
      await (result as AsyncIterator<unknown>).next();
    } else if (!c.sync) {
      if (!(result instanceof Promise)) {
        return { problem: "returned no promise" };
      }
      await result;
    }
  } catch (error) {
    return { thrown: error, synchronously: false };
  }
  return { problem: `accepted (${state.sent} requests sent)` };
}

/** Calls a case with one argument list; returns what went wrong, or undefined when it was refused properly. */
async function refusal(c: SurfaceCase, scp: ScpClient, args: unknown[]): Promise<string | undefined> {
  state.sent = 0;
  const ended = await outcome(c, scp, args);
  if ("problem" in ended) {
    return ended.problem;
  }
  const { thrown, synchronously } = ended;
  scan.error(thrown, c.name);
  if (!(thrown instanceof ScpValidationError)) {
    return `threw ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`;
  }
  if (state.sent > 0) {
    return `refused only after ${state.sent} requests`;
  }
  return synchronously && !c.sync && !c.iterates ? "threw synchronously instead of rejecting" : undefined;
}

const describeArgs = (args: unknown[]) => fc.stringify(args).slice(0, 300);

function allCases(): SurfaceCase[] {
  return [
    ...clientCases(state.file, join(state.dir, "download.vma")),
    ...functionCases(state.file, state.dir, SECRET),
    ...httpCases(),
  ];
}

/** The public surface: exported functions, and the methods of every resource group of a client (and of scp.http). */
function publicSurface(scp: ScpClient): string[] {
  const listed = readFileSync(join(import.meta.dirname, "../../api/public-surface.txt"), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("sangfor-scp-sdk function "))
    .map((line) => line.split(" ")[2] as string);
  // Resource groups are objects; plain values such as scp.baseUrl have no methods of ours.
  const groups = Object.entries(scp).filter(([name, value]) => name !== "http" && typeof value === "object");
  const methods = groups.flatMap(([group, instance]) =>
    Object.getOwnPropertyNames(Object.getPrototypeOf(instance))
      .filter((m) => m !== "constructor")
      .map((m) => `scp.${group}.${m}`),
  );
  const http = Object.keys(scp.http).map((m) => `scp.http.${m}`);
  return [...listed, ...methods, ...http];
}

test("the generated inputs cover every exported function and every client method", (context) => {
  const figures = liveFigures(context, "Property-based inputs");
  const covered = new Set([...allCases().map((c) => c.name), "isOutcomeUnknown"]);
  const surface = publicSurface(countingClient());
  expect(surface.filter((name) => !covered.has(name))).toEqual([]);
  figures.set("functions and methods on the public surface", surface.length);
});

test("every bad input to every function and method is refused with ScpValidationError before any request", async (context) => {
  const figures = liveFigures(context, "Property-based inputs");
  const cases = allCases();
  const perCase = Math.ceil(TOTAL_INPUTS / cases.length);
  const seed = sectionSeed("inputs");
  const scp = countingClient();
  const failures: string[] = [];
  for (const [i, c] of cases.entries()) {
    const result = await fc.check(
      fc.asyncProperty(c.bad, async (args) => {
        const problem = await refusal(c, scp, args);
        if (problem !== undefined) {
          throw new Error(problem);
        }
      }),
      { numRuns: perCase, seed: (seed + i) | 0, timeout: 10_000, endOnFailure: true },
    );
    figures.add("generated inputs", result.numRuns);
    if (result.failed) {
      const error = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
      failures.push(`${c.name}${describeArgs(result.counterexample?.[0] ?? [])}: ${error} (seed ${(seed + i) | 0})`);
    }
  }
  figures.set("functions and methods exercised", cases.length);
  expect(failures, `\n${failures.join("\n")}\n`).toEqual([]);
  expect(scan.leaks).toEqual([]);
  figures.set("refusals scanned for secrets", scan.counts.errors);
});

test("isOutcomeUnknown takes any value and answers a boolean", async (context) => {
  const figures = liveFigures(context, "Property-based inputs");
  const seed = sectionSeed("inputs-anything");
  const runs = scaled(500, 5_000);
  fc.assert(
    fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true }), (value) => {
      expect(typeof isOutcomeUnknown(value)).toBe("boolean");
    }),
    { numRuns: runs, seed },
  );
  figures.set("generated inputs", runs);
});

test("createScpClient refuses an unknown option key (a misspelt timeout is not silently ignored)", (context) => {
  report(context, {
    section: "Property-based inputs",
    counts: {},
    notes: ["createScpClient options are strict"],
  });
  const options = { baseUrl: "https://scp.test:4430", auth: { type: "signature", accessKey: "AK", secretKey: SECRET } };
  for (const key of ["timeout", "retries", "extra"]) {
    expect(() => createScpClient({ ...options, [key]: 1 } as never)).toThrow(ScpValidationError);
  }
});

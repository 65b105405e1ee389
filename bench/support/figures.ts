// What every benchmark script shares: its flags, the figures it reports, and how they are printed and written.
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { dirname } from "node:path";

/** One reported figure: the shape of `bench-results.json` (min, max, runs and the rest are extras). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the figure must be, in words (`≥ 0.9`), or "report" when it is only reported. */
  goal: string;
  /** Whether the goal is met; null when there is none. */
  met: boolean | null;
  min?: number;
  max?: number;
  runs?: number;
  /** The 1-minute load average when the figure was taken (other work on the machine skews timings). */
  load?: number;
  /** Anything a reader needs to judge the figure. */
  note?: string;
  /** Median CPU time of the process per sample, ms: what the machine's other load does not inflate. */
  cpuMs?: number;
}

/** The flags every benchmark script takes: `--quick`, `--runs N`, `--out FILE`. */
export interface BenchArgs {
  quick: boolean;
  runs: number | undefined;
  out: string;
}

/** Reads the common flags; `out` defaults to `tmp/bench/<name>.json`. */
export function benchArgs(name: string, argv = process.argv.slice(2)): BenchArgs {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const runs = value("--runs");
  return {
    quick: argv.includes("--quick"),
    runs: runs === undefined ? undefined : Math.max(1, Number(runs)),
    out: value("--out") ?? `tmp/bench/${name}.json`,
  };
}

/** The median of some samples (the upper middle for an even count). */
export function median(samples: readonly number[]): number {
  return [...samples].sort((a, b) => a - b)[samples.length >> 1] ?? Number.NaN;
}

/** The 1-minute load average now, to one decimal. */
export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 10) / 10;
}

/** A goal as a test on a value and the words shown for it. */
export interface Goal {
  text: string;
  test: (value: number) => boolean;
}

/** Goals by comparison. */
export const goal = {
  atLeast: (limit: number, unit = ""): Goal => ({ text: `≥ ${limit}${unit}`, test: (v) => v >= limit }),
  below: (limit: number, unit = ""): Goal => ({ text: `< ${limit}${unit}`, test: (v) => v < limit }),
  atMost: (limit: number, unit = ""): Goal => ({ text: `≤ ${limit}${unit}`, test: (v) => v <= limit }),
  within: (limit: number, unit = ""): Goal => ({ text: `|x| ≤ ${limit}${unit}`, test: (v) => Math.abs(v) <= limit }),
};

/** Builds a figure from samples: the median as its value, with min, max and the run count. */
export function figure(
  name: string,
  samples: number | readonly number[],
  unit: string,
  target?: Goal,
  extra: Partial<Figure> = {},
): Figure {
  const all = typeof samples === "number" ? [samples] : samples;
  const value = median(all);
  const spread = all.length > 1 ? { min: Math.min(...all), max: Math.max(...all), runs: all.length } : {};
  return {
    name,
    value,
    unit,
    goal: target?.text ?? "report",
    met: target ? target.test(value) : null,
    ...spread,
    load: load1(),
    ...extra,
  };
}

function format(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) {
    return "";
  }
  const abs = Math.abs(value);
  return abs >= 1000 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(abs < 10 ? 2 : 1);
}

/** Prints figures as one table: name, value, unit, goal, met, min, max, runs, load (and cpu ms when any has it). */
export function printTable(figures: readonly Figure[], log: (line: string) => void = console.log): void {
  const cpu = figures.some((f) => f.cpuMs !== undefined);
  const head = ["figure", "value", "unit", "goal", "met", "min", "max", "runs", "load", ...(cpu ? ["cpu ms"] : [])];
  const rows = figures.map((f) => [
    f.name,
    format(f.value),
    f.unit,
    f.goal,
    f.met === null ? "" : f.met ? "yes" : "NO",
    format(f.min),
    format(f.max),
    f.runs === undefined ? "" : String(f.runs),
    f.load === undefined ? "" : f.load.toFixed(1),
    ...(cpu ? [format(f.cpuMs)] : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const left = new Set([0, 2, 3]);
  for (const row of [head, ...rows]) {
    log(row.map((cell, i) => (left.has(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  "));
  }
}

/** Writes figures as JSON to `out` (its folder made first). */
export async function writeFigures(out: string, figures: readonly Figure[]): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(figures, null, 2)}\n`);
}

/** Prints and writes a script's figures, with notes below the table. */
export async function report(args: BenchArgs, figures: readonly Figure[], notes: readonly string[] = []) {
  printTable(figures);
  for (const note of notes) {
    console.log(note);
  }
  await writeFigures(args.out, figures);
  console.log(`wrote ${figures.length} figures to ${args.out}`);
}

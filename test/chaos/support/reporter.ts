// Writes the chaos run's figures into RELIABILITY.md: the block of the run's mode (CI or full) is replaced, the rest
// of the file (the hand-written part) is kept. Only a whole, unfiltered run writes.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Reporter, TestCase, TestModule, Vitest } from "vitest/node";
import type { ChaosFigures } from "./figures.js";

const ROOT = join(import.meta.dirname, "../../..");
const TARGET = join(ROOT, "RELIABILITY.md");
const CHAOS_DIR = join(ROOT, "test/chaos");

interface Row {
  check: string;
  state: string;
  ms: number;
  figures: ChaosFigures | undefined;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const figuresText = (f: ChaosFigures | undefined) =>
  f
    ? Object.entries(f.counts)
        .map(([k, v]) => `${k}: ${v.toLocaleString("en-US")}`)
        .join("; ")
    : "";

function rowsOf(modules: readonly TestModule[]): Row[] {
  const rows: Row[] = [];
  for (const module of modules) {
    for (const test of module.children.allTests() as Iterable<TestCase>) {
      const state = test.result().state;
      rows.push({
        check: test.name,
        // A `test.fails` states a known open defect: it "passes" while the defect is there.
        state: test.options.fails && state === "passed" ? "known open" : state,
        ms: test.diagnostic()?.duration ?? 0,
        figures: test.meta().chaos,
      });
    }
  }
  return rows;
}

/** A Markdown table with its columns padded to their widest cell, as the formatter (Biome) lays tables out. */
function render(rows: readonly string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(3, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 3)).join(" | ")} |`;
  return [line(rows[0] ?? []), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)].join("\n");
}

/** The generated block of one mode. */
export function renderBlock(mode: "ci" | "full", rows: readonly Row[], wallMs: number): string {
  const held = rows.filter((r) => r.state === "passed").length;
  const command = mode === "full" ? "CHAOS_FULL=1 npm run test:chaos" : "npm run test:chaos";
  const seed = process.env.CHAOS_SEED ?? "20250917 (default)";
  const lines = [
    `### ${mode === "full" ? "Full run" : "CI run"} (\`${command}\`)`,
    "",
    `Last run ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, base seed ${seed}: ` +
      `${held} of ${rows.length} checks held, ${Math.round(wallMs / 1000)} s in all.`,
    "",
  ];
  const sorted = [...rows].sort((a, b) => (a.figures?.section ?? "").localeCompare(b.figures?.section ?? ""));
  const table = [["Section", "Check", "Result", "Figures", "Time"]];
  for (const r of sorted) {
    const result = r.state === "passed" ? "held" : r.state === "known open" ? "known open" : r.state.toUpperCase();
    const time = `${(r.ms / 1000).toFixed(1)} s`;
    table.push([cell(r.figures?.section ?? ""), cell(r.check), result, cell(figuresText(r.figures)), time]);
  }
  lines.push(render(table));
  const notes = sorted.filter((r) => r.figures?.notes?.length);
  if (notes.length > 0) {
    lines.push("", "Covered:", "");
    for (const r of notes) {
      lines.push(`- ${r.figures?.section}: ${[...(r.figures?.notes ?? [])].sort().join(", ")}`);
    }
  }
  return lines.join("\n");
}

/** Replaces the block between a mode's markers (adding it at the end when missing). */
export function replaceBlock(text: string, mode: "ci" | "full", block: string): string {
  const begin = `<!-- chaos:${mode}:begin -->`;
  const end = `<!-- chaos:${mode}:end -->`;
  const wrapped = `${begin}\n${block}\n${end}`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    return `${text.trimEnd()}\n\n${wrapped}\n`;
  }
  return `${text.slice(0, from)}${wrapped}${text.slice(to + end.length)}`;
}

/** The chaos suite's reporter: figures into RELIABILITY.md after a whole run. */
export class ChaosReporter implements Reporter {
  #vitest: Vitest | undefined;
  #started = 0;

  onInit(vitest: Vitest): void {
    this.#vitest = vitest;
    this.#started = performance.now();
  }

  onTestRunEnd(modules: readonly TestModule[]): void {
    const files = readdirSync(CHAOS_DIR).filter((f) => f.endsWith(".chaos.ts"));
    const ran = new Set(modules.map((m) => basename(m.moduleId)));
    const whole = files.every((f) => ran.has(f)) && !this.#vitest?.config.testNamePattern;
    if (!whole || process.env.CHAOS_REPLAY !== undefined || !existsSync(TARGET)) {
      return;
    }
    const mode = process.env.CHAOS_FULL === "1" ? "full" : "ci";
    const block = renderBlock(mode, rowsOf(modules), performance.now() - this.#started);
    writeFileSync(TARGET, replaceBlock(readFileSync(TARGET, "utf8"), mode, block));
  }
}

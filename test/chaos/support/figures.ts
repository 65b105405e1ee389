// Figures a chaos test attaches to itself; the chaos reporter gathers them into RELIABILITY.md.
import type { TestContext } from "vitest";

/** What one chaos test reports: counts by name, and notes (fault kinds covered, defects met). */
export interface ChaosFigures {
  /** The section of RELIABILITY.md it belongs to. */
  section: string;
  /** Counts, such as trials, seeds, requests or inputs. */
  counts: Record<string, number>;
  /** Short facts worth listing, such as the fault kinds applied. */
  notes?: string[];
}

declare module "vitest" {
  interface TaskMeta {
    /** The test's chaos figures. */
    chaos?: ChaosFigures;
  }
}

/** Attaches a test's figures (the last call wins), so they reach the reporter even when the test fails later. */
export function report(context: TestContext, figures: ChaosFigures): void {
  context.task.meta.chaos = figures;
}

/** Counts that grow as a test runs, attached to the test after each change. */
export function liveFigures(context: TestContext, section: string, notes: string[] = []) {
  const counts: Record<string, number> = {};
  const publish = () => report(context, { section, counts: { ...counts }, notes: [...notes] });
  return {
    counts,
    notes,
    add(name: string, by = 1) {
      counts[name] = (counts[name] ?? 0) + by;
      publish();
    },
    set(name: string, value: number) {
      counts[name] = value;
      publish();
    },
    note(text: string) {
      if (!notes.includes(text)) {
        notes.push(text);
      }
      publish();
    },
  };
}

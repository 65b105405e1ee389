// Import cycles among files, type-only references included: Tarjan's strongly connected components, each
// reported with one concrete cycle through it.
import type { ModuleRef } from "./module-refs.js";

type Edges = ReadonlyMap<string, readonly ModuleRef[]>;

const targetOf = (ref: ModuleRef): string | undefined => (ref.target.kind === "file" ? ref.target.path : undefined);

/** Groups files into strongly connected components (Tarjan); a component of two or more files is a cycle. */
export function stronglyConnected(files: readonly string[], edges: Edges): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of (edges.get(v) ?? []).map(targetOf)) {
      if (w !== undefined && !index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (w !== undefined && onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
        onStack.delete(w);
        component.push(w);
      }
      components.push(component.sort());
    }
  };
  for (const file of files) {
    if (!index.has(file)) {
      connect(file);
    }
  }
  return components;
}

/** The shortest chain of references from `start` back to itself inside one component. */
export function cycleThrough(start: string, component: ReadonlySet<string>, edges: Edges): ModuleRef[] {
  const via = new Map<string, ModuleRef>();
  const queue = [start];
  for (const file of queue) {
    for (const ref of edges.get(file) ?? []) {
      const to = targetOf(ref);
      if (to === start) {
        const chain = [ref];
        for (let back = via.get(file); back !== undefined; back = via.get(back.file)) {
          chain.unshift(back);
        }
        return chain;
      }
      if (to !== undefined && component.has(to) && !via.has(to)) {
        via.set(to, ref);
        queue.push(to);
      }
    }
  }
  return [];
}

const isKnown = (component: readonly string[], known: readonly (readonly string[])[]): boolean =>
  known.some((k) => k.length === component.length && [...k].sort().every((f, i) => f === component[i]));

/** Reports every import cycle but the known ones, naming its files and the references that close it. */
export function importCycles(
  files: readonly string[],
  refs: readonly ModuleRef[],
  known: readonly (readonly string[])[],
) {
  const edges = new Map<string, ModuleRef[]>();
  for (const ref of refs) {
    edges.set(ref.file, [...(edges.get(ref.file) ?? []), ref]);
  }
  return stronglyConnected(files, edges)
    .filter((c) => !isKnown(c, known))
    .flatMap((component) => {
      const [start] = component;
      const chain = start === undefined ? [] : cycleThrough(start, new Set(component), edges);
      const [first] = chain;
      if (start === undefined || first === undefined) {
        return []; // a lone file that does not import itself
      }
      const steps = chain.map((r) => `${r.file}:${r.line} "${r.specifier}"`).join(" → ");
      const message = `import cycle among ${component.join(", ")}: ${steps} → ${start}`;
      return [{ rule: "cycle" as const, file: start, specifier: first.specifier, message }];
    });
}

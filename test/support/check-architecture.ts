// Checks an in-memory src/ tree against layer-rules.ts: every file classified, every reference allowed,
// no import cycle. Pure, so tests can plant violations without touching the disk.
import { importCycles } from "./import-cycles.js";
import { COMPUTED_IMPORTS, KNOWN_CYCLES, LAYERS, type Layer, OUTSIDE_SDK, PACKAGES } from "./layer-rules.js";
import { type ModuleRef, moduleRefs } from "./module-refs.js";

/** Which rule a violation breaks. */
export type Rule =
  | "unclassified"
  | "ambiguous"
  | "unresolved"
  | "outside-sdk"
  | "layer"
  | "type-only"
  | "package"
  | "cycle";

/** One broken rule, with the importing file and the specifier as written. */
export interface Violation {
  rule: Rule;
  file: string;
  specifier: string;
  message: string;
}

const matches = (pattern: string, file: string): boolean =>
  pattern.endsWith("/**") ? file.startsWith(pattern.slice(0, -2)) : file === pattern;

const layersOf = (file: string): Layer[] => LAYERS.filter((l) => l.files.some((p) => matches(p, file)));

const where = (ref: ModuleRef): string => `${ref.file}:${ref.line} ${ref.syntax} "${ref.specifier}"`;

function checkFileRef(ref: ModuleRef, path: string): Omit<Violation, "file" | "specifier"> | undefined {
  const [from] = layersOf(ref.file);
  const [to] = layersOf(path);
  if (from === undefined || to === undefined || from === to) {
    return undefined; // unclassified files are reported once, on their own
  }
  if (!OUTSIDE_SDK.includes(from.name) && OUTSIDE_SDK.includes(to.name)) {
    const message = `${where(ref)}: the SDK never imports ${OUTSIDE_SDK.join(" or ")} (${path})`;
    return { rule: "outside-sdk", message };
  }
  const use = from.may[path] ?? from.may[to.name];
  if (use === undefined) {
    const message = `${where(ref)}: layer "${from.name}" may not import layer "${to.name}" (${path}); ${from.why}`;
    return { rule: "layer", message };
  }
  if (use === "type" && !ref.typeOnly) {
    const message = `${where(ref)}: layer "${from.name}" may import layer "${to.name}" (${path}) only with \`import type\`; ${from.why}`;
    return { rule: "type-only", message };
  }
  return undefined;
}

function checkPackage(ref: ModuleRef, name: string): Omit<Violation, "file" | "specifier"> | undefined {
  for (const rule of PACKAGES.filter((r) => r.name === name)) {
    if (rule.only && !rule.only.some((p) => matches(p, ref.file))) {
      const allowed = rule.only.length > 0 ? `only from ${rule.only.join(", ")}` : "nowhere";
      return { rule: "package", message: `${where(ref)}: package "${name}" may be imported ${allowed}` };
    }
    if (rule.never?.some((p) => matches(p, ref.file))) {
      return { rule: "package", message: `${where(ref)}: package "${name}" must not be imported here` };
    }
  }
  return undefined;
}

function checkRef(ref: ModuleRef): Violation | undefined {
  const { target } = ref;
  const found =
    target.kind === "file"
      ? checkFileRef(ref, target.path)
      : target.kind === "package"
        ? checkPackage(ref, target.name)
        : target.kind === "unresolved" && !(ref.computed && ref.file in COMPUTED_IMPORTS)
          ? { rule: "unresolved" as const, message: `${where(ref)} resolves to no file of src/ nor any package` }
          : undefined;
  return found && { ...found, file: ref.file, specifier: ref.specifier };
}

function checkClassified(file: string): Violation | undefined {
  const names = layersOf(file).map((l) => l.name);
  if (names.length === 1) {
    return undefined;
  }
  return names.length === 0
    ? { rule: "unclassified", file, specifier: "", message: `${file} matches no layer: add it to LAYERS on purpose` }
    : { rule: "ambiguous", file, specifier: "", message: `${file} matches several layers: ${names.join(", ")}` };
}

/** Checks every file and every module reference of an in-memory tree `{ "src/…ts": text }`. */
export function checkArchitecture(tree: Readonly<Record<string, string>>): Violation[] {
  const refs = moduleRefs(tree);
  return [
    ...Object.keys(tree).map(checkClassified),
    ...refs.map(checkRef),
    ...importCycles(Object.keys(tree), refs, KNOWN_CYCLES),
  ].filter((v): v is Violation => v !== undefined);
}

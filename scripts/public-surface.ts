// Lists every name the package's entry points export, with its kind, as api/public-surface.txt records it.
// `npm run api:update` rewrites that file; test/public-surface.test.ts compares it with the source.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Where the recorded surface lives. */
export const SURFACE_FILE = join(ROOT, "api/public-surface.txt");

// Each public import path and the file behind it.
const ENTRIES: Readonly<Record<string, string>> = {
  "sangfor-scp-sdk": "src/index.ts",
  "sangfor-scp-sdk/simulator": "src/simulator/index.ts",
};

const KINDS: readonly [ts.SymbolFlags, string][] = [
  [ts.SymbolFlags.Class, "class"],
  [ts.SymbolFlags.Function, "function"],
  [ts.SymbolFlags.Enum, "enum"],
  [ts.SymbolFlags.Variable, "const"],
  [ts.SymbolFlags.Module, "namespace"],
  [ts.SymbolFlags.Interface, "interface"],
  [ts.SymbolFlags.TypeAlias, "type"],
];
const VALUE_KINDS = new Set(["class", "function", "enum", "const", "namespace"]);

// True when some `export type` / `import type` on the way erases the value: users get its type only.
// (A value reached through `export type *` is not detected: its symbol carries no alias to inspect.)
function isTypeOnly(checker: ts.TypeChecker, exported: ts.Symbol): boolean {
  for (let s: ts.Symbol | undefined = exported; s && s.flags & ts.SymbolFlags.Alias; ) {
    if (s.declarations?.some(ts.isTypeOnlyImportOrExportDeclaration)) {
      return true;
    }
    s = checker.getImmediateAliasedSymbol(s);
  }
  return false;
}

function kindsOf(checker: ts.TypeChecker, exported: ts.Symbol): string[] {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const isLet = symbol.declarations?.some(
    (d) => ts.isVariableDeclaration(d) && !(ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const),
  );
  const typeOnly = isTypeOnly(checker, exported);
  return KINDS.filter(([flag]) => symbol.flags & flag)
    .map(([, kind]) => (kind === "const" && isLet ? "let" : kind))
    .map((kind) => (typeOnly && VALUE_KINDS.has(kind) ? `type-only-${kind}` : kind));
}

/** The public surface as sorted lines `<entry> <kind> <name>`, from a program over the project's tsconfig. */
export function publicSurface(): string[] {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.json"), {}, host);
  if (!config) {
    throw new Error("cannot read tsconfig.json");
  }
  const files = Object.values(ENTRIES).map((f) => join(ROOT, f));
  const program = ts.createProgram({ rootNames: files, options: config.options });
  const checker = program.getTypeChecker();
  const lines = Object.entries(ENTRIES).flatMap(([entry, file]) => {
    const source = program.getSourceFile(join(ROOT, file));
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) {
      throw new Error(`${file} is not a module`);
    }
    return checker.getExportsOfModule(module).flatMap((s) => kindsOf(checker, s).map((k) => [entry, k, s.name]));
  });
  // By entry, then name regardless of case, so a value and its same-named type sit together.
  const key = ([entry, kind, name]: string[]) => `${entry} ${name?.toLowerCase()} ${name} ${kind}`;
  return lines.sort((a, b) => (key(a) < key(b) ? -1 : 1)).map((parts) => parts.join(" "));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SURFACE_FILE, `${publicSurface().join("\n")}\n`);
  console.log(`wrote ${SURFACE_FILE}`);
}

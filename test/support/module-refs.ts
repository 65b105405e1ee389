// Every module reference a source file makes, found with the TypeScript parser (no type-checker), resolved to
// a file of the in-memory tree, a package or a Node.js builtin.
import { isBuiltin } from "node:module";
import { posix } from "node:path";
import ts from "typescript";

/** The syntax a reference was written in. */
export type RefSyntax = "import" | "export-from" | "import-equals" | "import()" | "import-type" | "require()";

/** What a specifier resolves to. */
export type RefTarget =
  | { kind: "file"; path: string }
  | { kind: "package"; name: string }
  | { kind: "builtin"; name: string }
  | { kind: "unresolved" };

/** One module reference of one file. */
export interface ModuleRef {
  file: string;
  specifier: string;
  line: number;
  syntax: RefSyntax;
  /** True when nothing of it is left at runtime (`import type`, `export type`, `import("…")` in a type). */
  typeOnly: boolean;
  /** True for `import(expression)`: the specifier is its source text and resolves to nothing. */
  computed?: true;
  target: RefTarget;
}

// The package's own name, which tsconfig `paths` maps onto its entry files.
const SELF_REFERENCES: Readonly<Record<string, string>> = {
  "sangfor-scp-sdk": "src/index.ts",
  "sangfor-scp-sdk/simulator": "src/simulator/index.ts",
};

// What a runtime extension in a specifier may be written as in source.
const SOURCE_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  ".js": [".ts", ".tsx", ".d.ts"],
  ".mjs": [".mts", ".d.mts"],
  ".cjs": [".cts", ".d.cts"],
};

type Raw = Omit<ModuleRef, "file" | "target">;

function literalText(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

// One node's reference, if it is one. A computed `import(x)` keeps its source text and resolves to nothing.
function refOf(node: ts.Node, source: ts.SourceFile): Omit<Raw, "line"> | undefined {
  if (ts.isImportDeclaration(node)) {
    // `import { type A }` still loads the module under verbatimModuleSyntax, so only `import type` is erased.
    const typeOnly = node.importClause?.isTypeOnly ?? false;
    return { specifier: literalText(node.moduleSpecifier) ?? "", syntax: "import", typeOnly };
  }
  if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
    return { specifier: literalText(node.moduleSpecifier) ?? "", syntax: "export-from", typeOnly: node.isTypeOnly };
  }
  if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
    const specifier = literalText(node.moduleReference.expression) ?? "";
    return { specifier, syntax: "import-equals", typeOnly: node.isTypeOnly };
  }
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
    return { specifier: literalText(node.argument.literal) ?? "", syntax: "import-type", typeOnly: true };
  }
  if (ts.isCallExpression(node)) {
    const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
    const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
    const argument = node.arguments[0];
    if ((isImport || isRequire) && argument) {
      const syntax = isImport ? "import()" : "require()";
      const specifier = literalText(argument);
      return specifier !== undefined
        ? { specifier, syntax, typeOnly: false }
        : { specifier: argument.getText(source), syntax, typeOnly: false, computed: true };
    }
  }
  return undefined;
}

/** Lists every module reference in one file's text, in source order, unresolved. */
export function collectRefs(file: string, text: string): Raw[] {
  // JSDoc cannot hold a module reference in a .ts file; skipping it halves the time on the generated schema.
  const options = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };
  const source = ts.createSourceFile(file, text, options, false, ts.ScriptKind.TS);
  const refs: Raw[] = [];
  const visit = (node: ts.Node): void => {
    const ref = refOf(node, source);
    if (ref) {
      refs.push({ ...ref, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/** Resolves a specifier written in `from` against the tree's file names. */
export function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): RefTarget {
  const self = SELF_REFERENCES[specifier];
  if (self !== undefined) {
    return { kind: "file", path: self };
  }
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    const path = posix.normalize(posix.join(posix.dirname(from), specifier));
    const extension = posix.extname(path);
    const stem = path.slice(0, path.length - extension.length);
    const candidates = SOURCE_EXTENSIONS[extension]?.map((e) => stem + e) ?? [path];
    const found = candidates.find((c) => files.has(c));
    return found === undefined ? { kind: "unresolved" } : { kind: "file", path: found };
  }
  if (isBuiltin(specifier)) {
    return { kind: "builtin", name: specifier };
  }
  if (!/^(@[\w.-]+\/)?[\w.-]+(\/.*)?$/.test(specifier)) {
    return { kind: "unresolved" };
  }
  const parts = specifier.split("/");
  return { kind: "package", name: specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string) };
}

// Parsing the large generated files dominates; the self-tests re-check the same texts many times.
const parsed = new Map<string, { text: string; refs: Raw[] }>();

/** Collects and resolves every reference of every file in an in-memory tree (`{ "src/…ts": text }`). */
export function moduleRefs(tree: Readonly<Record<string, string>>): ModuleRef[] {
  const files = new Set(Object.keys(tree));
  return Object.entries(tree).flatMap(([file, text]) => {
    let entry = parsed.get(file);
    if (entry?.text !== text) {
      entry = { text, refs: collectRefs(file, text) };
      parsed.set(file, entry);
    }
    return entry.refs.map((ref) => {
      const target: RefTarget = ref.computed ? { kind: "unresolved" } : resolveSpecifier(file, ref.specifier, files);
      return { ...ref, file, target };
    });
  });
}

// The layering rules of test/support/layer-rules.ts, checked on every module reference of src/, and a
// self-test that plants violations in a copy of the tree so the check cannot quietly go blind.
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { checkArchitecture, type Rule } from "./support/check-architecture.js";
import { collectRefs, resolveSpecifier } from "./support/module-refs.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function readTree(): Promise<Record<string, string>> {
  const entries = await readdir(join(ROOT, "src"), { withFileTypes: true, recursive: true });
  const files = entries
    .filter((e) => e.isFile() && /\.[cm]?tsx?$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
  return Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(join(ROOT, f), "utf8")])));
}

const tree = await readTree();

test("every file of src/ sits in one layer and imports only what its layer may, without cycles", () => {
  expect(checkArchitecture(tree).map((v) => v.message)).toEqual([]);
});

test("every way of referring to a module is collected, with whether it is left at runtime", () => {
  const text = [
    `import a from "./a.js";`,
    `import type { B } from "./b.js";`,
    `import { type C } from "./c.js";`,
    `import "./d.js";`,
    `export { e } from "./e.js";`,
    `export type * from "./f.js";`,
    `import g = require("./g.js");`,
    `const h = () => import("./h.js");`,
    `type I = import("./i.js").I;`,
    `function j(x: typeof import("./j.js")) { return require("./k.js"); }`,
  ].join("\n");
  expect(collectRefs("src/x.ts", text).map((r) => `${r.line} ${r.syntax} ${r.specifier} ${r.typeOnly}`)).toEqual([
    "1 import ./a.js false",
    "2 import ./b.js true",
    "3 import ./c.js false", // verbatimModuleSyntax keeps `import {} from "./c.js"`
    "4 import ./d.js false",
    "5 export-from ./e.js false",
    "6 export-from ./f.js true",
    "7 import-equals ./g.js false",
    "8 import() ./h.js false",
    "9 import-type ./i.js true",
    "10 import-type ./j.js true",
    "10 require() ./k.js false",
  ]);
});

test("specifiers resolve to source files, package names and builtins", () => {
  const files = new Set(["src/a/b.ts", "src/index.ts"]);
  const resolve = (specifier: string) => resolveSpecifier("src/a/c.ts", specifier, files);
  expect(resolve("./b.js")).toEqual({ kind: "file", path: "src/a/b.ts" });
  expect(resolve("../index.js")).toEqual({ kind: "file", path: "src/index.ts" });
  expect(resolve("./missing.js")).toEqual({ kind: "unresolved" });
  expect(resolve("../a")).toEqual({ kind: "unresolved" }); // directories are not used
  expect(resolve("zod/mini")).toEqual({ kind: "package", name: "zod" });
  expect(resolve("@opentelemetry/api/build")).toEqual({ kind: "package", name: "@opentelemetry/api" });
  expect(resolve("node:fs/promises")).toEqual({ kind: "builtin", name: "node:fs/promises" });
  expect(resolve("sangfor-scp-sdk")).toEqual({ kind: "file", path: "src/index.ts" });
});

interface Planted {
  name: string;
  file: string;
  line: string;
  rule: Rule;
  /** The specifier as reported, when the line has no string literal. */
  specifier?: string;
  /** Also expect a cycle through `file`. */
  cycle?: true;
}

const PLANTED: Planted[] = [
  {
    name: "a transport file imports the simulator",
    file: "src/transport/call-context.ts",
    line: `import { createScpSimulator } from "../simulator/index.js";`,
    rule: "outside-sdk",
  },
  {
    name: "errors.ts imports with-retry, closing a cycle",
    file: "src/errors/base.ts",
    line: `import { withRetry } from "../transport/with-retry.js";`,
    rule: "layer",
    cycle: true,
  },
  {
    name: "the client imports a workflow",
    file: "src/client.ts",
    line: `import { deployBackupProxyFleet } from "./workflows/deploy-backup-proxy-fleet.js";`,
    rule: "layer",
    cycle: true,
  },
  {
    name: "a resource import()s a workflow",
    file: "src/resources/servers.ts",
    line: `export const loadMarker = () => import("../workflows/marker.js");`,
    rule: "layer",
  },
  {
    name: "transport names a resource type through import(), closing a type-only cycle",
    file: "src/transport/unwrap.ts",
    line: `export type Planted = import("../resources/servers.js").Servers;`,
    rule: "layer",
    cycle: true,
  },
  { name: "a file in a new, unclassified folder", file: "src/plugins/audit.ts", line: "", rule: "unclassified" },
  {
    name: "a workflow imports the client's value",
    file: "src/workflows/marker.ts",
    line: `import { type ScpClient } from "../client.js";`,
    rule: "type-only",
  },
  {
    name: "a workflow names a generated type instead of a src/types.ts alias",
    file: "src/workflows/marker.ts",
    line: `import type { components } from "../generated/schema.js";`,
    rule: "layer",
  },
  {
    name: "errors.ts imports a generated value",
    file: "src/errors/base.ts",
    line: `import { taskStatusValues } from "../generated/schema.js";`,
    rule: "type-only",
  },
  {
    name: "errors.ts imports zod/mini",
    file: "src/errors/base.ts",
    line: `import { z } from "zod/mini";`,
    rule: "package",
  },
  {
    name: "a resource requires undici",
    file: "src/resources/servers.ts",
    line: `import undici = require("undici");`,
    rule: "package",
  },
  {
    name: "transport re-exports the package's own entry",
    file: "src/transport/call-context.ts",
    line: `export type * from "sangfor-scp-sdk";`,
    rule: "layer",
    cycle: true,
  },
  {
    name: "the CLI reaches past the simulator's entry",
    file: "src/cli/login.ts",
    line: `import { createWorld } from "../simulator/world.js";`,
    rule: "layer",
  },
  {
    name: "a computed import()",
    file: "src/resources/servers.ts",
    line: "export const load = (name: string) => import(name);",
    rule: "unresolved",
    specifier: "name",
  },
];

test.each(PLANTED)("a planted violation is reported: $name", (planted) => {
  const { file, line, rule, cycle } = planted;
  const found = checkArchitecture({ ...tree, [file]: `${line}\n${tree[file] ?? ""}` });
  const specifier = planted.specifier ?? /"([^"]+)"/.exec(line)?.[1] ?? "";
  expect(found).toContainEqual(expect.objectContaining({ rule, file, specifier }));
  expect(found.filter((v) => v.rule === "cycle").some((v) => v.message.includes(`${file}:1 `))).toBe(cycle ?? false);
  expect(found.filter((v) => v.rule !== "cycle").map((v) => v.file)).toEqual([file]);
});

// The layering rules of ../shared/design/architecture.md, checked on every import line of src/.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { expect, test } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

interface Import {
  file: string;
  target: string;
  typeOnly: boolean;
}

async function imports(): Promise<Import[]> {
  const out: Import[] = [];
  for (const file of await sources("src")) {
    const text = await readFile(join(ROOT, file), "utf8");
    for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gms)) {
      const spec = match[2] as string;
      const target = spec.startsWith(".") ? relative(ROOT, join(ROOT, file, "..", spec)).replace(/\.js$/, ".ts") : spec;
      out.push({ file, target, typeOnly: match[1] !== undefined });
    }
  }
  return out;
}

const all = await imports();
const from = (prefix: string) => all.filter((i) => i.file.startsWith(prefix));

test("only src/transport/http-client.ts imports openapi-fetch, only with-retry.ts imports p-retry", () => {
  expect(all.filter((i) => i.target === "openapi-fetch").map((i) => i.file)).toEqual(["src/transport/http-client.ts"]);
  expect(all.filter((i) => i.target === "p-retry").map((i) => i.file)).toEqual(["src/transport/with-retry.ts"]);
});

test("the simulator shares only the generated code with the SDK", () => {
  const reaching = from("src/simulator/").filter(
    (i) =>
      i.target.startsWith("src/") && !i.target.startsWith("src/simulator/") && !i.target.startsWith("src/generated/"),
  );
  expect(reaching).toEqual([]);
});

test("workflows use the public client surface: no transport, no generated code, resource types only", () => {
  const bad = from("src/workflows/").filter(
    (i) =>
      i.target.startsWith("src/transport/") ||
      i.target.startsWith("src/generated/") ||
      (i.target.startsWith("src/resources/") && !i.typeOnly),
  );
  expect(bad).toEqual([]);
});

test("no layer imports a layer above it", () => {
  const order = ["src/generated/", "src/transport/", "src/resources/", "src/tasks/", "src/workflows/"];
  const rank = (path: string) => order.findIndex((p) => path.startsWith(p));
  const upward = all.filter(
    (i) =>
      rank(i.file) >= 0 &&
      rank(i.target) > rank(i.file) &&
      !(i.file.startsWith("src/resources/") && i.target.startsWith("src/tasks/")),
  );
  expect(upward).toEqual([]);
  expect(from("src/generated/").filter((i) => i.target.startsWith("src/"))).toEqual([]);
});

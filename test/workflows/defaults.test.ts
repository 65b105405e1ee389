// Every `@defaultValue` of a workflow or wait option names the value WORKFLOW_DEFAULTS holds for it.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { WORKFLOW_DEFAULTS } from "../../src/index.js";

const SRC = new URL("../../src/", import.meta.url).pathname;

/** `[file, option, documented default]` for every documented option of the workflow and task files. */
async function documentedDefaults(): Promise<[string, string, string][]> {
  const found: [string, string, string][] = [];
  for (const dir of ["workflows", "tasks"]) {
    for (const name of await readdir(join(SRC, dir))) {
      const text = await readFile(join(SRC, dir, name), "utf8");
      for (const m of text.matchAll(/@defaultValue ([^\n]*?) \*\/\n\s+(\w+)\?:/g)) {
        found.push([`${dir}/${name}`, m[2] as string, m[1] as string]);
      }
    }
  }
  return found;
}

/** The literal a default's text ends with: `250`, `true`, `"l2664"`, or the part after "or" in `x, or 4`. */
function literal(text: string): unknown {
  const m = /(?:^|\bor )(-?[\d_]+|true|false|"[^"]*")$/.exec(text);
  return m ? JSON.parse((m[1] as string).replace(/_/g, "")) : undefined;
}

test("every documented default of a workflow option is the one in WORKFLOW_DEFAULTS", async () => {
  const docs = await documentedDefaults();
  const table = WORKFLOW_DEFAULTS as Readonly<Record<string, unknown>>;
  const checked = docs.filter(([, option]) => option in table);
  expect(checked.length).toBeGreaterThanOrEqual(15);
  for (const [file, option, text] of checked) {
    expect({ file, option, value: literal(text) }).toEqual({ file, option, value: table[option] });
  }
  expect(Object.isFrozen(WORKFLOW_DEFAULTS)).toBe(true);
});

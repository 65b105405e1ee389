// The names the package exports are recorded in api/public-surface.txt, so any change to them shows up as a
// deliberate diff in review.
import { readFile } from "node:fs/promises";
import { expect, test } from "vitest";
import { publicSurface, SURFACE_FILE } from "../scripts/public-surface.js";

test("the exports of both entry points match api/public-surface.txt", async () => {
  const recorded = (await readFile(SURFACE_FILE, "utf8").catch(() => "")).split("\n").filter(Boolean);
  const actual = publicSurface();
  const diff = [
    ...recorded.filter((line) => !actual.includes(line)).map((line) => `- ${line}`),
    ...actual.filter((line) => !recorded.includes(line)).map((line) => `+ ${line}`),
  ];
  const hint = "the public surface changed; if that is deliberate, run `npm run api:update` and commit the file";
  expect(diff, hint).toEqual([]);
  expect(actual, "api/public-surface.txt is not in the order `npm run api:update` writes").toEqual(recorded);
});

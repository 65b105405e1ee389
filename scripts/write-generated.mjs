// Writes a generated file, or with `--check` on the command line exits 1 when the file on disk differs: the one
// place the generators decide between writing and checking.
import { readFileSync, writeFileSync } from "node:fs";

/** Writes `text` to `path`, or checks it is already there when the script runs with `--check`. */
export function writeGenerated(path, text, what = path) {
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(path, "utf8");
    } catch {}
    if (current !== text) {
      console.error(`${what} is stale: run npm run generate`);
      process.exit(1);
    }
    console.log(`${what} is up to date`);
  } else if (readFileSync(path, { encoding: "utf8", flag: "a+" }) !== text) {
    writeFileSync(path, text);
    console.log(`wrote ${what}`);
  }
}

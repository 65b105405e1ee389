import { readFile } from "node:fs/promises";
import { parse, YAMLParseError } from "yaml";
import { type DeployBackupProxyFleetInput, validateBackupProxyFleetInput } from "../../index.js";
import { CliInputError } from "./exit-codes.js";

/**
 * Reads a fleet spec, YAML or JSON (YAML parses both), and checks it with the API's own rules before anything
 * connects; the caller re-words the issues under the file's name.
 */
export async function readSpec(path: string): Promise<DeployBackupProxyFleetInput> {
  return validateBackupProxyFleetInput(await parseSpec(path));
}

/** The spec file's content, syntax checked only. */
async function parseSpec(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new CliInputError([{ path: "(file)", message: `cannot read it (${code})` }], path);
  }
  try {
    return parse(text) as unknown;
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const at = error.linePos?.[0];
      const where = at ? `line ${at.line}, column ${at.col}` : "(syntax)";
      // The message repeats the position and quotes the lines; the first sentence is the problem.
      const message = error.message.split(/ at line \d+, column \d+:/)[0] ?? error.message;
      throw new CliInputError([{ path: where, message }], path);
    }
    throw error;
  }
}

/** A fleet named on the command line: by its id, or by a spec file (whose `fleetId` names it). */
export async function fleetOf(ref: string): Promise<{ fleetId: string; spec?: DeployBackupProxyFleetInput }> {
  // A fleet id has no dot or slash (lower-case letters, digits, dashes); a file path given there has one.
  if (!/[./\\]/.test(ref)) {
    return { fleetId: ref };
  }
  const spec = await readSpec(ref);
  return { fleetId: spec.fleetId, spec };
}

import { spawn } from "node:child_process";

/** Runs a command to its end and returns what it wrote to stdout; a non-zero exit throws `what`, the code and stderr. */
export async function runChild(command: string, args: readonly string[], what: string): Promise<string> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk;
  });
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) {
    throw new Error(`${what} failed with ${code}: ${err.trim()}`);
  }
  return out;
}

/** Runs a command that reports on its last line of stdout as JSON, and returns that line parsed. */
export async function runChildJson<T>(command: string, args: readonly string[], what: string): Promise<T> {
  const out = await runChild(command, args, what);
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as T;
}

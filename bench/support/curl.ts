// curl as the yardstick for transfers: the same URL, the same simulator, token auth.
import { stat } from "node:fs/promises";
import { runChild } from "./run-child.js";

/** How long curl took (its own `time_total`, which like the SDK's clock leaves out process start-up). */
export interface CurlRun {
  seconds: number;
  bytes: number;
  /** CPU time curl used, user and system, ms (start-up included: a few ms). */
  cpuMs: number;
}

/**
 * Runs curl with these arguments plus `-sS --fail -w …`; returns its timing. curl runs under bash, whose `times`
 * then prints the CPU time its child used.
 */
export async function curl(args: readonly string[]): Promise<CurlRun> {
  const out = await runChild(
    "bash",
    [
      "-c",
      'curl "$@"; code=$?; times; exit $code',
      "curl",
      "-sS",
      "--fail",
      "-w",
      "\\n%{time_total} %{size_download} %{size_upload}\\n",
      ...args,
    ],
    `curl ${args.join(" ")}`,
  );
  // The -w line comes after any body curl was not told to write elsewhere, then bash's own times and its child's.
  const lines = out.trim().split("\n");
  const [seconds, down, up] = (lines.at(-3) ?? "").trim().split(/\s+/).map(Number);
  const [user, system] = (lines.at(-1) ?? "").trim().split(/\s+/).map(shellSeconds);
  return {
    seconds: seconds ?? Number.NaN,
    bytes: Math.max(down ?? 0, up ?? 0),
    cpuMs: ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000,
  };
}

/** Seconds from bash's `times` format (`1m2.345s`, or `1m2,345s` where the locale writes a decimal comma). */
function shellSeconds(text: string): number {
  const match = /^(\d+)m(\d+)(?:[.,](\d+))?s$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(`${match[2]}.${match[3] ?? "0"}`) : Number.NaN;
}

/** Arguments that send the token and trust the simulator's certificate. */
export function curlAuth(caFile: string, token: string): string[] {
  return ["--cacert", caFile, "-H", `Authorization: Token ${token}`];
}

/**
 * curl doing the download's whole work: the body to a file and its SHA-256 as it arrives, as a script does it
 * with standard tools (curl | tee FILE | openssl dgst -sha256; openssl's SHA-256 is the fastest one at hand).
 * Timed from start to the digest, so three process start-ups (a few ms) are in it. Undefined when there is no
 * openssl.
 */
export async function curlHashed(
  args: readonly string[],
  url: string,
  file: string,
): Promise<{ seconds: number; bytes: number } | undefined> {
  if (!(await hasOpenssl())) {
    return undefined;
  }
  const quoted = [...args, url].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  return timedDigest(
    "bash",
    ["-c", `set -o pipefail; curl -sS --fail ${quoted} | tee '${file}' | openssl dgst -sha256 -r`],
    "curl | tee | openssl dgst",
    file,
  );
}

/**
 * `openssl dgst -sha256` of a file, as a script hashes one with standard tools: the same work as the upload's hash
 * pre-pass. Timed from start to the digest (one process start-up). Undefined when there is no openssl.
 */
export async function opensslHash(file: string): Promise<{ seconds: number; bytes: number } | undefined> {
  if (!(await hasOpenssl())) {
    return undefined;
  }
  return timedDigest("openssl", ["dgst", "-sha256", "-r", file], "openssl dgst", file);
}

/** Runs a command that prints `openssl dgst -r`'s line last, timed from start to the digest; `file`'s size. */
async function timedDigest(
  command: string,
  args: readonly string[],
  label: string,
  file: string,
): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  const out = await runChild(command, args, label);
  const seconds = (performance.now() - started) / 1000;
  if (!/^[0-9a-f]{64}/.test(out.trim())) {
    throw new Error(`openssl dgst printed no digest: ${out.trim()}`);
  }
  return { seconds, bytes: (await stat(file)).size };
}

let openssl: Promise<boolean> | undefined;

function hasOpenssl(): Promise<boolean> {
  openssl ??= runChild("openssl", ["version"], "openssl version").then(
    () => true,
    () => false,
  );
  return openssl;
}

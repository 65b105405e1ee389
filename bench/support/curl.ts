// curl as the yardstick for transfers: the same URL, the same simulator, token auth.
import { runChild } from "./run-child.js";

/** How long curl took (its own `time_total`, which like the SDK's clock leaves out process start-up). */
export interface CurlRun {
  seconds: number;
  bytes: number;
}

/** Runs curl with these arguments plus `-sS --fail -w …`; returns its timing. */
export async function curl(args: readonly string[]): Promise<CurlRun> {
  const out = await runChild(
    "curl",
    ["-sS", "--fail", "-w", "%{time_total} %{size_download} %{size_upload}", ...args],
    `curl ${args.join(" ")}`,
  );
  // The -w line comes last, after any body curl was not told to write elsewhere.
  const [seconds, down, up] = out.trim().split(/\s+/).slice(-3).map(Number);
  return { seconds: seconds ?? Number.NaN, bytes: Math.max(down ?? 0, up ?? 0) };
}

/** Arguments that send the token and trust the simulator's certificate. */
export function curlAuth(caFile: string, token: string): string[] {
  return ["--cacert", caFile, "-H", `Authorization: Token ${token}`];
}

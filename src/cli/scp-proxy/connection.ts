import { readFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import type { ScpAuth, ScpClientOptions } from "../../index.js";
import { CliInputError } from "./exit-codes.js";
import { positiveWholeNumber } from "./flags.js";

/** The global flags as commander hands them over (each also read from its environment variable). */
export interface GlobalFlags {
  url?: string;
  accessKey?: string;
  secretKey?: string;
  username?: string;
  password?: string;
  caFile?: string;
  insecure?: boolean;
  timeoutMs?: number;
  json?: boolean;
  color?: boolean;
}

/** The flags that carry secrets, with their environment variables. */
export const SECRET_FLAGS = [
  { flag: "--secret-key", key: "secretKey", env: "SCP_SECRET_KEY" },
  { flag: "--password", key: "password", env: "SCP_PASSWORD" },
] as const;

const PREFER_ENV = "prefer the environment: a flag shows in ps and shell history";

/** Adds the connection and output flags every command shares. */
export function addGlobalFlags(program: Command): void {
  program
    .addOption(new Option("--url <url>", "SCP address, such as https://10.0.0.10").env("SCP_URL"))
    .addOption(new Option("--access-key <key>", "access key (AK/SK signature)").env("SCP_ACCESS_KEY"))
    .addOption(new Option("--secret-key <key>", `secret key; ${PREFER_ENV}`).env("SCP_SECRET_KEY"))
    .addOption(new Option("--username <name>", "user name (password login)").env("SCP_USERNAME"))
    .addOption(new Option("--password <password>", `password; ${PREFER_ENV}`).env("SCP_PASSWORD"))
    .addOption(new Option("--ca-file <path>", "PEM certificate(s) to trust for SCP's HTTPS").env("SCP_CA_FILE"))
    .addOption(new Option("--insecure", "skip certificate verification (env: SCP_INSECURE=1); prefer --ca-file"))
    .addOption(
      new Option("--timeout-ms <ms>", "longest wait for one request's answer, per attempt (default 30000)")
        .env("SCP_TIMEOUT_MS")
        .argParser(positiveWholeNumber),
    )
    .option("--json", "print one JSON document on stdout (results and errors), no progress")
    .option("--no-color", "no colour (also NO_COLOR=1; colour is used only on a terminal)");
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["", "0", "false", "no", "off"]);

function insecure(flags: GlobalFlags, env: NodeJS.ProcessEnv): boolean {
  const value = env.SCP_INSECURE?.trim().toLowerCase();
  if (flags.insecure || value === undefined || FALSE.has(value)) {
    return flags.insecure === true;
  }
  if (TRUE.has(value)) {
    return true;
  }
  throw new CliInputError([{ path: "SCP_INSECURE", message: "must be 1, true, yes or on (or 0, false, no, off)" }]);
}

function auth(flags: GlobalFlags): ScpAuth {
  const { accessKey, secretKey, username, password } = flags;
  if (accessKey !== undefined || secretKey !== undefined) {
    if (accessKey === undefined || secretKey === undefined) {
      const missing = accessKey === undefined ? "--access-key / SCP_ACCESS_KEY" : "--secret-key / SCP_SECRET_KEY";
      throw new CliInputError([{ path: missing, message: "required with the other half of the AK/SK pair" }]);
    }
    return { type: "signature", accessKey, secretKey };
  }
  if (username !== undefined || password !== undefined) {
    if (username === undefined || password === undefined) {
      const missing = username === undefined ? "--username / SCP_USERNAME" : "--password / SCP_PASSWORD";
      throw new CliInputError([{ path: missing, message: "required with the other half of the login" }]);
    }
    return { type: "token", username, password };
  }
  const message = "none given: set SCP_ACCESS_KEY and SCP_SECRET_KEY, or SCP_USERNAME and SCP_PASSWORD";
  throw new CliInputError([{ path: "credentials", message }]);
}

async function caFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new CliInputError([{ path: "--ca-file / SCP_CA_FILE", message: `cannot read ${path} (${code})` }]);
  }
}

/** The client's options from the flags and the environment; refuses (exit 2) what is missing or unreadable. */
export async function clientOptions(flags: GlobalFlags, env: NodeJS.ProcessEnv): Promise<ScpClientOptions> {
  if (flags.url === undefined || flags.url === "") {
    throw new CliInputError([
      { path: "--url / SCP_URL", message: "required: the SCP address, such as https://10.0.0.10" },
    ]);
  }
  const skipVerify = insecure(flags, env);
  const tls = {
    ...(flags.caFile !== undefined ? { ca: await caFile(flags.caFile) } : {}),
    ...(skipVerify ? { insecure: true } : {}),
  };
  const timeout = flags.timeoutMs === undefined ? {} : { timeoutMs: flags.timeoutMs };
  return { baseUrl: flags.url, auth: auth(flags), tls, ...timeout };
}

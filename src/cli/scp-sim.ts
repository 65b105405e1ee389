import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SDK_VERSION } from "../index.js";
import { type StartScpSimulatorOptions, startScpSimulator } from "../simulator/index.js";
import { loginForCurl } from "./login.js";
import { Shutdown } from "./shutdown.js";
import { humanBanner, jsonBanner } from "./sim-banner.js";

const USAGE = `Usage: scp-sim [options]

Starts the SCP simulator over HTTPS (self-signed certificate made at start) and runs until Ctrl-C, SIGTERM, or
until the process that started it (such as \`npm run simulator\`) exits.

Options:
  --port <n>               TCP port, 0 for any free one (default 4430)
  --host <address>         address to listen on (default 127.0.0.1)
  --seed <value>           seed of the inventory and every id (default 42)
  --scp-version <x.y.z>    SCP release to act as (default 6.11.3)
  --task-duration-ms <n>   how long tasks run (default 300)
  --vmtools-delay-ms <n>   time from VM start to vmtools installed (default 1000)
  --pool-count <n>         HCI resource pools in the seeded inventory, 1 to 26 (default 2)
  --backup-lab             seed a backup lab: a running proxy per pool, VMs to back up, VMs each check refuses
  --data-dir <path>        where uploaded images and the CA file go (default: a temporary directory)
  --json                   print the banner as one line of JSON (for scripts), and nothing else on stdout
  --no-parent-watch        keep running when the parent process exits (for a detached start)
  --version                print the version and exit
  -h, --help               show this help`;

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`--${name} must be a whole number >= 0`);
  }
  return parsed;
}

interface Flags {
  options: StartScpSimulatorOptions;
  dataDir: string | undefined;
  json: boolean;
  watchParent: boolean;
}

const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  seed: { type: "string" },
  "scp-version": { type: "string" },
  "task-duration-ms": { type: "string" },
  "vmtools-delay-ms": { type: "string" },
  "pool-count": { type: "string" },
  "backup-lab": { type: "boolean" },
  "data-dir": { type: "string" },
  json: { type: "boolean" },
  "no-parent-watch": { type: "boolean" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function readFlags(argv: readonly string[]): Flags {
  const { values } = parseArgs({ args: [...argv], options: FLAGS });
  if (values.help || values.version) {
    console.log(values.help ? USAGE : SDK_VERSION);
    process.exit(0);
  }
  const entries = {
    port: numberFlag("port", values.port) ?? 4430,
    host: values.host,
    seed: values.seed,
    scpVersion: values["scp-version"],
    taskDurationMs: numberFlag("task-duration-ms", values["task-duration-ms"]),
    vmtoolsDelayMs: numberFlag("vmtools-delay-ms", values["vmtools-delay-ms"]),
    poolCount: numberFlag("pool-count", values["pool-count"]),
    backupLab: values["backup-lab"],
    dataDir: values["data-dir"],
  };
  const options = Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
  return {
    options: options as StartScpSimulatorOptions,
    dataDir: values["data-dir"],
    json: values.json === true,
    watchParent: values["no-parent-watch"] !== true,
  };
}

/** Starts the server, undoing each step on a stop that arrives while starting, then waits for a stop. */
async function serve(flags: Flags, shutdown: Shutdown): Promise<never> {
  const caDir = flags.dataDir ?? (await mkdtemp(join(tmpdir(), "scp-sim-")));
  const caPath = join(caDir, "scp-sim-ca.pem");
  shutdown.add(() =>
    flags.dataDir === undefined ? rm(caDir, { recursive: true, force: true }) : rm(caPath, { force: true }),
  );
  await mkdir(caDir, { recursive: true });
  if (shutdown.stopping) {
    return shutdown.finish();
  }
  const server = await startScpSimulator(flags.options);
  shutdown.add(() => server.close());
  await writeFile(caPath, server.ca);
  const token = shutdown.stopping ? undefined : await loginForCurl(server);
  if (shutdown.stopping || !token) {
    return shutdown.finish();
  }
  const facts = { server, caPath, dataDir: caDir, token, sdkVersion: SDK_VERSION };
  console.log(flags.json ? jsonBanner(facts) : humanBanner(facts));
  const reason = await shutdown.requested;
  // Scripts read stdout for the JSON banner alone; people see why it stops.
  (flags.json ? console.error : console.log)(`\nStopping the simulator (${reason})…`);
  return shutdown.finish();
}

let flags: Flags;
try {
  flags = readFlags(process.argv.slice(2));
} catch (error) {
  console.error(`scp-sim: ${(error as Error).message}`);
  console.error(USAGE);
  process.exit(2);
}
// Before anything is made: a signal from here on stops cleanly and removes what was made.
const shutdown = new Shutdown({ watchParent: flags.watchParent });
serve(flags, shutdown).catch((error: unknown) => {
  console.error(`scp-sim: ${(error as Error).message}`);
  return shutdown.finish(1);
});

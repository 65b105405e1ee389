import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type StartScpSimulatorOptions, startScpSimulator } from "../simulator/index.js";
import { loginForCurl } from "./login.js";

const USAGE = `Usage: scp-sim [options]

Starts the SCP simulator over HTTPS (self-signed certificate made at start) and runs until Ctrl-C.

Options:
  --port <n>               TCP port, 0 for any free one (default 4430)
  --host <address>         address to listen on (default 127.0.0.1)
  --seed <value>           seed of the inventory and every id (default 42)
  --scp-version <x.y.z>    SCP release to act as (default 6.11.3)
  --task-duration-ms <n>   how long tasks run (default 300)
  --vmtools-delay-ms <n>   time from VM start to vmtools installed (default 1000)
  --data-dir <path>        where uploaded images and the CA file go (default: a temporary directory)
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

function readOptions(argv: readonly string[]): { options: StartScpSimulatorOptions; dataDir: string | undefined } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      "scp-version": { type: "string" },
      "task-duration-ms": { type: "string" },
      "vmtools-delay-ms": { type: "string" },
      "data-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const entries = {
    port: numberFlag("port", values.port) ?? 4430,
    host: values.host,
    seed: values.seed,
    scpVersion: values["scp-version"],
    taskDurationMs: numberFlag("task-duration-ms", values["task-duration-ms"]),
    vmtoolsDelayMs: numberFlag("vmtools-delay-ms", values["vmtools-delay-ms"]),
    dataDir: values["data-dir"],
  };
  const options = Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
  return { options: options as StartScpSimulatorOptions, dataDir: values["data-dir"] };
}

async function main(): Promise<void> {
  const { options, dataDir } = readOptions(process.argv.slice(2));
  const caDir = dataDir ?? (await mkdtemp(join(tmpdir(), "scp-sim-")));
  await mkdir(caDir, { recursive: true });
  const server = await startScpSimulator(options);
  const caPath = join(caDir, "scp-sim-ca.pem");
  await writeFile(caPath, server.ca);
  const token = await loginForCurl(server);
  printBanner(server, caPath, token);
  let stopping = false;
  const stop = async () => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log("\nStopping the simulator…");
    await server.close();
    await (dataDir === undefined ? rm(caDir, { recursive: true, force: true }) : rm(caPath, { force: true }));
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

function printBanner(
  server: Awaited<ReturnType<typeof startScpSimulator>>,
  caPath: string,
  token: { id: string; expires: string },
): void {
  const { url, credentials: c } = server;
  const curl = `curl --cacert ${caPath}`;
  console.log(`SCP simulator (acting as SCP ${server.version}) listening on ${url}
CA certificate:    ${caPath}

AK/SK (signature): access key ${c.accessKey}  secret key ${c.secretKey}
Password (token):  user ${c.username}  password ${c.password}
Tenant user:       user ${server.tenantCredentials.username}  password ${server.tenantCredentials.password}
Admin project id:  ${server.adminProjectId}
Pool (az) ids:     ${server.poolIds.join(", ")}
Golden VM id:      ${server.goldenServerId}

Try it (a token from the simulator's own password login, valid until ${token.expires} UTC):
  ${curl} -H 'Authorization: Token ${token.id}' '${url}/janus/20240725/servers?page_size=5'
  ${curl} ${url}/janus/public-key    # log in yourself: RSA-encrypt the password, POST /janus/authenticate
  curl -k ${url}/janus/20180725/system/version -H 'Authorization: Token ${token.id}'

Inject a fault (control endpoint, no auth), inspect the state, clear the faults:
  ${curl} -X POST ${url}/__sim/faults -d '{"match":"POST /janus/20220725/servers","kind":"error","status":503,"retryAfterSec":2,"count":1}'
  ${curl} ${url}/__sim/state
  ${curl} -X DELETE ${url}/__sim/faults

Press Ctrl-C to stop.`);
}

main().catch((error: unknown) => {
  console.error(`scp-sim: ${(error as Error).message}`);
  console.error(USAGE);
  process.exit(2);
});

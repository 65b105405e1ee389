import type { ScpSimulatorServer } from "../simulator/index.js";
import type { CliToken } from "./login.js";

/** What the banner tells: the running server and where its files are. */
export interface BannerFacts {
  readonly server: ScpSimulatorServer;
  readonly caPath: string;
  readonly dataDir: string;
  readonly token: CliToken;
  readonly sdkVersion: string;
}

/**
 * The banner as one JSON document, for scripts: everything the human banner shows, plus the process id (to stop
 * it) and the data directory. The credentials are the simulator's own, made up at start.
 */
export function jsonBanner(facts: BannerFacts): string {
  const { server } = facts;
  return JSON.stringify({
    url: server.url,
    scpVersion: server.version,
    sdkVersion: facts.sdkVersion,
    pid: process.pid,
    caFile: facts.caPath,
    dataDir: facts.dataDir,
    credentials: server.credentials,
    tenantCredentials: server.tenantCredentials,
    token: { id: facts.token.id, expires: facts.token.expires },
    adminProjectId: server.adminProjectId,
    tenantProjectId: server.tenantProjectId,
    poolIds: server.poolIds,
    goldenServerId: server.goldenServerId,
    lab: server.lab ?? null,
  });
}

function labLines(server: ScpSimulatorServer): string {
  const lab = server.lab;
  if (!lab) {
    return "";
  }
  const proxies = Object.values(lab.proxies).join(", ");
  return `Backup lab:        proxies ${proxies}; VMs running ${lab.vms.running}, stopped ${lab.vms.stopped} (--json lists all)\n`;
}

/** The banner for people: address, credentials, ids and curl commands to try. */
export function humanBanner(facts: BannerFacts): string {
  const { server, caPath, token } = facts;
  const { url, credentials: c } = server;
  const curl = `curl --cacert ${caPath}`;
  return `SCP simulator (acting as SCP ${server.version}) listening on ${url}
CA certificate:    ${caPath}

AK/SK (signature): access key ${c.accessKey}  secret key ${c.secretKey}
Password (token):  user ${c.username}  password ${c.password}
Tenant user:       user ${server.tenantCredentials.username}  password ${server.tenantCredentials.password}
Admin project id:  ${server.adminProjectId}
Pool (az) ids:     ${server.poolIds.join(", ")}
Golden VM id:      ${server.goldenServerId}
${labLines(server)}
Try it (a token from the simulator's own password login, valid until ${token.expires} UTC):
  ${curl} -H 'Authorization: Token ${token.id}' '${url}/janus/20240725/servers?page_size=5'
  ${curl} ${url}/janus/public-key    # log in yourself: RSA-encrypt the password, POST /janus/authenticate
  curl -k ${url}/janus/20180725/system/version -H 'Authorization: Token ${token.id}'

Inject a fault (control endpoint, no auth), inspect the state, clear the faults:
  ${curl} -X POST ${url}/__sim/faults -d '{"match":"POST /janus/20220725/servers","kind":"error","status":503,"retryAfterSec":2,"count":1}'
  ${curl} ${url}/__sim/state
  ${curl} -X DELETE ${url}/__sim/faults

Drive it with the operators' CLI (the secret goes in the environment, not on the command line):
  SCP_ACCESS_KEY=${c.accessKey} SCP_SECRET_KEY=${c.secretKey} scp-proxy --url ${url} --ca-file ${caPath} pools

Stops on Ctrl-C, SIGTERM, or when the process that started it exits. Press Ctrl-C to stop.`;
}

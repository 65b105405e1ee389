import { createAgent, type ScpSimulatorDisks, type ScpSimulatorGuest } from "./agent.js";
import { seedBackupLab } from "./backup-lab.js";
import type { ScpSimulatorBackupLab } from "./backup-model.js";
import { CONTROL_PREFIX, handleControl } from "./control.js";
import type { FaultControl } from "./fault-types.js";
import {
  resolveOptions,
  SCP_RELEASE_PATTERN,
  type ScpSimulatorCredentials,
  type ScpSimulatorOptions,
} from "./options.js";
import { handleRequest } from "./pipeline.js";
import { type ScpSimulatorState, snapshot } from "./state.js";
import { World } from "./world.js";

/** A fetch-compatible function served by the simulator in-process. */
export type ScpSimulatorFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** An in-process SCP simulator: one request handler holding all behaviour, plus inspection and control. */
export interface ScpSimulator {
  /** Answers one request as SCP would. A dropped connection is a `Response.error()`. */
  handle(request: Request): Promise<Response>;
  /** `handle` as a fetch function (bound): dropped connections reject like Node's fetch (`ECONNRESET`). */
  readonly fetch: ScpSimulatorFetch;
  /** The administrator's credentials for both auth schemes. */
  readonly credentials: ScpSimulatorCredentials;
  /** A tenant user's credentials (project `tenantProjectId`). */
  readonly tenantCredentials: ScpSimulatorCredentials;
  /** The administrator's project (role_type `admin`). */
  readonly adminProjectId: string;
  /** The tenant's project (role_type `tenant`). */
  readonly tenantProjectId: string;
  /** Resource pool (az) ids. */
  readonly poolIds: readonly string[];
  /** The golden proxy VM: stopped, vmtools installed, in the first pool. */
  readonly goldenServerId: string;
  /** The configured SCP release (see `faults.setScpVersion` to change it at run time). */
  readonly version: string;
  /** A snapshot of the state, after applying everything due by now. */
  state(): ScpSimulatorState;
  /**
   * Requests received per operation, keyed `"METHOD /path/template"` (the concrete path when no operation
   * matched), such as `"GET /janus/20240725/servers"`. Every request counts, refused, faulted and retried ones
   * too; the control endpoint's do not. Cheaper than `state()` on a large platform. With `reset: true` the
   * counts start again from zero after this read, so a benchmark can count one phase (`requests per proxy`).
   * Over HTTPS: `GET /__sim/request-counts`, and `DELETE` to reset.
   */
  requestCounts(options?: { readonly reset?: boolean }): Readonly<Record<string, number>>;
  /** Fault rules and the platform version, changeable at run time. */
  readonly faults: FaultControl;
  /** VMs' disk content, read and written directly (what applications in the guests do). */
  readonly disks: ScpSimulatorDisks;
  /** The data path inside backup proxies' guests: hot-added devices, found by serial. */
  readonly guest: ScpSimulatorGuest;
  /** The seeded backup lab's VMs; undefined unless the `backupLab` option is on. */
  readonly lab: ScpSimulatorBackupLab | undefined;
  /** Stops timed changes and deletes uploaded files. */
  close(): Promise<void>;
}

/** Creates an in-process simulator; the same seed and the same requests give the same results. */
export function createScpSimulator(options: ScpSimulatorOptions = {}): ScpSimulator {
  const resolved = resolveOptions(options);
  const world = new World(resolved);
  world.lab = resolved.backupLab ? seedBackupLab(world) : undefined;
  const faults = faultControl(world);
  const state = () => snapshot(world);
  const requestCounts = (options: { readonly reset?: boolean } = {}) => world.readCounts(options.reset === true);
  let closed = false;
  const handle = async (request: Request): Promise<Response> => {
    if (closed) {
      return Response.error();
    }
    const url = new URL(request.url);
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      return handleControl(request, url, { faults, state, requestCounts });
    }
    return handleRequest(world, request);
  };
  const [admin, tenant] = world.inventory.accounts;
  return {
    handle,
    fetch: inProcessFetch(handle),
    credentials: publicCredentials(admin),
    tenantCredentials: publicCredentials(tenant),
    adminProjectId: world.inventory.adminProjectId,
    tenantProjectId: world.inventory.tenantProjectId,
    poolIds: world.inventory.azs.map((az) => az.id),
    goldenServerId: world.inventory.goldenServerId,
    version: resolved.scpVersion,
    state,
    requestCounts,
    faults,
    ...createAgent(world),
    lab: world.lab,
    close: async () => {
      closed = true;
      world.scheduler.clear();
      await world.files.close();
    },
  };
}

function faultControl(world: World): FaultControl {
  return {
    add: (rule) => world.faults.add(rule),
    remove: (id) => world.faults.remove(id),
    clear: () => world.faults.clear(),
    list: () => world.faults.list(),
    setScpVersion: (version) => {
      if (version !== undefined && !SCP_RELEASE_PATTERN.test(version)) {
        throw new RangeError("scpVersion must look like 6.11.3");
      }
      world.versionOverride = version;
    },
    scpVersion: () => world.scpVersion(),
  };
}

/** `handle` as fetch: a dropped connection rejects as Node's fetch does on a reset. */
function inProcessFetch(handle: (request: Request) => Promise<Response>): ScpSimulatorFetch {
  return async (input, init) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const response = await handle(request);
    if (request.body && !request.bodyUsed) {
      // Answered without reading the body (an early refusal): release the caller's stream, as a server would.
      await request.body.cancel().catch(() => undefined);
    }
    if (response.type === "error") {
      throw connectionReset();
    }
    return response;
  };
}

function publicCredentials(account: ScpSimulatorCredentials | undefined): ScpSimulatorCredentials {
  if (!account) {
    throw new Error("the seeded inventory has no accounts");
  }
  const { accessKey, secretKey, username, password } = account;
  return { accessKey, secretKey, username, password };
}

/** The error Node's fetch raises when the peer resets the connection. */
function connectionReset(): TypeError {
  const cause = Object.assign(new Error("read ECONNRESET (simulated connection drop)"), {
    code: "ECONNRESET",
    errno: -104,
    syscall: "read",
  });
  return new TypeError("fetch failed", { cause });
}

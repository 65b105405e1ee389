import type { ScpClient } from "../client.js";
import { ScpStateError } from "../errors/workflow.js";
import { Poller, type PollVerdict } from "../tasks/poller.js";
import { scheduleOf } from "../tasks/schedule.js";
import type { Server } from "../types.js";
import type { StepOptions } from "./step-helpers.js";

/** VMs one list read names (SCP's largest page). */
const IDS_PER_READ = 100;

/** What a state wait expects, for its timeout error. @internal */
export interface Expectation {
  /** The resource, e.g. `proxy acme-…-01`. */
  resource: string;
  /** The state waited for. */
  expected: string;
}

/**
 * Waits on many VMs' states at once: every VM waited on rides along in one `servers.list({ ids })` read, so a
 * fleet of proxies waiting for vmtools costs about one request per round, not one per proxy. Each wait keeps its
 * own deadline, backoff and signal.
 * @internal
 */
export class ServerWatch {
  readonly #poller: Poller<string, Server>;

  /** A watch reading through `scp`. */
  constructor(scp: ScpClient) {
    // No signal on the shared read: each waiter stops on its own signal, and the read serves the others.
    this.#poller = new Poller<string, Server>(
      async (ids) => {
        const page = await scp.servers.list({ ids: ids.join(","), page_size: IDS_PER_READ });
        return new Map(page.items.map((s) => [s.id, s]));
      },
      { shareReads: true, batchSize: IDS_PER_READ },
    );
  }

  /**
   * Waits until `judge` decides on the VM as listed (undefined when it is not listed); reads at once unless
   * `readAtOnce` is false.
   * @throws {@link ScpStateError} when `maxWaitMs` passes first, naming the last state seen.
   */
  until<R>(
    serverId: string,
    judge: (server: Server | undefined) => PollVerdict<R> | Promise<PollVerdict<R>>,
    expectation: Expectation,
    options: StepOptions,
    readAtOnce = true,
  ): Promise<R> {
    return this.#poller.wait(serverId, {
      judge,
      timeout: (last) => new ScpStateError({ ...expectation, actual: describeServer(last) }),
      schedule: scheduleOf(options, readAtOnce),
    });
  }

  /** Reads the VM now, sharing the read with everything else waiting; undefined when it is not listed. */
  read(serverId: string, options: StepOptions): Promise<Server | undefined> {
    return this.until(serverId, (server) => ({ done: server }), { resource: serverId, expected: "listed" }, options);
  }
}

/** A VM's state in a few words, for errors. @internal */
export function describeServer(server: Server | undefined): string {
  if (!server) {
    return "not listed";
  }
  return `status ${server.status ?? "?"}, power ${server.power_state ?? "?"}, vtool_installed ${server.vtool_installed ?? "?"}`;
}

import { z } from "zod";
import { TaskRefGate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { parseInput } from "../validate.js";
import { encodeOrchestration } from "./orchestration.js";
import type { RequestOptions, TaskRef } from "./request-options.js";

/** What to run, where. */
export interface GuestRunInput {
  /** Resource pool of the VMs. */
  azId: string;
  /** Numeric HCI VM ids (the list's `vm_id`), all in that pool. */
  vmIds: readonly string[];
  /** Shell command or script to run in each guest. */
  command: string;
  /** Name shown in SCP's task log. @defaultValue "sangfor-scp-sdk" */
  name?: string;
}

const GuestRunSchema = z.object({
  azId: z.string().min(1),
  vmIds: z.array(z.string().regex(/^\d+$/, "must be a numeric HCI VM id (the list's vm_id)")).min(1),
  command: z.string().min(1),
  name: z.string().min(1).max(64).optional(),
});

/** Runs commands in guest OSes through vmtools. */
export class Guest {
  readonly #transport: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Starts running a command in running VMs that have vmtools; the task fails when a guest cannot run it.
   * SCP does not return the command's output.
   */
  async run(input: GuestRunInput, options?: RequestOptions): Promise<TaskRef> {
    const i = parseInput(GuestRunSchema, input, "guest run input");
    const encoded_tasks = encodeOrchestration({
      name: i.name ?? "sangfor-scp-sdk",
      vmIds: i.vmIds,
      command: i.command,
    });
    const body = { action: "execute" as const, az_id: i.azId, encoded_tasks };
    const data = await this.#transport.data(
      (init) => this.#transport.http.POST("/janus/20180725/custom/orchestration-tasks/action", { body, ...init }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }
}

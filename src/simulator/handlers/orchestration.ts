import { parse } from "yaml";
import { z } from "zod";
import { callerOf, type Handler, type HandlerContext } from "../context.js";
import type { SimServer } from "../model.js";
import { readJson } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";
import { visibleTo } from "../server-lookup.js";
import { startTask } from "../tasks.js";

const requestBody = z.object({
  action: z.literal("execute"),
  az_id: z.string().min(1),
  encoded_tasks: z.string().min(1),
});
const step = z
  .object({
    name: z.string().optional(),
    action: z.enum(["command", "stat"]),
    args: z.object({ cmd: z.string().optional(), path: z.string().optional() }),
  })
  .refine((s) => (s.action === "command" ? s.args.cmd !== undefined : s.args.path !== undefined), {
    message: "a command step needs args.cmd and a stat step needs args.path",
  });
const jobTask = z.union([z.object({ name: z.string().optional(), block: z.array(step).min(1) }), step]);
const orchestration = z.object({
  type: z.literal("oneshot").optional(),
  orchestration_version: z.union([z.number(), z.string()]).optional(),
  jobs: z
    .array(
      z.object({
        name: z.string().optional(),
        vms: z.array(z.union([z.number().int(), z.string().regex(/^\d+$/)])).min(1),
        tasks: z.array(jobTask).min(1),
      }),
    )
    .min(1),
});
type Orchestration = z.infer<typeof orchestration>;

/** Decodes `encoded_tasks` (base64 YAML); 400 with the reason when it is not a valid orchestration. */
function decode(encoded: string): Orchestration {
  if (!/^[A-Za-z0-9+/=\s]+$/.test(encoded)) {
    throw new SimHttpError(400, "encoded_tasks is not base64");
  }
  let document: unknown;
  try {
    document = parse(Buffer.from(encoded, "base64").toString("utf8"));
  } catch (error) {
    throw new SimHttpError(400, `encoded_tasks is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const result = orchestration.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SimHttpError(400, `invalid orchestration at ${issue?.path.join(".") || "top level"}: ${issue?.message}`);
  }
  return result.data;
}

/** The commands of a job, in order (stat steps run no command). */
function commandsOf(job: Orchestration["jobs"][number]): string[] {
  const steps = job.tasks.flatMap((task) => ("block" in task ? task.block : [task]));
  return steps.flatMap((s) => (s.action === "command" && s.args.cmd !== undefined ? [s.args.cmd] : []));
}

/** Why the orchestration cannot run on these VMs, or undefined. */
function refusal(ctx: HandlerContext, azId: string, vmIds: readonly string[]): string | undefined {
  for (const vmId of vmIds) {
    const server = findByVmId(ctx, azId, vmId);
    if (!server) {
      return `VM ${vmId} does not exist in resource pool ${azId}`;
    }
    if (server.status !== "running") {
      return `VM ${server.name} (${vmId}) is not running`;
    }
    if (server.vtool_installed !== 1) {
      return `vmtools is not installed in VM ${server.name} (${vmId})`;
    }
  }
  return undefined;
}

/** The VM with that numeric id in the pool, if the caller may see it (a tenant cannot run commands in others' VMs). */
function findByVmId(ctx: HandlerContext, azId: string, vmId: string): SimServer | undefined {
  const caller = callerOf(ctx);
  const server = ctx.world.servers.byVmId(vmId)?.server;
  return server && server.az_id === azId && visibleTo(caller, server) ? server : undefined;
}

/**
 * `POST /janus/20180725/custom/orchestration-tasks/action`: the task fails (with the reason as its description)
 * when a VM is missing, not running or without vmtools; otherwise every command is recorded per VM.
 */
const executeOrchestration: Handler = (ctx) => {
  const body = readJson(ctx, requestBody);
  if (!ctx.world.inventory.azs.some((az) => az.id === body.az_id)) {
    throw new SimHttpError(400, `resource pool ${body.az_id} does not exist`);
  }
  const doc = decode(body.encoded_tasks);
  const runs = doc.jobs.map((job) => ({ vmIds: job.vms.map(String), commands: commandsOf(job) }));
  const vmIds = runs.flatMap((run) => run.vmIds);
  const first = findByVmId(ctx, body.az_id, vmIds[0] ?? "");
  const task = startTask(ctx, {
    action: "execute_orchestration",
    object: { id: first?.id ?? "", name: doc.jobs[0]?.name ?? "orchestration", type: "orchestration" },
    azId: body.az_id,
    failReason: refusal(ctx, body.az_id, vmIds),
    onFinish: () => {
      for (const run of runs) {
        for (const vmId of run.vmIds) {
          const server = findByVmId(ctx, body.az_id, vmId);
          // A guest that stopped (or lost vmtools) while the task ran does not run the commands.
          if (server && server.status === "running" && server.vtool_installed === 1) {
            const log = ctx.world.guestCommands.get(server.id) ?? [];
            log.push(...run.commands);
            ctx.world.guestCommands.set(server.id, log);
          }
        }
      }
    },
  });
  return ok(ctx.envelope, { task_id: task.task_id });
};

/** Handler of guest orchestration. */
export const orchestrationHandlers: Readonly<Record<string, Handler>> = {
  executeOrchestrationTask: executeOrchestration,
};

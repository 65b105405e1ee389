import { powerStateValues } from "../../generated/schema.js";
import { callerOf, type Handler } from "../context.js";
import type { SimServer } from "../model.js";
import { paginate } from "../paging.js";
import { enumParam, listParam, uuidParam } from "../request-body.js";
import { ok } from "../responses.js";
import { findServer, visibleTo } from "../server-lookup.js";
import { serverConfig, serverItem } from "../server-views.js";

/** `GET /janus/20240725/servers`. */
const listServers: Handler = (ctx) => {
  const q = ctx.url.searchParams;
  const caller = callerOf(ctx);
  const filters = {
    azId: uuidParam(q, "az_id"),
    powerState: enumParam(q, "power_state", powerStateValues),
    ids: listParam(q, "ids"),
    vmIds: listParam(q, "vm_ids"),
    name: q.get("query_name")?.toLowerCase(),
    ip: q.get("query_ip"),
  };
  const exact = (["host_id", "project_id", "user_id", "status", "os_type"] as const).filter((k) => q.has(k));
  const matches = (s: SimServer): boolean => {
    const item = serverItem(ctx.world, s, ctx.nowMs);
    return (
      visibleTo(caller, s) &&
      (filters.azId === undefined || s.az_id === filters.azId) &&
      (filters.powerState === undefined || item.power_state === filters.powerState) &&
      (filters.ids === undefined || filters.ids.includes(s.id)) &&
      (filters.vmIds === undefined || filters.vmIds.includes(s.vm_id)) &&
      (filters.name === undefined || s.name.toLowerCase().includes(filters.name)) &&
      (filters.ip === null || (item.ips ?? []).some((ip) => ip.includes(filters.ip ?? ""))) &&
      exact.every((k) => String(s[k]) === q.get(k))
    );
  };
  const items = [...ctx.world.servers.values()].filter(matches).map((s) => serverItem(ctx.world, s, ctx.nowMs));
  return ok(ctx.envelope, paginate(items, q));
};

/** `GET /janus/20240725/servers/{server_id}`. */
const getServer: Handler = (ctx) => {
  const server = findServer(ctx.world, callerOf(ctx), ctx.params.server_id ?? "");
  return ok(ctx.envelope, serverConfig(ctx.world, server));
};

/** Handlers of the VM reads. */
export const serverReadHandlers: Readonly<Record<string, Handler>> = {
  listServers20240725: listServers,
  getServerConfig20240725: getServer,
};

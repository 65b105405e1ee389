import { callerOf, type Handler } from "../context.js";
import { ok } from "../responses.js";
import { findServer } from "../server-lookup.js";
import { serverPage } from "../server-query.js";
import { serverConfig } from "../server-views.js";

/** `GET /janus/20240725/servers`. */
const listServers: Handler = (ctx) =>
  ok(ctx.envelope, serverPage(ctx.world, callerOf(ctx), ctx.url.searchParams, ctx.nowMs));

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

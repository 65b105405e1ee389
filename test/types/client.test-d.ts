import { expectTypeOf, test } from "vitest";
import {
  createScpClient,
  type Image,
  type ScpClient,
  type ScpPage,
  type Server,
  type ServerConfig,
  type Task,
  type TaskRef,
} from "../../src/index.js";

declare const scp: ScpClient;

test("createScpClient takes one of the two auth shapes", () => {
  expectTypeOf(createScpClient).parameter(0).toHaveProperty("auth");
  // @ts-expect-error -- an auth type that does not exist
  createScpClient({ baseUrl: "https://x", auth: { type: "basic", username: "a", password: "b" } });
  // @ts-expect-error -- a signature needs a secret key
  createScpClient({ baseUrl: "https://x", auth: { type: "signature", accessKey: "a" } });
  // @ts-expect-error -- durations are numbers of milliseconds
  createScpClient({ baseUrl: "https://x", auth: { type: "token", username: "a", password: "b" }, timeoutMs: "30s" });
});

test("resources return the generated wire types", () => {
  expectTypeOf(scp.servers.get).returns.resolves.toEqualTypeOf<ServerConfig>();
  expectTypeOf(scp.servers.list).returns.resolves.toEqualTypeOf<ScpPage<Server>>();
  expectTypeOf(scp.servers.listAll).returns.toExtend<AsyncIterable<Server>>();
  expectTypeOf(scp.images.get).returns.resolves.toEqualTypeOf<Image>();
  expectTypeOf(scp.tasks.wait).returns.resolves.toEqualTypeOf<Task>();
  expectTypeOf(scp.servers.start).returns.resolves.toEqualTypeOf<TaskRef>();
});

test("wire data keeps SCP's snake_case names", () => {
  expectTypeOf<Server>().toHaveProperty("vtool_installed");
  expectTypeOf<Server["power_state"]>().toEqualTypeOf<"on" | "off" | undefined>();
  expectTypeOf<Task["status"]>().toEqualTypeOf<"waiting" | "doing" | "finish" | "failure" | "canceling" | "canceled">();
});

test("the raw client is typed by path", () => {
  const call = scp.http.GET("/janus/20240725/servers/{server_id}", { params: { path: { server_id: "x" } } });
  expectTypeOf(call).resolves.toHaveProperty("data");
  // @ts-expect-error -- a path the spec does not have
  scp.http.GET("/janus/20180725/not-a-path");
  // @ts-expect-error -- os_name is a string
  scp.servers.update("x", { os_name: 1 });
});

import { HttpResponse, http } from "msw";
import { expect, test } from "vitest";
import { ScpValidationError } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { BASE, useMsw, v1, v2 } from "../support/msw.js";
import { scriptedFetch } from "../support/scripted-fetch.js";

const server = useMsw();
const ID = "5d0c1f0e-0000-4000-8000-000000000001";

function capture(method: "post" | "put" | "delete", path: string, answer: unknown, status = 200) {
  const bodies: unknown[] = [];
  server.use(
    http[method](`${BASE}${path}`, async ({ request }) => {
      bodies.push(request.body ? await request.json() : undefined);
      return v1(answer, { status });
    }),
  );
  return bodies;
}

test("create sends the request and returns the task and the new ids", async () => {
  const bodies = capture("post", "/janus/20220725/servers", { task_id: "t-c", uuids: [ID] }, 201);
  const request = {
    az_id: "az-1",
    image_id: "img-1",
    name: "proxy-a",
    cores: 4,
    sockets: 1,
    memory_mb: 8192,
    disks: [{ id: "ide0", size_mb: 81920, type: "derive_disk" }],
    networks: [{ vif_id: "net0", connect: 1 as const, subnet_id: "sn-1" }],
    power_on: 0 as const,
  };
  await expect(testClient().servers.create(request)).resolves.toEqual({ taskId: "t-c", serverIds: [ID] });
  expect(bodies).toEqual([request]);
});

test("create refuses a request missing required fields before sending", async () => {
  const bodies = capture("post", "/janus/20220725/servers", {});
  const error = await testClient()
    .servers.create({
      az_id: "az-1",
      image_id: "",
      name: " ",
      cores: 0,
      sockets: 1,
      memory_mb: 1,
      disks: [],
      networks: [],
    })
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpValidationError);
  expect(error.issues.map((i: { path: unknown[] }) => i.path.join("."))).toEqual(["image_id", "name", "cores"]);
  expect(bodies).toHaveLength(0);
});

test("update sends only the changed fields, such as os_name", async () => {
  const bodies = capture("put", `/janus/20210725/servers/${ID}`, { task_id: "t-u" });
  await expect(testClient().servers.update(ID, { os_name: "Backup Proxy" })).resolves.toEqual({ taskId: "t-u" });
  expect(bodies).toEqual([{ os_name: "Backup Proxy" }]);
  await expect(testClient().servers.update(ID, {})).rejects.toBeInstanceOf(ScpValidationError);
});

test("delete, start and stop send SCP's force flags and return tasks", async () => {
  const deletes = capture("delete", `/janus/20180725/servers/${ID}`, { task_id: "t-d" });
  const stops = capture("post", `/janus/20180725/servers/${ID}/stop`, { task_id: "t-s" }, 201);
  capture("post", `/janus/20180725/servers/${ID}/start`, { task_id: "t-on" }, 201);
  const scp = testClient();
  await expect(scp.servers.delete(ID, { force: true })).resolves.toEqual({ taskId: "t-d" });
  await expect(scp.servers.stop(ID)).resolves.toEqual({ taskId: "t-s" });
  await expect(scp.servers.start(ID)).resolves.toEqual({ taskId: "t-on" });
  expect(deletes).toEqual([{ force: 1 }]);
  expect(stops).toEqual([{ force: 0 }]);
});

test("find reads a VM from the list by id, and says undefined when absent", async () => {
  server.use(
    http.get(`${BASE}/janus/20240725/servers`, ({ request }) => {
      const ids = new URL(request.url).searchParams.get("ids");
      const items = ids === ID ? [{ id: ID, name: "a", power_state: "on", vm_id: "2786761839857" }] : [];
      return v2({ data: items, page_num: 0, page_size: 1, total_size: items.length, next_page_num: "" });
    }),
  );
  const scp = testClient();
  await expect(scp.servers.find(ID)).resolves.toMatchObject({ power_state: "on", vm_id: "2786761839857" });
  await expect(scp.servers.find("other")).resolves.toBeUndefined();
});

test("an id with path characters is refused before anything is sent", async () => {
  const error = await testClient()
    .servers.get("../../images")
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpValidationError);
  expect(error.message).toContain("invalid server id");
});

test("a VM whose power state is not on/off fails the runtime gate", async () => {
  server.use(
    http.get(`${BASE}/janus/20240725/servers`, () =>
      HttpResponse.json({
        errcode: "",
        message: "",
        data: {
          data: [{ id: ID, name: "a", power_state: "maybe" }],
          page_num: 0,
          page_size: 1,
          total_size: 1,
          next_page_num: "",
        },
      }),
    ),
  );
  await expect(testClient().servers.find(ID)).rejects.toThrow("data.data.0.power_state");
});

test("list queries page as SCP does: whole pages from 0 of 1 to 100 items, an object to spread; else refused unsent", async () => {
  const fetch = scriptedFetch([]);
  const scp = testClient({ fetch });
  const refusals: (() => Promise<unknown>)[] = [
    () => scp.servers.list({ page_size: 101 }),
    () => scp.servers.list({ page_size: 0 }),
    () => scp.servers.list({ page_size: 1.5 }),
    () => scp.servers.list({ page_num: -1 }),
    () => scp.servers.list({ page_num: "1" as unknown as number }),
    () => scp.servers.listAll("abc" as never).next(),
    () => scp.tasks.listAll(null as never).next(),
    () => scp.images.findByName("proxy", "abc" as never),
    () => scp.images.findByName("", {}),
    () => scp.azs.listAll({ page_size: 500 }).next(),
  ];
  for (const call of refusals) {
    await expect(Promise.resolve().then(call)).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(fetch.requests).toHaveLength(0);
});

import { http } from "msw";
import { expect, test } from "vitest";
import { parse } from "yaml";
import { collect, ScpNotFoundError, ScpUnsupportedVersionError, ScpValidationError } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { BASE, page, useMsw, v1, v2 } from "../support/msw.js";
import { scriptedFetch } from "../support/scripted-fetch.js";

const server = useMsw();

test("system.version reads x.y.z out of SCP's build string", async () => {
  server.use(
    http.get(`${BASE}/janus/20180725/system/version`, () =>
      v1({ build_version: "SCP6.11.3B-2025-03-0110:00:00", custom_version: ["SP1"] }),
    ),
  );
  await expect(testClient().system.version()).resolves.toEqual({
    version: "6.11.3",
    buildVersion: "SCP6.11.3B-2025-03-0110:00:00",
    customVersion: ["SP1"],
  });
});

test("requireVersion passes on a new enough platform and names the feature on an older one", async () => {
  server.use(http.get(`${BASE}/janus/20180725/system/version`, () => v1({ build_version: "SCP6.10.0B-2024-01-01" })));
  const scp = testClient();
  await expect(scp.system.requireVersion("6.8.0", "task polling")).resolves.toMatchObject({ version: "6.10.0" });
  const error = await scp.system.requireVersion("6.11.3", "image export").catch((e) => e);
  expect(error).toBeInstanceOf(ScpUnsupportedVersionError);
  expect(error.message).toBe("image export needs SCP 6.11.3 or later; this platform runs 6.10.0");
});

test("a build string without a version is an ScpResponseError", async () => {
  server.use(http.get(`${BASE}/janus/20180725/system/version`, () => v1({ build_version: "unknown" })));
  await expect(testClient().system.version()).rejects.toThrow("has no x.y.z version");
});

test("platform, pools, hosts and storage tags are read", async () => {
  server.use(
    http.get(`${BASE}/janus/20180725/platform`, () => v1({ version: "SCP6.11.3B" })),
    http.get(`${BASE}/janus/20180725/azs`, () => v1(page([{ id: "az-1", name: "pool-1" }], 0, 100))),
    http.get(`${BASE}/janus/20240725/hosts`, () => v2(page([{ id: "host-1", name: "h1" }], 0, 100))),
    http.get(`${BASE}/janus/20180725/storages/tags`, ({ request }) =>
      v1(page([{ id: "tag-1", name: `for ${new URL(request.url).searchParams.get("az_id")}` }], 0, 100)),
    ),
  );
  const scp = testClient();
  await expect(scp.system.platform()).resolves.toEqual({ version: "SCP6.11.3B" });
  expect((await collect(scp.azs.listAll(), { limit: 10 })).map((a) => a.id)).toEqual(["az-1"]);
  expect((await collect(scp.hosts.listAll({ az_id: "az-1" }), { limit: 10 })).map((h) => h.id)).toEqual(["host-1"]);
  expect((await collect(scp.storageTags.listAll("az-1"), { limit: 10 })).map((t) => t.name)).toEqual(["for az-1"]);
});

test("the administrator's tenant id is found by role, preferring the one named admin", async () => {
  const projects = [
    { id: "p-tenant", name: "acme", role_type: "tenant" },
    { id: "p-admin2", name: "ops", role_type: "admin" },
    { id: "p-admin", name: "admin", role_type: "admin" },
  ];
  server.use(
    http.get(`${BASE}/janus/20190725/projects`, ({ request }) => {
      const role = new URL(request.url).searchParams.get("role_type");
      // Like an older SCP, this one ignores role_type: the client filters again.
      void role;
      return v1(page(projects, 0, 100));
    }),
    http.get(`${BASE}/janus/20190725/users`, () =>
      v1(page([{ id: "u1", name: "admin", project_id: "p-admin" }], 0, 100)),
    ),
  );
  const scp = testClient();
  await expect(scp.projects.getAdministratorId()).resolves.toBe("p-admin");
  expect((await scp.projects.administrators()).map((p) => p.id)).toEqual(["p-admin2", "p-admin"]);
  expect((await collect(scp.users.listAll(), { limit: 5 })).map((u) => u.project_id)).toEqual(["p-admin"]);
});

test("no administrator tenant is an ScpNotFoundError", async () => {
  server.use(http.get(`${BASE}/janus/20190725/projects`, () => v1(page([], 0, 100))));
  await expect(testClient().projects.getAdministratorId()).rejects.toBeInstanceOf(ScpNotFoundError);
});

test("guest.run sends base64 YAML naming the numeric VM ids and the command", async () => {
  const bodies: { action: string; az_id: string; encoded_tasks: string }[] = [];
  server.use(
    http.post(`${BASE}/janus/20180725/custom/orchestration-tasks/action`, async ({ request }) => {
      bodies.push((await request.json()) as (typeof bodies)[number]);
      return v1({ task_id: "t-g" });
    }),
  );
  const command = 'echo "proxy ready: $(hostname)" > /tmp/ready\nsystemctl restart agent';
  await expect(testClient().guest.run({ azId: "az-1", vmIds: ["2786761839857"], command })).resolves.toEqual({
    taskId: "t-g",
  });
  const body = bodies[0] as (typeof bodies)[number];
  expect(body.action).toBe("execute");
  expect(body.az_id).toBe("az-1");
  const doc = parse(Buffer.from(body.encoded_tasks, "base64").toString("utf8"));
  expect(doc).toMatchObject({ type: "oneshot", orchestration_version: 1 });
  expect(doc.jobs[0].vms).toEqual([2786761839857]);
  expect(doc.jobs[0].tasks[0].block[0]).toEqual({ name: "run", action: "command", args: { cmd: command } });
});

test("guest.run refuses a UUID where a numeric VM id belongs", async () => {
  const error = await testClient()
    .guest.run({ azId: "az-1", vmIds: ["5d0c1f0e-0000-4000-8000-000000000001"], command: "true" })
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpValidationError);
  expect(error.message).toContain("numeric HCI VM id");
});

test("requireVersion refuses a minimum that is not a version, or no feature name, before reading anything", async () => {
  const fetch = scriptedFetch([]);
  const scp = testClient({ fetch });
  for (const [minVersion, feature] of [
    ["abc", "export"],
    ["6.x", "export"],
    ["", "export"],
    ["6.11.3", ""],
    [6, "export"],
  ] as [unknown, string][]) {
    await expect(scp.system.requireVersion(minVersion as string, feature)).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(fetch.requests).toHaveLength(0);
});

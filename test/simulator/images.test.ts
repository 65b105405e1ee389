import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createScpSimulator, type ScpSimulatorOptions } from "../../src/simulator/index.js";
import { loginToken, rawClient, sha256 } from "./support.js";

const BASE = "https://scp.images.test";
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function setup(options: ScpSimulatorOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "scp-sim-test-"));
  dirs.push(dataDir);
  const sim = createScpSimulator({ serverCount: 5, taskDurationMs: 0, vmtoolsDelayMs: 0, dataDir, ...options });
  const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials });
  return { sim, call, dataDir };
}

/** A body of `size` bytes made of 1 KiB chunks, streamed. */
function pattern(size: number): { stream: () => ReadableStream<Uint8Array>; bytes: Uint8Array } {
  const bytes = new Uint8Array(size).map((_, i) => (i * 31 + 7) % 251);
  const stream = () => {
    let offset = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= size) {
          controller.close();
          return;
        }
        controller.enqueue(bytes.slice(offset, offset + 1024));
        offset += 1024;
      },
    });
  };
  return { stream, bytes };
}

async function newImage(call: ReturnType<typeof setup>["call"], azs: readonly string[]): Promise<string> {
  const created = await call("POST", "/janus/20180725/images", {
    json: { name: "proxy-vma", azs, disk_format: "aCloud", image_type: "private" },
  });
  expect(created.status).toBe(201);
  return created.body.data.id;
}

async function image(call: ReturnType<typeof setup>["call"], id: string) {
  return (await call("GET", "/janus/20200725/images", { query: { image_ids: id } })).body.data.data[0];
}

describe("images", () => {
  it("streams an upload to disk with its SHA-256, then distributes it to every pool", async () => {
    const { sim, call, dataDir } = setup();
    const id = await newImage(call, sim.poolIds);
    expect(await image(call, id)).toMatchObject({
      status: "saving",
      owner_id: sim.adminProjectId,
      image_type: "private",
    });
    const body = pattern(3 * 1024 * 1024 + 512);
    const upload = await call("PUT", `/janus/20180725/images/${id}/upload`, {
      body: body.stream(),
      bodySha256: sha256(body.bytes),
    });
    expect(upload.status).toBe(200);
    const task = (await call("GET", `/janus/20180725/tasks/${upload.body.data.task_id}`)).body.data;
    expect(task.entities.sub_tasks.map((s: { az_id: string }) => s.az_id)).toEqual(sim.poolIds);
    expect(await image(call, id)).toMatchObject({
      status: "active",
      size_mb: 4,
      azs: sim.poolIds.map((az) => ({ id: az, is_available: 1 })),
    });
    const stored = sim.state().images.find((i) => i.id === id);
    expect(stored?.upload).toEqual({ sizeBytes: body.bytes.length, sha256: sha256(body.bytes) });
    const files = readdirSync(join(dataDir, "images"));
    expect(files).toEqual([`${id}.img`]);
    expect(statSync(join(dataDir, "images", files[0] ?? "")).size).toBe(body.bytes.length);
    expect(
      (
        await call("PUT", `/janus/20180725/images/${id}/upload`, {
          body: body.stream(),
          bodySha256: sha256(body.bytes),
        })
      ).status,
    ).toBe(409);
  });

  it("checks the signature of a streamed upload once the body is in, and keeps nothing when it fails", async () => {
    const { sim, call, dataDir } = setup();
    const id = await newImage(call, sim.poolIds.slice(0, 1));
    const body = pattern(64 * 1024);
    const refused = await call("PUT", `/janus/20180725/images/${id}/upload`, {
      body: body.stream(),
      bodySha256: sha256("something else"),
    });
    expect(refused.status).toBe(401);
    expect(readdirSync(join(dataDir, "images"))).toEqual([]);
    expect((await image(call, id)).status).toBe("saving");
    const accepted = await call("PUT", `/janus/20180725/images/${id}/upload`, {
      body: body.stream(),
      bodySha256: sha256(body.bytes),
    });
    expect(accepted.status).toBe(200);
  });

  it("makes an image only from a stopped VM with vmtools, explaining refusals", async () => {
    const { sim, call } = setup();
    const make = (serverId: string) =>
      call("POST", "/janus/20180725/images/action", {
        json: { server_id: serverId, name: "proxy-vma", os_type: "l2664", azs: [sim.poolIds[0]] },
      });
    const servers = sim.state().servers;
    const running = servers.find((s) => s.power_state === "on" && s.id !== sim.goldenServerId);
    const noTools = servers.find((s) => s.power_state === "off" && s.vtool_installed !== 1);
    expect((await make(running?.id ?? "")).body.message).toMatch(/shut it down/);
    expect((await make(noTools?.id ?? "")).body.message).toMatch(/vmtools is not installed/);
    const made = await make(sim.goldenServerId);
    expect(made.status).toBe(201);
    expect(Object.keys(made.body.data)).toEqual(["task_id"]);
    const created = sim.state().images.find((i) => i.name === "proxy-vma");
    expect(created).toMatchObject({ image_type: "private", owner_id: sim.adminProjectId, disk_format: "aCloud" });
    const task = (await call("GET", `/janus/20180725/tasks/${made.body.data.task_id}`)).body.data;
    expect(task).toMatchObject({ status: "finish", object_id: created?.id });
    expect(await image(call, created?.id ?? "")).toMatchObject({ status: "active", is_vmtools_installed: 1 });
  });

  it("downloads a VM's VMA only after export, whole or from an offset, and the bytes follow the seed", async () => {
    const { sim, call } = setup({ vmaSizeBytes: 300_000 });
    await call("POST", "/janus/20180725/images/action", {
      json: { server_id: sim.goldenServerId, name: "vma", os_type: "l2664", azs: [sim.poolIds[0]] },
    });
    const id = sim.state().images.find((i) => i.name === "vma")?.id ?? "";
    const path = `/janus/20240725/images/${id}/download`;
    const early = await call("GET", path);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ errcode: "409", message: expect.stringMatching(/not been exported/) });
    const exported = await call("POST", `/janus/20240725/images/${id}/export`);
    expect(exported.status).toBe(201);
    expect(exported.body.errcode).toBe("");
    const whole = await call("GET", path);
    expect(whole.status).toBe(200);
    expect(whole.response.headers.get("content-length")).toBe("300000");
    const bytes = new Uint8Array(await whole.response.arrayBuffer());
    expect(bytes.length).toBe(300_000);
    const tail = await call("GET", path, { headers: { range: "bytes=123457-" } });
    expect(tail.status).toBe(206);
    expect(tail.response.headers.get("content-range")).toBe("bytes 123457-299999/300000");
    expect(tail.response.headers.get("content-length")).toBe(String(300_000 - 123_457));
    expect(new Uint8Array(await tail.response.arrayBuffer())).toEqual(bytes.slice(123_457));
    const middle = await call("GET", path, { headers: { range: "bytes=10-19" } });
    expect(new Uint8Array(await middle.response.arrayBuffer())).toEqual(bytes.slice(10, 20));
    expect((await call("GET", path, { headers: { range: "bytes=300000-" } })).status).toBe(416);
    // A strong ETag; If-Range with it keeps the range, with another gets the whole file.
    const etag = whole.response.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[^"]+"$/);
    const kept = await call("GET", path, { headers: { range: "bytes=123457-", "if-range": etag } });
    expect([kept.status, kept.response.headers.get("etag")]).toEqual([206, etag]);
    await kept.response.arrayBuffer();
    const stale = await call("GET", path, { headers: { range: "bytes=123457-", "if-range": '"another"' } });
    expect(stale.status).toBe(200);
    expect(new Uint8Array(await stale.response.arrayBuffer())).toEqual(bytes);
    const twin = setup({ vmaSizeBytes: 300_000 });
    await twin.call("POST", "/janus/20180725/images/action", {
      json: { server_id: twin.sim.goldenServerId, name: "vma", os_type: "l2664", azs: [twin.sim.poolIds[0]] },
    });
    expect(twin.sim.state().images.find((i) => i.name === "vma")?.id).toBe(id);
    await twin.call("POST", `/janus/20240725/images/${id}/export`);
    const again = new Uint8Array(await (await twin.call("GET", path)).response.arrayBuffer());
    expect(sha256(again)).toBe(sha256(bytes));
  });

  it("downloads an uploaded image from its file, and deletes it with 204 and no body", async () => {
    const { sim, call, dataDir } = setup();
    const id = await newImage(call, sim.poolIds.slice(0, 1));
    const body = pattern(10_000);
    await call("PUT", `/janus/20180725/images/${id}/upload`, { body: body.stream(), bodySha256: sha256(body.bytes) });
    await call("POST", `/janus/20240725/images/${id}/export`);
    const download = await call("GET", `/janus/20240725/images/${id}/download`, { headers: { range: "bytes=5000-" } });
    expect(new Uint8Array(await download.response.arrayBuffer())).toEqual(body.bytes.slice(5000));
    const removed = await call("DELETE", `/janus/20180725/images/${id}`);
    expect(removed.status).toBe(204);
    expect(await removed.response.text()).toBe("");
    expect(existsSync(join(dataDir, "images", `${id}.img`))).toBe(false);
    expect(await image(call, id)).toBeUndefined();
    expect((await call("DELETE", `/janus/20180725/images/${id}`)).status).toBe(404);
  });

  it("lets a tenant see public images and its own, and create only images it owns", async () => {
    const { sim } = setup();
    const token = await loginToken(sim.fetch, BASE, sim.tenantCredentials);
    const tenant = rawClient(sim.fetch, BASE, { type: "token", token });
    const names = (await tenant("GET", "/janus/20200725/images")).body.data.data.map((i: { name: string }) => i.name);
    expect(names.sort()).toEqual(["CentOS-7.9-x86_64", "tenant-app-image", "ubuntu-22.04-server.iso"]);
    const body = { azs: [sim.poolIds[0]], disk_format: "aCloud", image_type: "private" };
    expect(
      (await tenant("POST", "/janus/20180725/images", { json: { ...body, owner_id: sim.adminProjectId } })).status,
    ).toBe(403);
    const own = await tenant("POST", "/janus/20180725/images", { json: body });
    expect(own.status).toBe(201);
    expect(sim.state().images.find((i) => i.id === own.body.data.id)?.owner_id).toBe(sim.tenantProjectId);
  });

  it("edits an image through a task, distributing it to added pools", async () => {
    const { sim, call } = setup();
    const tenantImage = sim.state().images.find((i) => i.name === "tenant-app-image");
    const edit = await call("PUT", `/janus/20180725/images/${tenantImage?.id}`, {
      json: { name: "renamed", azs: sim.poolIds },
    });
    const task = (await call("GET", `/janus/20180725/tasks/${edit.body.data.task_id}`)).body.data;
    expect(task.entities.sub_tasks.map((s: { az_id: string }) => s.az_id)).toEqual([sim.poolIds[1]]);
    expect(await image(call, tenantImage?.id ?? "")).toMatchObject({
      name: "renamed",
      azs: sim.poolIds.map((id) => ({ id, is_available: 1 })),
    });
    expect(
      (await call("PUT", `/janus/20180725/images/${tenantImage?.id}`, { json: { azs: ["not-a-pool"] } })).status,
    ).toBe(400);
  });
});

import { describe, expect, it } from "vitest";
import { createScpSimulator } from "../../src/simulator/index.js";
import { orchestration, rawClient } from "./support.js";

const BASE = "https://scp.guest.test";
const PATH = "/janus/20180725/custom/orchestration-tasks/action";

function setup() {
  const sim = createScpSimulator({ serverCount: 30, taskDurationMs: 0, vmtoolsDelayMs: 0 });
  const call = rawClient(sim.fetch, BASE, { type: "signature", credentials: sim.credentials });
  const run = (azId: string, encoded: string) =>
    call("POST", PATH, { json: { action: "execute", az_id: azId, encoded_tasks: encoded } });
  const task = async (id: string) => (await call("GET", `/janus/20180725/tasks/${id}`)).body.data;
  return { sim, call, run, task };
}

function b64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

describe("guest orchestration", () => {
  it("runs commands in a running VM with vmtools and records every one of them", async () => {
    const { sim, call, run, task } = setup();
    const golden = sim.state().servers.find((s) => s.id === sim.goldenServerId);
    await call("POST", `/janus/20180725/servers/${sim.goldenServerId}/start`);
    const started = await run(
      sim.poolIds[0] ?? "",
      orchestration([golden?.vm_id ?? ""], ["mkdir -p /opt/proxy", "systemctl enable proxy"]),
    );
    expect(started.status).toBe(200);
    expect(await task(started.body.data.task_id)).toMatchObject({ status: "finish", progress: 100 });
    // The other accepted shape: steps directly under tasks, no block.
    const flat = `type: oneshot\norchestration_version: 1\njobs:\n  - name: j\n    vms: [${golden?.vm_id}]\n    tasks:\n      - name: check\n        action: stat\n        args: { path: /opt/proxy }\n      - name: ping\n        action: command\n        args: { cmd: "echo ok" }\n`;
    await task((await run(sim.poolIds[0] ?? "", b64(flat))).body.data.task_id);
    expect(sim.state().guestCommands).toEqual({
      [sim.goldenServerId]: ["mkdir -p /opt/proxy", "systemctl enable proxy", "echo ok"],
    });
  });

  it("fails the task, with the reason, for a stopped VM or one without vmtools", async () => {
    const { sim, run, task } = setup();
    const golden = sim.state().servers.find((s) => s.id === sim.goldenServerId);
    const stopped = await run(sim.poolIds[0] ?? "", orchestration([golden?.vm_id ?? ""], ["echo hi"]));
    expect(await task(stopped.body.data.task_id)).toMatchObject({
      status: "failure",
      progress: -1,
      description: expect.stringMatching(/is not running/),
    });
    const noTools = sim.state().servers.find((s) => s.power_state === "on" && s.vtool_installed !== 1);
    expect(noTools).toBeDefined();
    const refused = await run(noTools?.az_id ?? "", orchestration([noTools?.vm_id ?? ""], ["echo hi"]));
    expect((await task(refused.body.data.task_id)).description).toMatch(/vmtools is not installed/);
    expect(sim.state().guestCommands).toEqual({});
  });

  it("refuses malformed requests with 400", async () => {
    const { sim, call, run } = setup();
    const pool = sim.poolIds[0] ?? "";
    expect((await run(pool, "*** not base64 ***")).body.message).toMatch(/base64/);
    expect((await run(pool, b64("jobs: [unclosed"))).body.message).toMatch(/YAML/);
    expect((await run(pool, b64("type: oneshot\njobs: []\n"))).body.message).toMatch(/jobs/);
    expect(
      (await run(pool, b64("jobs:\n  - vms: [1]\n    tasks:\n      - action: command\n        args: {}\n"))).status,
    ).toBe(400);
    expect((await run("00000000-0000-4000-8000-000000000000", orchestration(["1"], ["x"]))).status).toBe(400);
    expect((await call("POST", PATH, { json: { action: "cancel", az_id: pool, encoded_tasks: "eA==" } })).status).toBe(
      400,
    );
  });
});

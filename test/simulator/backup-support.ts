import { expect } from "vitest";
import {
  createScpSimulator,
  type ScpSimulator,
  type ScpSimulatorBackupLab,
  type ScpSimulatorOptions,
} from "../../src/simulator/index.js";
import { noContentBody } from "../../src/simulator/responses.js";
import { type ApiResult, type FetchLike, rawClient } from "./support.js";

export const BASE = "https://scp.backup.test";
export const S18 = "/janus/20180725/servers";
export const BR = "/janus/20180725/backup-resources";
export const KIB = 1024;
export const MIB = 1024 * 1024;
/** Tasks take this long in these tests; the clock is stepped past them. */
export const TASK_MS = 1000;

/** A byte range of a disk. */
export interface Range {
  start: number;
  length: number;
}

/** A raw signed call. */
export type Call = ReturnType<typeof rawClient>;

/** The helpers the backup tests share, over one simulator (in-process or the handle of an HTTPS one). */
export function backupHelpers(sim: Pick<ScpSimulator, "lab">, call: Call, advance: (ms: number) => void) {
  const lab = sim.lab as ScpSimulatorBackupLab;
  /** Checks a call started a task, steps the clock past it and returns the task as it ended. */
  const finish = async (started: ApiResult) => {
    expect(started.status, JSON.stringify(started.body)).toBeLessThan(300);
    advance(TASK_MS);
    // A 204 carries its body beside the in-process Response (on the wire, it is written to the socket).
    const side = noContentBody(started.response);
    const data = side ? JSON.parse(new TextDecoder().decode(side)).data : started.body?.data;
    return (await call("GET", `/janus/20180725/tasks/${data.task_id}`)).body.data;
  };
  const snapshot = async (serverId: string, name = "snap"): Promise<string> => {
    const started = await call("POST", `/janus/20190725/servers/${serverId}/snapshots`, { json: { name } });
    expect((await finish(started)).status).toBe("finish");
    return started.body.data.resource_id;
  };
  const checkpointOf = async (serverId: string, snapshotId: string): Promise<number> =>
    Number((await call("GET", `${S18}/${serverId}/snapshots/${snapshotId}`)).body.data.checkpoint_id);
  const cbt = async (serverId: string, type: "enable" | "disable" | "reset", diskIds?: string[]) => {
    const json = diskIds ? { type, disk_ids: diskIds } : { type };
    expect((await finish(await call("PUT", `${S18}/${serverId}/cbt/status`, { json }))).status).toBe("finish");
  };
  const areas = (
    serverId: string,
    query: { disk_id: string; snapshot_id: string; checkpoint_id: number; start_offset: number },
  ) => call("GET", `${S18}/${serverId}/cbt/changed-areas`, { query });
  /** Reads every page to the disk's end, as a careful client does; returns the pages and the merged areas. */
  const allAreas = async (
    serverId: string,
    diskId: string,
    snapshotId: string,
    checkpoint: number,
    sizeBytes: number,
  ) => {
    const pages: { start_offset: number; length: number; changed_area: Range[] }[] = [];
    for (let offset = 0; offset < sizeBytes; ) {
      const page = await areas(serverId, {
        disk_id: diskId,
        snapshot_id: snapshotId,
        checkpoint_id: checkpoint,
        start_offset: offset,
      });
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.data.length).toBeGreaterThan(0);
      pages.push(page.body.data);
      offset = page.body.data.start_offset + page.body.data.length;
    }
    return { pages, areas: merge(pages.flatMap((p) => p.changed_area)) };
  };
  return { lab, finish, snapshot, checkpointOf, cbt, areas, allAreas };
}

/** An in-process simulator with the backup lab, a stepped clock and a signed client. */
export function backupSetup(options: ScpSimulatorOptions = {}) {
  let now = Date.UTC(2026, 2, 1);
  const sim = createScpSimulator({
    serverCount: 0,
    taskDurationMs: TASK_MS,
    vmtoolsDelayMs: 0,
    backupLab: true,
    clock: () => now,
    ...options,
  });
  const call = rawClient(sim.fetch as FetchLike, BASE, { type: "signature", credentials: sim.credentials }, () => now);
  const advance = (ms: number) => {
    now += ms;
  };
  return { sim, call, advance, now: () => now, ...backupHelpers(sim, call, advance) };
}

/** Merges touching or overlapping ranges (areas cut at page ends join again). */
export function merge(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last && range.start <= last.start + last.length) {
      last.length = Math.max(last.length, range.start + range.length - last.start);
    } else {
      out.push({ ...range });
    }
  }
  return out;
}

/** `length` bytes of a repeating pattern that depends on `tag`. */
export function pattern(tag: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (tag * 31 + i * 7) & 0xff);
}

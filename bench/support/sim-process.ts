// Starts simulator-child.ts (the HTTPS simulator in its own process) and talks to it.
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { Agent, request } from "undici";
import type { ScpSimulatorCredentials, StartScpSimulatorOptions } from "../../src/simulator/index.js";

/** What the child says when it is listening. */
export interface SimReady {
  url: string;
  ca: string;
  credentials: ScpSimulatorCredentials;
  poolIds: string[];
  goldenServerId: string;
  adminProjectId: string;
  /** A token of the administrator's, for curl (`Authorization: Token …`). */
  token: string;
  /** The child's RSS when it was ready. */
  rss: number;
}

/** A running simulator process. */
export interface SimProcess extends SimReady {
  /** An undici agent that trusts the simulator's certificate. */
  readonly agent: Agent;
  /** Requests per operation since the last reset, read over HTTPS (`/__sim/request-counts`). */
  counts(reset?: boolean): Promise<Record<string, number>>;
  /** The sum of `counts`. */
  total(reset?: boolean): Promise<number>;
  /** Adds a fault rule over HTTPS; returns its id. */
  fault(rule: object): Promise<string>;
  /** The child's peak RSS since the last reset. */
  peakRss(reset?: boolean): Promise<number>;
  /** The child's CPU time so far, in ms. */
  cpuMs(): Promise<number>;
  /** Stops the child and waits for it to exit. */
  stop(): Promise<void>;
}

function ask<T>(child: ChildProcess, message: object, type: string, field: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (m: Record<string, unknown>) => {
      if (m.type === type) {
        child.off("message", listener);
        resolve(m[field] as T);
      }
    };
    child.on("message", listener);
    child.send(message);
  });
}

/** Forks the HTTPS simulator with these options and waits until it listens. */
export async function startSimProcess(options: StartScpSimulatorOptions = {}): Promise<SimProcess> {
  // SIM_NODE_FLAGS (say `--cpu-prof --cpu-prof-dir=tmp/sim-prof`) profiles the simulator process.
  const child = fork(new URL("./simulator-child.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx", ...(process.env.SIM_NODE_FLAGS ?? "").split(" ").filter(Boolean)],
    env: { ...process.env, SCP_SIM_OPTIONS: JSON.stringify(options) },
  });
  const [ready] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(([code]) => Promise.reject(new Error(`the simulator exited (${code})`))),
  ])) as [SimReady];
  const agent = new Agent({ connect: { ca: ready.ca } });
  const control = async (method: "GET" | "DELETE" | "POST", path: string, body?: object) => {
    const answer = await request(`${ready.url}/__sim/${path}`, {
      method,
      dispatcher: agent,
      ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
    });
    return (await answer.body.json()) as Record<string, unknown>;
  };
  const counts = async (reset = false) =>
    (await control(reset ? "DELETE" : "GET", "request-counts")) as Record<string, number>;
  return {
    ...ready,
    agent,
    counts,
    total: async (reset = false) => Object.values(await counts(reset)).reduce((a, b) => a + b, 0),
    fault: async (rule) => (await control("POST", "faults", rule)).id as string,
    peakRss: (reset = true) => ask<number>(child, { type: "peak", reset }, "peak", "rss"),
    cpuMs: () => ask<number>(child, { type: "cpu" }, "cpu", "ms"),
    stop: async () => {
      await agent.close();
      const exited = once(child, "exit");
      child.send({ type: "stop" });
      await exited;
    },
  };
}

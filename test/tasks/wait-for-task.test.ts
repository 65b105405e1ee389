import { HttpResponse, http } from "msw";
import { expect, test } from "vitest";
import { ScpTaskError, ScpValidationError } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { BASE, useMsw, v1 } from "../support/msw.js";
import { scriptedFetch } from "../support/scripted-fetch.js";

const server = useMsw();
const FAST = { pollIntervalMs: 1, maxIntervalMs: 2 };

/** Serves each task's statuses in order, one per poll, repeating the last; counts polls per task. */
function taskSequence(sequences: Record<string, Array<[string, number, string?]>>) {
  const polls: Record<string, number> = {};
  server.use(
    http.get(`${BASE}/janus/20180725/tasks/:id`, ({ params }) => {
      const id = String(params.id);
      const steps = sequences[id];
      if (!steps) {
        return HttpResponse.json({ code: 404, message: "no such task", data: {} }, { status: 404 });
      }
      const n = (polls[id] ?? 0) + 1;
      polls[id] = n;
      const [status, progress, description] = steps[Math.min(n, steps.length) - 1] as [string, number, string?];
      return v1({ task_id: id, status, progress, ...(description ? { description } : {}) });
    }),
  );
  return polls;
}

test("waits through waiting and doing to finish, reporting progress", async () => {
  taskSequence({
    t1: [
      ["waiting", -2],
      ["doing", 10],
      ["doing", 70],
      ["finish", 100],
    ],
  });
  const seen: number[] = [];
  const task = await testClient().tasks.wait(
    { taskId: "t1" },
    { ...FAST, onProgress: (t) => seen.push(t.progress ?? 0) },
  );
  expect(task.status).toBe("finish");
  expect(seen).toEqual([-2, 10, 70, 100]);
});

test("a failed task throws ScpTaskError with the reason SCP gave", async () => {
  taskSequence({
    t1: [
      ["doing", 50],
      ["failure", -1, "insufficient storage quota"],
    ],
  });
  const error = await testClient()
    .tasks.wait("t1", FAST)
    .catch((e) => e);
  expect(error).toBeInstanceOf(ScpTaskError);
  expect(error).toMatchObject({ taskId: "t1", reason: "failed" });
  expect(error.message).toBe("task t1 failed: insufficient storage quota");
});

test("a canceled task throws ScpTaskError with reason canceled; canceling keeps waiting", async () => {
  const polls = taskSequence({
    t1: [
      ["canceling", 40],
      ["canceled", 40],
    ],
  });
  await expect(testClient().tasks.wait("t1", FAST)).rejects.toMatchObject({ reason: "canceled" });
  expect(polls.t1).toBe(2);
});

test("a task that does not finish in time throws reason timeout with the last status", async () => {
  taskSequence({ t1: [["doing", 5]] });
  const error = await testClient()
    .tasks.wait("t1", { pollIntervalMs: 5, maxIntervalMs: 5, maxWaitMs: 30 })
    .catch((e) => e);
  expect(error).toMatchObject({ reason: "timeout", task: { status: "doing" } });
});

test("an abort stops waiting with the caller's reason", async () => {
  taskSequence({ t1: [["doing", 5]] });
  const controller = new AbortController();
  const reason = new Error("stop waiting");
  setTimeout(() => controller.abort(reason), 20);
  await expect(testClient().tasks.wait("t1", { pollIntervalMs: 5, signal: controller.signal })).rejects.toBe(reason);
});

test("waitAll polls every pending task once per round, not each in its own loop", async () => {
  const polls = taskSequence({
    a: [
      ["doing", 1],
      ["finish", 100],
    ],
    b: [
      ["doing", 1],
      ["doing", 2],
      ["doing", 3],
      ["finish", 100],
    ],
    c: [["finish", 100]],
  });
  const tasks = await testClient().tasks.waitAll(["a", "b", { taskId: "c" }], FAST);
  expect(tasks.map((t) => t.task_id)).toEqual(["a", "b", "c"]);
  expect(polls).toEqual({ a: 2, b: 4, c: 1 });
});

test("a task not found for a moment after it started is waited for", async () => {
  let calls = 0;
  server.use(
    http.get(`${BASE}/janus/20180725/tasks/:id`, () =>
      ++calls < 3
        ? HttpResponse.json({ code: 404, message: "no such task", data: {} }, { status: 404 })
        : v1({ task_id: "t1", status: "finish" }),
    ),
  );
  await expect(testClient().tasks.wait("t1", FAST)).resolves.toMatchObject({ status: "finish" });
});

test("a zero poll interval (a busy loop) is refused before polling", async () => {
  taskSequence({ t1: [["doing", 1]] });
  await expect(testClient().tasks.wait("t1", { pollIntervalMs: 0 })).rejects.toThrow(
    "invalid wait options: pollIntervalMs",
  );
});

test("tasks.listAll walks the task list with its filters", async () => {
  const all = Array.from({ length: 130 }, (_, i) => ({
    id: `t-${i}`,
    status: i % 2 ? "finish" : "doing",
    object_id: "vm-1",
  }));
  const seen: URLSearchParams[] = [];
  server.use(
    http.get(`${BASE}/janus/20180725/tasks`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      seen.push(query);
      const pageNum = Number(query.get("page_num"));
      const items = all.slice(pageNum * 100, pageNum * 100 + 100);
      return v1({
        data: items,
        page_num: pageNum,
        page_size: 100,
        total_size: all.length,
        next_page_num: pageNum === 0 ? "1" : "",
      });
    }),
  );
  const tasks: string[] = [];
  for await (const task of testClient().tasks.listAll({ object_id: "vm-1", status: "doing" })) {
    tasks.push(task.id);
  }
  expect(tasks).toHaveLength(130);
  expect(seen.map((q) => [q.get("page_num"), q.get("object_id"), q.get("status")])).toEqual([
    ["0", "vm-1", "doing"],
    ["1", "vm-1", "doing"],
  ]);
});

test("a negative, fractional, infinite or too long poll interval is refused before any read", async () => {
  const polls = taskSequence({ t1: [["doing", 1]] });
  for (const bad of [-5, 0.5, Number.POSITIVE_INFINITY, Number.NaN, 2 ** 40]) {
    await expect(testClient().tasks.wait("t1", { pollIntervalMs: bad })).rejects.toThrow(
      "invalid wait options: pollIntervalMs",
    );
    await expect(testClient().tasks.wait("t1", { maxWaitMs: bad })).rejects.toThrow("invalid wait options: maxWaitMs");
  }
  // An unknown option (the old name of maxWaitMs, say) is refused, not ignored.
  await expect(testClient().tasks.wait("t1", { timeoutMs: 5 } as never)).rejects.toThrow("timeoutMs");
  expect(polls).toEqual({});
});

test("the first failure in waitAll stops polling the other tasks", async () => {
  const polls = taskSequence({
    bad: [["failure", -1, "disk full"]],
    slow: [["doing", 1]],
  });
  await expect(testClient().tasks.waitAll(["bad", "slow"], FAST)).rejects.toMatchObject({ taskId: "bad" });
  const seen = polls.slow;
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(polls.slow).toBe(seen);
});

test("a client with an onTask hook still refuses a bad onProgress or bad wait options before the first read", async () => {
  const fetch = scriptedFetch([]);
  const scp = testClient({ fetch, hooks: { onTask: () => undefined } });
  for (const options of [{ onProgress: {} }, { onProgress: "log" }, null, "fast"]) {
    await expect(scp.tasks.wait("t-1", options as never)).rejects.toBeInstanceOf(ScpValidationError);
    await expect(scp.tasks.waitAll(["t-1"], options as never)).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(fetch.requests).toHaveLength(0);
});

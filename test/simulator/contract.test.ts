import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../../src/generated/operations.js";
import { noContentBody } from "../../src/simulator/responses.js";
import { type ContractEnv, contractEnv, scenarios } from "./contract-scenarios.js";
import { createResponseValidator, loadSpec } from "./openapi-validator.js";
import type { ApiResult } from "./support.js";

const spec = loadSpec();
const validatorFor = createResponseValidator(spec);
let env: ContractEnv;

beforeAll(async () => {
  env = await contractEnv();
});
afterAll(async () => {
  await env.sim.close();
  await env.lab.sim.close();
});

/** Checks an answer against the spec: a documented status, the documented media type, a valid JSON body. */
function checkAgainstSpec(method: string, path: string, result: ApiResult): void {
  const rule = validatorFor(method, path, result.status);
  expect(rule, `${method} ${path} answered ${result.status}, which the spec does not list`).toBeDefined();
  if (!rule) {
    return;
  }
  const sideBody = noContentBody(result.response);
  const body = sideBody ? JSON.parse(new TextDecoder().decode(sideBody)) : result.body;
  if (result.status === 204 && body === undefined) {
    return;
  }
  const type = result.response.headers.get("content-type") ?? "";
  if (!sideBody) {
    expect(
      rule.mediaTypes.some((m) => type.startsWith(m)),
      `content-type ${type}`,
    ).toBe(true);
  }
  if (rule.validate) {
    const valid = rule.validate(body);
    expect(valid, `${method} ${path} ${result.status}: ${JSON.stringify(rule.validate.errors)}`).toBe(true);
  }
}

describe("contract: every operation of openapi/scp.yaml", () => {
  it("lists exactly the spec's operations in the generated table, each with a scenario", () => {
    const inSpec = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item as object)
        .filter(([method]) => ["get", "put", "post", "delete", "patch"].includes(method))
        .map(([method, op]) => `${method.toUpperCase()} ${path} ${(op as { operationId: string }).operationId}`),
    );
    expect(operations.map((o) => `${o.method} ${o.path} ${o.operationId}`).sort()).toEqual(inSpec.sort());
    expect(Object.keys(scenarios).sort()).toEqual(operations.map((o) => o.operationId).sort());
  });

  for (const op of operations) {
    it(`${op.operationId}: succeeds as specified`, async () => {
      const scenario = scenarios[op.operationId];
      expect(scenario, `no contract scenario for ${op.operationId}`).toBeDefined();
      const result = await scenario?.success(env);
      if (!result) {
        return;
      }
      // A missing route (404 "no such API") or a missing handler (501) fails here.
      expect(result.status, JSON.stringify(result.body)).toBeGreaterThanOrEqual(200);
      expect(result.status, JSON.stringify(result.body)).toBeLessThan(300);
      checkAgainstSpec(op.method, op.path, result);
      if (op.async) {
        const data = result.body?.data ?? JSON.parse(new TextDecoder().decode(noContentBody(result.response))).data;
        expect(typeof data.task_id).toBe("string");
      }
    });

    it(`${op.operationId}: fails as specified`, async () => {
      const result = await scenarios[op.operationId]?.error(env);
      if (!result) {
        return;
      }
      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(result.status).not.toBe(501);
      expect(result.body?.message ?? "").not.toMatch(/^no such API/);
      checkAgainstSpec(op.method, op.path, result);
      const code = op.envelope === "v1" ? result.body.code : Number(result.body.errcode);
      expect(code).toBe(result.status);
    });
  }
});

describe("contract harness", () => {
  it("rejects bodies that break the spec's schemas", () => {
    const publicKey = validatorFor("GET", "/janus/public-key", 200)?.validate;
    expect(publicKey?.({ code: 0, message: "", data: { public_key: "ab\n" } })).toBe(true);
    expect(publicKey?.({ code: 0, message: "", data: {} })).toBe(false);
    expect(publicKey?.({ errcode: "", message: "", data: { public_key: "ab\n" } })).toBe(false);
    const page = validatorFor("GET", "/janus/20240725/servers", 200)?.validate;
    const data = { page_num: 0, page_size: 1, total_size: 0, next_page_num: 0, data: [] };
    expect(page?.({ errcode: "", message: "", data })).toBe(false);
    expect(page?.({ errcode: "", message: "", data: { ...data, next_page_num: "" } })).toBe(true);
    const v2Error = validatorFor("GET", "/janus/20240725/servers", 404)?.validate;
    expect(v2Error?.({ errcode: 404, message: "x", data: {} })).toBe(false);
  });

  it("sees a missing route as a failure (404 no such API), not as behaviour", async () => {
    const result = await env.call("GET", "/janus/20180725/not-an-operation");
    expect(result.status).toBe(404);
    expect(result.body.message).toMatch(/^no such API/);
  });
});

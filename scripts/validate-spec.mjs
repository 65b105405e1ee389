// Validates openapi/scp.yaml with a real OpenAPI validator, then checks our own conventions:
// every operation has an operationId and x-scp-min-version, and x-scp-async marks exactly the
// operations whose success answer carries a task_id.
import SwaggerParser from "@apidevtools/swagger-parser";

const SPEC = "openapi/scp.yaml";
const METHODS = ["get", "put", "post", "delete", "patch"];

const api = await SwaggerParser.validate(SPEC);
const problems = [];

function carriesTaskId(schema, seen = new Set()) {
  if (!schema || typeof schema !== "object" || seen.has(schema)) {
    return false;
  }
  seen.add(schema);
  // A task object (it has a status) describes a task; it does not start one.
  if (schema.properties?.task_id) {
    return !schema.properties.status;
  }
  const parts = [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
  if (schema.properties?.data) {
    parts.push(schema.properties.data);
  }
  return parts.some((s) => carriesTaskId(s, seen));
}

let count = 0;
for (const [path, item] of Object.entries(api.paths)) {
  for (const method of METHODS) {
    const op = item[method];
    if (!op) {
      continue;
    }
    count++;
    const where = `${method.toUpperCase()} ${path}`;
    if (!op.operationId) {
      problems.push(`${where}: no operationId`);
    }
    if (!/^\d+\.\d+\.\d+$/.test(op["x-scp-min-version"] ?? "")) {
      problems.push(`${where}: x-scp-min-version missing or not x.y.z`);
    }
    const success = Object.entries(op.responses).filter(([code]) => code.startsWith("2"));
    const hasTask = success.some(([, r]) => carriesTaskId(r.content?.["application/json"]?.schema));
    if (hasTask !== (op["x-scp-async"] === true)) {
      problems.push(`${where}: x-scp-async must be ${hasTask}`);
    }
    const conf = op["x-scp-confidence"];
    if (conf !== undefined && conf !== "documented" && conf !== "inferred") {
      problems.push(`${where}: bad x-scp-confidence`);
    }
  }
}

if (problems.length > 0) {
  for (const p of problems) {
    console.error(p);
  }
  process.exit(1);
}
console.log(`spec valid: OpenAPI ${api.openapi}, ${count} operations, conventions hold`);

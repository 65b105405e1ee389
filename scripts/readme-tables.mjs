// Writes two tables into README.md from openapi/scp.yaml, between marker comments: which SCP release each area of
// the API needs (x-scp-min-version), and which wire details are still our inference (x-scp-confidence: inferred)
// rather than Sangfor's published description. `--check` exits 1 when README.md is stale.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { writeGenerated } from "./write-generated.mjs";

const README = "README.md";
const spec = parse(readFileSync("openapi/scp.yaml", "utf8"));
const METHODS = ["get", "put", "post", "delete", "patch"];
const AREAS = {
  auth: "Password login (token auth)",
  platform: "Platform facts, pools, hosts, tenants",
  servers: "VMs: list, read, create, edit, power, delete",
  images: "Images: create, upload, make from a VM",
  guest: "Scripts in a guest (vmtools)",
  tasks: "Tasks",
  snapshots: "Snapshots",
  cbt: "Changed block tracking",
  backup: "Backup resources (VM locks)",
  hotadd: "Hot-adding disks to a proxy",
};

const byNumber = (a, b) => {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) {
      return d;
    }
  }
  return 0;
};

const operations = [];
for (const [path, item] of Object.entries(spec.paths)) {
  for (const method of METHODS) {
    const op = item[method];
    if (op) {
      // The hot-add calls are tagged with backup resources in the spec; they get their own row here.
      const tag = /\/disks(\/action)?$/.test(path) ? "hotadd" : (op.tags?.[0] ?? "other");
      operations.push({ path, method: method.toUpperCase(), op, tag });
    }
  }
}

function versionTable() {
  const rows = [["Area", "Needs SCP", "Operations", "Newest needed by"]];
  const tags = [...new Set(operations.map((o) => o.tag))];
  for (const tag of tags) {
    const ops = operations.filter((o) => o.tag === tag);
    const versions = ops.map((o) => o.op["x-scp-min-version"]).sort(byNumber);
    const newest = ops.filter((o) => o.op["x-scp-min-version"] === versions.at(-1));
    const range = versions[0] === versions.at(-1) ? versions[0] : `${versions[0]} – ${versions.at(-1)}`;
    rows.push([AREAS[tag] ?? tag, range, String(ops.length), newest.map((o) => `\`${o.op.operationId}\``).join(", ")]);
  }
  return rows;
}

function propertiesInferred(schema, path, found, seen = new Set()) {
  if (!schema || typeof schema !== "object" || seen.has(schema)) {
    return;
  }
  seen.add(schema);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (prop?.["x-scp-confidence"] === "inferred") {
      found.push(`${path}.${name}`);
    }
    propertiesInferred(prop, `${path}.${name}`, found, seen);
  }
  for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), schema.items].filter(Boolean)) {
    propertiesInferred(part, path, found, seen);
  }
}

function inferredTable() {
  const rows = [["What", "Where", "Why it is a guess"]];
  for (const { path, method, op } of operations) {
    if (op["x-scp-confidence"] === "inferred") {
      const text = (op.description ?? op.summary ?? "").replace(/\s+/g, " ").trim();
      const why = text.length > 220 ? `${text.slice(0, 220).replace(/\s\S*$/, "")} …` : text;
      rows.push([`\`${method} ${path}\``, "operation", why.replace(/\|/g, "\\|")]);
    }
  }
  // Fields of the schemas only the inferred calls use are covered by those calls' rows.
  const covered = /^(HotAdd|ServerDisksAction)/;
  for (const [name, schema] of Object.entries(spec.components?.schemas ?? {})) {
    const found = [];
    propertiesInferred(schema, name, found);
    if (found.length > 0 && !covered.test(name)) {
      const fields = found.map((f) => `\`${f.slice(name.length + 1)}\``).join(", ");
      rows.push([
        `\`${name}\`: ${fields}`,
        "fields",
        "not in Sangfor's 6.11.1 description: our reading of the 6.11.3 guides",
      ]);
    }
  }
  return rows;
}

// Columns padded to their widest cell, as the formatter (Biome) lays out Markdown tables.
function render(rows) {
  const widths = rows[0].map((_, i) => Math.max(3, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(rows[0]), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)].join("\n");
}

function replaceBetween(text, marker, body) {
  const begin = `<!-- begin:${marker} (written by scripts/readme-tables.mjs from openapi/scp.yaml) -->`;
  const end = `<!-- end:${marker} -->`;
  const at = text.indexOf(begin);
  const to = text.indexOf(end);
  if (at < 0 || to < at) {
    throw new Error(`${README} has no ${marker} markers`);
  }
  return `${text.slice(0, at + begin.length)}\n${body}\n${text.slice(to)}`;
}

const current = readFileSync(README, "utf8");
let next = replaceBetween(current, "scp-versions", render(versionTable()));
next = replaceBetween(next, "inferred-wire", render(inferredTable()));
writeGenerated(README, next, `${README} (its tables)`);

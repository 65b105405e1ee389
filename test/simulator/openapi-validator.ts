import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formatsModule from "ajv-formats";
import { parse } from "yaml";

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
// ajv-formats is CommonJS; depending on the loader its function is the default export or its `default`.
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ??
  formatsModule) as unknown as FormatsPlugin;

/** The parsed `openapi/scp.yaml`. */
// biome-ignore lint/suspicious/noExplicitAny: the spec is walked as plain JSON.
export type Spec = any;

/** Loads our spec. */
export function loadSpec(): Spec {
  return parse(readFileSync(new URL("../../openapi/scp.yaml", import.meta.url), "utf8"));
}

/** What the spec says a response of an operation with a status looks like. */
export interface ResponseRule {
  /** The spec's response key that matched: "200", "4XX", … */
  readonly key: string;
  /** Media types the response may have (empty: no body). */
  readonly mediaTypes: readonly string[];
  /** Validates a JSON body; undefined when the response has no JSON schema. */
  readonly validate: ValidateFunction | undefined;
}

/**
 * Validates responses against the spec's schemas with a real JSON Schema 2020-12 validator (OpenAPI 3.1 schemas
 * are JSON Schema): the whole document is one schema resource, each response schema is reached by JSON pointer,
 * so `$ref`s resolve as written.
 */
export function createResponseValidator(spec: Spec) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(spec, "scp");
  const cache = new Map<string, ValidateFunction>();
  const compile = (pointer: string) => {
    let fn = cache.get(pointer);
    if (!fn) {
      fn = ajv.compile({ $ref: `scp#${pointer}` });
      cache.set(pointer, fn);
    }
    return fn;
  };
  return (method: string, path: string, status: number): ResponseRule | undefined => {
    const responses = spec.paths?.[path]?.[method.toLowerCase()]?.responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, "default"].find((k) => k in responses);
    if (key === undefined) {
      return undefined;
    }
    let pointer = `/paths/${pointerSegment(path)}/${method.toLowerCase()}/responses/${pointerSegment(key)}`;
    let response = responses[key];
    if (typeof response.$ref === "string") {
      pointer = response.$ref.slice(1);
      response = resolvePointer(spec, pointer);
    }
    const mediaTypes = Object.keys(response.content ?? {});
    const json = response.content?.["application/json"]?.schema;
    const validate = json ? compile(`${pointer}/content/${pointerSegment("application/json")}/schema`) : undefined;
    return { key, mediaTypes, validate };
  };
}

function pointerSegment(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, "~0").replace(/\//g, "~1"));
}

function resolvePointer(spec: Spec, pointer: string): Spec {
  return pointer
    .split("/")
    .slice(1)
    .reduce((node, part) => node?.[decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~")], spec);
}

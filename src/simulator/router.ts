import type { OperationFacts } from "../generated/operations.js";

/** An operation of the spec matched to a concrete path. */
export interface Route {
  /** The operation. */
  readonly op: OperationFacts;
  /** Path parameters by name. */
  readonly params: Readonly<Record<string, string>>;
}

interface CompiledRoute {
  readonly op: OperationFacts;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/** Builds a matcher over the spec's operations; literal segments win over parameters. */
export function createRouter(
  operations: readonly OperationFacts[],
): (method: string, path: string) => Route | undefined {
  const compiled = [...operations].sort((a, b) => paramCount(a.path) - paramCount(b.path)).map((op) => compile(op));
  return (method, path) => {
    for (const route of compiled) {
      if (route.op.method !== method) {
        continue;
      }
      const match = route.pattern.exec(path);
      if (match) {
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => {
          params[name] = decodeURIComponent(match[i + 1] ?? "");
        });
        return { op: route.op, params };
      }
    }
    return undefined;
  };
}

function paramCount(path: string): number {
  return (path.match(/\{/g) ?? []).length;
}

function compile(op: OperationFacts): CompiledRoute {
  const names: string[] = [];
  const source = op.path
    .split("/")
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param?.[1]) {
        names.push(param[1]);
        return "([^/]+)";
      }
      return segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { op, pattern: new RegExp(`^${source}/?$`), names };
}

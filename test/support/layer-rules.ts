// The layering rules of src/ as data (see ../../../shared/design/architecture.md §5.3). check-architecture.ts
// enforces them on every module reference, type-only ones included.

/** How one layer may use another: "value" allows any import, "type" only imports erased at runtime. */
export type Use = "value" | "type";

/** A group of files and what it may import. */
export interface Layer {
  name: string;
  /** Exact paths, or `dir/**` for everything below `dir/`. Every file of src/ matches exactly one layer. */
  files: readonly string[];
  /** Layer names or exact file paths it may import. A layer may always import its own files. */
  may: Readonly<Record<string, Use>>;
  /** Why, in words, for the failure message. */
  why: string;
}

const SDK_BELOW_TRANSPORT = { generated: "value", errors: "value", core: "value", base: "value" } as const;

/** The layers of src/, lowest first. */
export const LAYERS: readonly Layer[] = [
  { name: "generated", files: ["src/generated/**"], may: {}, why: "generated code imports nothing from src/" },
  {
    name: "errors",
    files: ["src/errors/**"],
    may: { generated: "type" },
    why: "the error classes are a leaf: generated types only",
  },
  {
    name: "core",
    files: ["src/sleep.ts", "src/version.ts", "src/hash-file.ts", "src/batched-web-stream.ts"],
    may: { generated: "value", errors: "value" },
    why: "core leaves use only generated code",
  },
  {
    name: "base",
    files: [
      "src/validate.ts",
      "src/schemas.ts",
      "src/options.ts",
      "src/resolve-options.ts",
      "src/observability.ts",
      "src/types.ts",
    ],
    may: { generated: "value", errors: "value", core: "value" },
    why: "validation, schemas, options and type aliases sit below transport",
  },
  {
    name: "transport",
    files: ["src/transport/**"],
    may: SDK_BELOW_TRANSPORT,
    why: "transport is HTTP mechanics and knows nothing of resources, tasks or workflows",
  },
  {
    name: "tasks",
    files: ["src/tasks/**"],
    may: { ...SDK_BELOW_TRANSPORT, resources: "type" },
    why: "tasks take a reader interface: no transport, resources as types only",
  },
  {
    name: "resources",
    files: ["src/resources/**"],
    may: { ...SDK_BELOW_TRANSPORT, transport: "value", tasks: "value" },
    why: "resources sit on transport and tasks, below the client",
  },
  {
    name: "client",
    files: ["src/client.ts"],
    may: { ...SDK_BELOW_TRANSPORT, transport: "value", tasks: "value", resources: "value" },
    why: "the client wires transport and resources, never workflows",
  },
  {
    name: "workflows",
    files: ["src/workflows/**"],
    may: { errors: "value", core: "value", base: "value", tasks: "value", client: "type", resources: "type" },
    why: "workflows use only the public client surface: src/types.ts aliases, no generated code, no transport",
  },
  {
    name: "index",
    files: ["src/index.ts"],
    may: {
      ...SDK_BELOW_TRANSPORT,
      transport: "value",
      tasks: "value",
      resources: "value",
      client: "value",
      workflows: "value",
    },
    why: "the public entry re-exports the SDK only",
  },
  {
    name: "simulator",
    files: ["src/simulator/**"],
    may: { generated: "value", "src/version.ts": "value", "src/batched-web-stream.ts": "value" },
    why: "the simulator shares only the generated code, version.ts and batched-web-stream.ts with the SDK",
  },
  {
    name: "cli",
    files: ["src/cli/**"],
    may: { "src/index.ts": "value", "src/simulator/index.ts": "value" },
    why: "the CLI uses the two public entries only",
  },
];

/** Layers the SDK never imports (only each other, as their own rows allow). */
export const OUTSIDE_SDK: readonly string[] = ["simulator", "cli"];

/** Where a third-party package may be imported: `only` these files, or anywhere but `never` these. */
export interface PackageRule {
  name: string;
  only?: readonly string[];
  never?: readonly string[];
}

/** Third-party packages confined to the files that own them. */
export const PACKAGES: readonly PackageRule[] = [
  { name: "openapi-fetch", only: ["src/transport/http-client.ts"] },
  { name: "p-retry", only: [] },
  // Options name undici's Dispatcher type; only the transport loads undici.
  { name: "undici", only: ["src/transport/**", "src/options.ts", "src/resolve-options.ts"] },
  { name: "yaml", only: ["src/simulator/**", "src/cli/**"] },
  // The command line's own libraries: bundled into the CLI only, never loaded by the SDK's entries.
  { name: "commander", only: ["src/cli/**"] },
  { name: "cli-progress", only: ["src/cli/**"] },
  { name: "cli-table3", only: ["src/cli/**"] },
  { name: "picocolors", only: ["src/cli/**"] },
  { name: "@opentelemetry/api", only: ["src/transport/**"] },
  { name: "zod", never: ["src/errors/**"] },
];

/** Import cycles tolerated for now, each as its exact set of files. */
export const KNOWN_CYCLES: readonly (readonly string[])[] = [];

/** Files allowed one computed `import()`, and why: the target is an optional peer no bundler may resolve. */
export const COMPUTED_IMPORTS: Readonly<Record<string, string>> = {
  "src/transport/tracing.ts": "@opentelemetry/api is an optional peer: an application's bundler must not resolve it",
};

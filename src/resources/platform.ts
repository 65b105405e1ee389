import { z } from "zod";
import { ScpResponseError } from "../errors/call.js";
import { ScpUnsupportedVersionError } from "../errors/workflow.js";
import type { Az, Host, operations, PlatformInfo, StorageTag } from "../generated/schema.js";
import { AnyGate, AzGate, gate, SystemVersionGate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { MAX_PAGE_SIZE, pageSchema, paginate, type ScpPage } from "../transport/paginate.js";
import { parseInput } from "../validate.js";
import { compareVersions, parseScpVersion, VERSION_PATTERN } from "../version.js";
import { parseId, parseQuery, type RequestOptions } from "./request-options.js";

/** Filters and paging of a resource-pool list. */
export type AzListQuery = NonNullable<operations["getAzs"]["parameters"]["query"]>;
/** Filters and paging of a host list. */
export type HostListQuery = NonNullable<operations["getPhysicalHostList"]["parameters"]["query"]>;

/** The platform's version. */
export interface ScpVersion {
  /** `major.minor.patch`, e.g. `6.11.3`. */
  version: string;
  /** The build string SCP reports, e.g. `SCP6.11.3B-2025-03-01…`. */
  buildVersion: string;
  /** Custom packages installed. */
  customVersion: string[];
}

const AzPage = pageSchema(AzGate);
const AZS = "/janus/20180725/azs";
const HOSTS = "/janus/20240725/hosts";
const TAGS = "/janus/20180725/storages/tags";
const HostPage = pageSchema(gate<Host>()(z.looseObject({ id: z.string(), name: z.string() })));
const StorageTagPage = pageSchema(gate<StorageTag>()(z.looseObject({ id: z.string(), name: z.string() })));

/** How long a client trusts the version it read: gates then cost one request per run, not one per call. */
const VERSION_TTL_MS = 60_000;

// Checked before the version is read: a minimum that is not a version would compare as NaN and always pass.
const RequirementSchema = z.object({
  minVersion: z.string().regex(VERSION_PATTERN, "must be a version such as 6.11.3"),
  feature: z.string().trim().min(1, "must name the feature"),
});

/** Platform facts: version and cluster. */
export class System {
  readonly #transport: Transport;
  #cached: { readAtMs: number; value: ScpVersion } | undefined;

  /** @internal */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Reads the SCP version (always from the platform; version gates reuse what the client read in the last minute). */
  async version(options?: RequestOptions): Promise<ScpVersion> {
    const value = await this.#read(options);
    this.#cached = { readAtMs: Date.now(), value };
    return value;
  }

  /** The version read in the last minute, else a fresh read: what gates use, so a run costs one request, not one per call. */
  async #recentVersion(options?: RequestOptions): Promise<ScpVersion> {
    const cached = this.#cached;
    if (cached && Date.now() - cached.readAtMs < VERSION_TTL_MS) {
      options?.signal?.throwIfAborted();
      return cached.value;
    }
    return this.version(options);
  }

  async #read(options?: RequestOptions): Promise<ScpVersion> {
    const data = await this.#transport.data(
      (init) => this.#transport.http.GET("/janus/20180725/system/version", { ...init }),
      SystemVersionGate,
      options,
    );
    const version = parseScpVersion(data.build_version);
    if (!version) {
      throw new ScpResponseError({
        method: "GET",
        path: "/janus/20180725/system/version",
        status: 200,
        issues: [{ path: ["data", "build_version"], message: "has no x.y.z version" }],
      });
    }
    return { version, buildVersion: data.build_version, customVersion: data.custom_version ?? [] };
  }

  /** Reads the platform's version, cluster and region. */
  async platform(options?: RequestOptions): Promise<PlatformInfo> {
    return (await this.#transport.data(
      (init) => this.#transport.http.GET("/janus/20180725/platform", { ...init }),
      AnyGate,
      options,
    )) as PlatformInfo;
  }

  /**
   * Checks that the platform runs at least `minVersion` (with the version the client read in the last minute, if any).
   * @throws {@link ScpUnsupportedVersionError} naming `feature` when it does not.
   */
  async requireVersion(minVersion: string, feature: string, options?: RequestOptions): Promise<ScpVersion> {
    parseInput(RequirementSchema, { minVersion, feature }, "version requirement");
    const current = await this.#recentVersion(options);
    if (compareVersions(current.version, minVersion) < 0) {
      throw new ScpUnsupportedVersionError({ feature, requiredVersion: minVersion, actualVersion: current.version });
    }
    return current;
  }
}

/** Resource pools (availability zones). */
export class Azs {
  readonly #transport: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Reads one page of resource pools. */
  async list(query: AzListQuery = {}, options?: RequestOptions): Promise<ScpPage<Az>> {
    const q = parseQuery(query, "resource pool list query");
    return this.#transport.data(
      (init) => this.#transport.http.GET(AZS, { params: { query: q }, ...init }),
      AzPage,
      options,
    );
  }

  /** Iterates over every resource pool. */
  listAll(query: Omit<AzListQuery, "page_num"> = {}, options?: RequestOptions): AsyncGenerator<Az, void, undefined> {
    // Checked before it is spread into each page's query (a string would spread into numbered keys).
    const q = parseQuery(query, "resource pool list query");
    const pageSize = q.page_size ?? MAX_PAGE_SIZE;
    return paginate((page_num) => this.list({ page_size: pageSize, ...q, page_num }, options), {
      pageSize,
      path: AZS,
    });
  }
}

/** Physical hosts. */
export class Hosts {
  readonly #transport: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Reads one page of hosts. */
  async list(query: HostListQuery = {}, options?: RequestOptions): Promise<ScpPage<Host>> {
    const q = parseQuery(query, "host list query");
    return this.#transport.data(
      (init) => this.#transport.http.GET(HOSTS, { params: { query: q }, ...init }),
      HostPage,
      options,
    );
  }

  /** Iterates over every host matching the query. */
  listAll(
    query: Omit<HostListQuery, "page_num"> = {},
    options?: RequestOptions,
  ): AsyncGenerator<Host, void, undefined> {
    // Checked before it is spread into each page's query (a string would spread into numbered keys).
    const q = parseQuery(query, "host list query");
    const pageSize = q.page_size ?? MAX_PAGE_SIZE;
    return paginate((page_num) => this.list({ page_size: pageSize, ...q, page_num }, options), {
      pageSize,
      path: HOSTS,
    });
  }
}

/** Storage tags a tenant has quota on. */
export class StorageTags {
  readonly #transport: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Reads one page of a pool's storage tags. */
  async list(
    azId: string,
    query: { page_num?: number; page_size?: number; project_id?: string } = {},
    options?: RequestOptions,
  ): Promise<ScpPage<StorageTag>> {
    const az_id = parseId(azId, "resource pool id");
    const q = { ...parseQuery(query, "storage tag list query"), az_id };
    return this.#transport.data(
      (init) => this.#transport.http.GET(TAGS, { params: { query: q }, ...init }),
      StorageTagPage,
      options,
    );
  }

  /** Iterates over every storage tag of a pool. */
  listAll(azId: string, options?: RequestOptions): AsyncGenerator<StorageTag, void, undefined> {
    return paginate((page_num) => this.list(azId, { page_size: MAX_PAGE_SIZE, page_num }, options), {
      pageSize: MAX_PAGE_SIZE,
      path: TAGS,
    });
  }
}

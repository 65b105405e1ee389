import { z } from "zod";
import { ScpNotFoundError } from "../errors/api.js";
import type { operations, Project, User } from "../generated/schema.js";
import { gate, ProjectGate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { MAX_PAGE_SIZE, pageSchema, paginate, type ScpPage } from "../transport/paginate.js";
import { parseQuery, type RequestOptions } from "./request-options.js";

/** Filters and paging of a tenant list. */
export type ProjectListQuery = NonNullable<operations["getTenantListV2"]["parameters"]["query"]>;
/** Filters and paging of a user list. */
export type UserListQuery = NonNullable<operations["getUsersJanus20190725"]["parameters"]["query"]>;

const ProjectPage = pageSchema(ProjectGate);
const PROJECTS = "/janus/20190725/projects";
const USERS = "/janus/20190725/users";
const UserPage = pageSchema(gate<User>()(z.looseObject({ id: z.string(), name: z.string(), project_id: z.string() })));

/** Tenants (projects), including the platform administrator's. */
export class Projects {
  readonly #transport: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Reads one page of tenants. */
  async list(query: ProjectListQuery = {}, options?: RequestOptions): Promise<ScpPage<Project>> {
    const q = parseQuery(query, "tenant list query");
    return this.#transport.data(
      (init) => this.#transport.http.GET(PROJECTS, { params: { query: q }, ...init }),
      ProjectPage,
      options,
    );
  }

  /** Iterates over every tenant matching the query. */
  listAll(
    query: Omit<ProjectListQuery, "page_num"> = {},
    options?: RequestOptions,
  ): AsyncGenerator<Project, void, undefined> {
    // Checked before it is spread into each page's query (a string would spread into numbered keys).
    const q = parseQuery(query, "tenant list query");
    const pageSize = q.page_size ?? MAX_PAGE_SIZE;
    return paginate((page_num) => this.list({ page_size: pageSize, ...q, page_num }, options), {
      pageSize,
      path: PROJECTS,
    });
  }

  /** The platform administrator tenants (`role_type` admin). */
  async administrators(options?: RequestOptions): Promise<Project[]> {
    const admins: Project[] = [];
    for await (const project of this.listAll({ role_type: "admin" }, options)) {
      // Filter again: an older SCP may ignore the role_type filter.
      if (project.role_type === "admin") {
        admins.push(project);
      }
    }
    return admins;
  }

  /**
   * The administrator's tenant id, the `owner_id` that makes an image usable by platform administrators only.
   * With several administrator tenants, the one named `admin` wins.
   * @throws {@link ScpNotFoundError} when the platform lists none.
   */
  async getAdministratorId(options?: RequestOptions): Promise<string> {
    const admins = await this.administrators(options);
    const chosen = admins.find((p) => p.name === "admin" || p.username === "admin") ?? admins[0];
    if (!chosen) {
      throw new ScpNotFoundError({
        status: 404,
        serverMessage: "no administrator tenant listed",
        method: "GET",
        path: "/janus/20190725/projects",
      });
    }
    return chosen.id;
  }
}

/** Platform users. */
export class Users {
  readonly #transport: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Reads one page of users. */
  async list(query: UserListQuery = {}, options?: RequestOptions): Promise<ScpPage<User>> {
    const q = parseQuery(query, "user list query");
    return this.#transport.data(
      (init) => this.#transport.http.GET(USERS, { params: { query: q }, ...init }),
      UserPage,
      options,
    );
  }

  /** Iterates over every user matching the query. */
  listAll(
    query: Omit<UserListQuery, "page_num"> = {},
    options?: RequestOptions,
  ): AsyncGenerator<User, void, undefined> {
    // Checked before it is spread into each page's query (a string would spread into numbered keys).
    const q = parseQuery(query, "user list query");
    const pageSize = q.page_size ?? MAX_PAGE_SIZE;
    return paginate((page_num) => this.list({ page_size: pageSize, ...q, page_num }, options), {
      pageSize,
      path: USERS,
    });
  }
}

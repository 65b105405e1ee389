import { z } from "zod";
import { ScpNotFoundError } from "../errors/api.js";
import type {
  CreateImageFromServerRequest,
  CreateImageRequest,
  Image,
  operations,
  UpdateImageRequest,
} from "../generated/schema.js";
import { AnyGate, CreateImageResultGate, gate, ImageGate, TaskRefGate } from "../schemas.js";
import type { Transport } from "../transport/create-transport.js";
import { MAX_PAGE_SIZE, pageSchema, paginate, type ScpPage } from "../transport/paginate.js";
import { parseInput } from "../validate.js";
import { downloadImageFile } from "./image-download.js";
import {
  type DownloadOptions,
  type DownloadResult,
  type DownloadTarget,
  parseDownload,
  parseUpload,
  type TransferOptions,
  type UploadSource,
} from "./image-transfer.js";
import { uploadImageFile } from "./image-upload.js";
import { parseId, parseQuery, type RequestOptions, type TaskRef } from "./request-options.js";

/** Filters and paging of an image list. */
export type ImageListQuery = NonNullable<operations["listImagesV2"]["parameters"]["query"]>;

/** A created image record and the task that prepares it. */
export interface CreateImageRef extends TaskRef {
  /** The new image's id. */
  imageId: string;
}

const ImagePage = pageSchema(ImageGate);
const LIST = "/janus/20200725/images";
const poolIds = z.array(z.string().min(1)).min(1, "must name at least one resource pool");
const name = z.string().trim().min(1).max(128);

const CreateImageInput = gate<CreateImageRequest>()(
  z.looseObject({
    name: name.exactOptional(),
    azs: poolIds,
    disk_format: z.enum(["ISO", "aCloud"]),
    image_type: z.enum(["public", "private", "vnetdev", "service"]),
  }),
);

const CreateFromServerInput = gate<CreateImageFromServerRequest>()(
  z.looseObject({ server_id: z.string().min(1), name, os_type: z.string().min(1), azs: poolIds }),
);

/**
 * Fields that decide who may see or use an image. SCP's edit operation documents none of them, and forwarding one
 * could turn a private, administrator-owned proxy image into a public or another tenant's image one level below
 * the workflows that check it; an image's access is set when it is created.
 */
const ACCESS_FIELDS = ["image_type", "owner_id", "visibility", "image_members"] as const;

const UpdateImageInput = gate<UpdateImageRequest>()(
  z
    .looseObject({
      name: name.exactOptional(),
      description: z.string().exactOptional(),
      os_type: z.string().min(1).exactOptional(),
      azs: poolIds.exactOptional(),
    })
    .refine((patch) => Object.keys(patch).length > 0, "must change at least one field")
    .superRefine((patch, ctx) => {
      for (const field of ACCESS_FIELDS.filter((f) => f in patch)) {
        const message = "cannot be changed by an edit: who may use an image is set when it is created";
        ctx.addIssue({ code: "custom", path: [field], message });
      }
    }),
);

/** Images: list, create and upload, make from a VM, export and download, edit, delete. */
export class Images {
  readonly #t: Transport;
  readonly #defaultIdleMs: number;

  /** @internal */
  constructor(transport: Transport, defaultIdleMs: number) {
    this.#t = transport;
    this.#defaultIdleMs = defaultIdleMs;
  }

  /** Reads one page of images. */
  async list(query: ImageListQuery = {}, options?: RequestOptions): Promise<ScpPage<Image>> {
    const q = parseQuery(query, "image list query");
    return this.#t.data((init) => this.#t.http.GET(LIST, { params: { query: q }, ...init }), ImagePage, options);
  }

  /** Iterates over every image matching the query. */
  listAll(
    query: Omit<ImageListQuery, "page_num"> = {},
    options?: RequestOptions,
  ): AsyncGenerator<Image, void, undefined> {
    // Checked before it is spread into each page's query (a string would spread into numbered keys).
    const q = parseQuery(query, "image list query");
    const pageSize = q.page_size ?? MAX_PAGE_SIZE;
    return paginate((page_num) => this.list({ page_size: pageSize, ...q, page_num }, options), {
      pageSize,
      path: LIST,
    });
  }

  /** Reads an image by id, or undefined when there is none (SCP has no single-image read; this filters the list). */
  async find(imageId: string, options?: RequestOptions): Promise<Image | undefined> {
    const image_ids = parseId(imageId, "image id");
    const page = await this.list({ image_ids, page_size: MAX_PAGE_SIZE }, options);
    return page.items.find((i) => i.id === image_ids);
  }

  /**
   * Reads an image by id.
   * @throws {@link ScpNotFoundError} when there is none.
   */
  async get(imageId: string, options?: RequestOptions): Promise<Image> {
    const image = await this.find(imageId, options);
    if (!image) {
      throw new ScpNotFoundError({
        status: 404,
        serverMessage: `image ${imageId} not found`,
        method: "GET",
        path: LIST,
      });
    }
    return image;
  }

  /** Lists the images whose name is exactly `name` (SCP's name filter may match more). */
  async findByName(
    imageName: string,
    query: Omit<ImageListQuery, "name" | "page_num"> = {},
    options?: RequestOptions,
  ): Promise<Image[]> {
    parseInput(name, imageName, "image name");
    const q = parseQuery(query, "image list query");
    const found: Image[] = [];
    for await (const image of this.listAll({ ...q, name: imageName }, options)) {
      if (image.name === imageName) {
        found.push(image);
      }
    }
    return found;
  }

  /** Creates an image record; upload its file next with {@link Images.upload}. */
  async create(request: CreateImageRequest, options?: RequestOptions): Promise<CreateImageRef> {
    const body = parseInput(CreateImageInput, request, "image create request");
    const data = await this.#t.data(
      (init) => this.#t.http.POST("/janus/20180725/images", { body, ...init }),
      CreateImageResultGate,
      options,
    );
    return { taskId: data.task_id, imageId: data.id };
  }

  /** Streams an image file into an image record; the returned task distributes it to the pools. */
  async upload(imageId: string, from: UploadSource, options: TransferOptions = {}): Promise<TaskRef> {
    const id = parseId(imageId, "image id");
    await parseUpload(from, options);
    return uploadImageFile(this.#t, id, from, { ...options, defaultIdleMs: this.#defaultIdleMs });
  }

  /** Starts making a VMA image from a stopped VM with vmtools; SCP returns no image id (find it by name). */
  async createFromServer(request: CreateImageFromServerRequest, options?: RequestOptions): Promise<TaskRef> {
    const body = parseInput(CreateFromServerInput, request, "image-from-server request");
    const data = await this.#t.data(
      (init) => this.#t.http.POST("/janus/20180725/images/action", { body, ...init }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }

  /**
   * Starts editing an image's name, description, OS type or pools.
   * @throws {@link ScpValidationError} for `image_type`, `owner_id`, `visibility` or `image_members`, before anything
   * is sent: an edit never changes who may use an image (a proxy image stays private and administrator-owned).
   */
  async update(imageId: string, patch: UpdateImageRequest, options?: RequestOptions): Promise<TaskRef> {
    const image_id = parseId(imageId, "image id");
    const body = parseInput(UpdateImageInput, patch, "image update");
    const data = await this.#t.data(
      (init) =>
        this.#t.http.PUT("/janus/20180725/images/{image_id}", { params: { path: { image_id } }, body, ...init }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }

  /** Deletes an image. */
  async delete(imageId: string, options?: RequestOptions): Promise<void> {
    const image_id = parseId(imageId, "image id");
    await this.#t.maybe(
      (init) => this.#t.http.DELETE("/janus/20180725/images/{image_id}", { params: { path: { image_id } }, ...init }),
      AnyGate,
      options,
    );
  }

  /** Starts preparing a VMA image for download (SCP 6.11.3). */
  async export(imageId: string, options?: RequestOptions): Promise<TaskRef> {
    const image_id = parseId(imageId, "image id");
    const data = await this.#t.data(
      (init) =>
        this.#t.http.POST("/janus/20240725/images/{image_id}/export", { params: { path: { image_id } }, ...init }),
      TaskRefGate,
      options,
    );
    return { taskId: data.task_id };
  }

  /** Downloads an exported image to a file or stream at constant memory, resuming after drops (SCP 6.11.3). */
  async download(imageId: string, to: DownloadTarget, options: DownloadOptions = {}): Promise<DownloadResult> {
    const id = parseId(imageId, "image id");
    await parseDownload(to, options);
    return downloadImageFile(this.#t, id, to, { ...options, defaultIdleMs: this.#defaultIdleMs });
  }
}

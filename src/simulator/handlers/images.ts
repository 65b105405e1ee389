import { z } from "zod";
import { imageStatusValues, imageTypeValues } from "../../generated/schema.js";
import { callerOf, type Handler } from "../context.js";
import { checkPools, findImage, imageView, imageVisibleTo } from "../image-views.js";
import type { SimImage } from "../model.js";
import { paginate } from "../paging.js";
import { enumParam, listParam, readJson, uuidParam } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";
import { startTask } from "../tasks.js";

const createBody = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  azs: z.array(z.string()).min(1),
  disk_format: z.enum(["ISO", "aCloud"]),
  image_type: z.enum(["public", "private", "vnetdev", "service"]),
  os_type: z.string().optional(),
  owner_id: z.string().optional(),
});
const updateBody = z.object({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  os_type: z.string().optional(),
  azs: z.array(z.string()).optional(),
});

/** `GET /janus/20200725/images`. */
const listImages: Handler = (ctx) => {
  const q = ctx.url.searchParams;
  const caller = callerOf(ctx);
  const type = enumParam(q, "image_type", imageTypeValues);
  const status = enumParam(q, "status", imageStatusValues);
  const azId = uuidParam(q, "az_id");
  const ids = listParam(q, "image_ids");
  const name = q.get("name")?.toLowerCase();
  const exact = (["os_type", "disk_format", "owner_id"] as const).filter((k) => q.has(k));
  const matches = (image: SimImage): boolean =>
    imageVisibleTo(caller, image) &&
    (type === undefined || image.image_type === type) &&
    (status === undefined || image.status === status) &&
    (azId === undefined || image.azs.some((az) => az.id === azId)) &&
    (ids === undefined || ids.includes(image.id)) &&
    (name === undefined || image.name.toLowerCase().includes(name)) &&
    exact.every((k) => image[k] === q.get(k));
  return ok(ctx.envelope, paginate([...ctx.world.images.values()].filter(matches), q, imageView));
};

/**
 * `POST /janus/20180725/images`: an empty record in `saving`, waiting for its upload. The owner defaults to the
 * caller's project.
 */
const createImage: Handler = (ctx) => {
  const body = readJson(ctx, createBody);
  const caller = callerOf(ctx);
  const { world } = ctx;
  checkPools(world, body.azs);
  const ownerId = body.owner_id ?? caller.projectId;
  if (!world.inventory.projects.some((p) => p.id === ownerId)) {
    throw new SimHttpError(400, `owner_id ${ownerId} is not a known project`);
  }
  if (caller.roleType !== "admin" && ownerId !== caller.projectId) {
    throw new SimHttpError(403, "a tenant can only create images it owns");
  }
  const id = world.random.uuid();
  const image: SimImage = {
    id,
    name: body.name ?? `image-${id.slice(0, 8)}`,
    description: body.description ?? "",
    status: "saving",
    image_type: body.image_type,
    visibility: body.image_type === "public" ? "public" : "private",
    disk_format: body.disk_format,
    os_type: body.os_type ?? "other64",
    owner_id: ownerId,
    size_mb: 0,
    virtual_size_mb: 0,
    is_vmtools_installed: 0,
    message: "",
    task_id: "",
    azs: [...new Set(body.azs)].map((azId) => ({ id: azId, arch_type: "hci_x86", is_available: 0 })),
    content: undefined,
    exported: false,
  };
  world.images.set(id, image);
  const task = startTask(ctx, {
    action: "create_image",
    object: { id, name: image.name, type: "image" },
    azId: body.azs[0] ?? "",
  });
  return ok(ctx.envelope, { id, task_id: task.task_id }, 201);
};

/** `PUT /janus/20180725/images/{image_id}`: applied when its task ends; added pools receive the file. */
const updateImage: Handler = (ctx) => {
  const body = readJson(ctx, updateBody);
  const image = findImage(ctx.world, callerOf(ctx), ctx.params.image_id ?? "");
  const azs = body.azs === undefined ? undefined : [...new Set(body.azs)];
  if (azs) {
    checkPools(ctx.world, azs);
  }
  const added = (azs ?? []).filter((id) => !image.azs.some((az) => az.id === id));
  const task = startTask(ctx, {
    action: "edit_image",
    object: { id: image.id, name: image.name, type: "image" },
    azId: image.azs[0]?.id ?? "",
    subTaskAzIds: added,
    onFinish: () => {
      const { azs: _azs, ...fields } = body;
      Object.assign(image, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
      if (azs) {
        const available = image.status === "active" ? 1 : 0;
        image.azs = azs.map(
          (id) => image.azs.find((az) => az.id === id) ?? { id, arch_type: "hci_x86", is_available: available },
        );
      }
    },
  });
  return ok(ctx.envelope, { task_id: task.task_id });
};

/** `DELETE /janus/20180725/images/{image_id}`: immediate, 204 without a body. */
const deleteImage: Handler = async (ctx) => {
  const image = findImage(ctx.world, callerOf(ctx), ctx.params.image_id ?? "");
  if (ctx.world.uploading.has(image.id)) {
    throw new SimHttpError(409, `image ${image.id} is being uploaded`);
  }
  ctx.world.images.delete(image.id);
  if (image.content?.kind === "file") {
    await ctx.world.files.remove(image.content.path);
  }
  return new Response(null, { status: 204 });
};

/** Handlers of the image records. */
export const imageHandlers: Readonly<Record<string, Handler>> = {
  listImagesV2: listImages,
  createImage,
  updateImage,
  deleteImage,
};

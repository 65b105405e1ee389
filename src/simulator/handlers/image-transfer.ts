import { fileBytes, generatedBytes } from "../byte-streams.js";
import { callerOf, type Handler, type HandlerContext } from "../context.js";
import { findImage } from "../image-views.js";
import type { SimImage } from "../model.js";
import { fail, ok, SimHttpError } from "../responses.js";
import { BYTES_PER_MIB } from "../seed-world.js";
import { startTask } from "../tasks.js";

/**
 * `PUT /janus/20180725/images/{image_id}/upload`: streams the body to disk through a running SHA-256, checks the
 * AK/SK signature once the hash is known, then starts the distribution task (one sub-task per pool).
 */
const uploadImage: Handler = async (ctx) => {
  const { world } = ctx;
  const image = findImage(world, callerOf(ctx), ctx.params.image_id ?? "");
  if (
    image.status !== "saving" ||
    image.content !== undefined ||
    image.sourceServerId !== undefined ||
    world.uploading.has(image.id)
  ) {
    throw new SimHttpError(409, `image ${image.id} is not waiting for an upload (status ${image.status})`);
  }
  if (!ctx.request.body) {
    throw new SimHttpError(400, "the upload body is empty");
  }
  world.uploading.add(image.id);
  let stored: Awaited<ReturnType<typeof world.files.receive>>;
  try {
    stored = await world.files.receive(`${image.id}.img`, ctx.request.body);
  } catch {
    throw new SimHttpError(400, "the upload was interrupted; upload the whole file again");
  } finally {
    world.uploading.delete(image.id);
  }
  if (!ctx.verifyPayload(stored.sha256) || world.images.get(image.id) !== image) {
    await world.files.remove(stored.path);
    const refused = world.images.get(image.id) === image;
    throw refused ? new SimHttpError(401, "the request signature does not match") : new SimHttpError(404, "image gone");
  }
  image.content = { kind: "file", ...stored };
  return ok(ctx.envelope, { task_id: distribute(ctx, image, stored.sizeBytes) });
};

function distribute(ctx: HandlerContext, image: SimImage, sizeBytes: number): string {
  const task = startTask(ctx, {
    action: "upload_image",
    object: { id: image.id, name: image.name, type: "image" },
    azId: image.azs[0]?.id ?? "",
    subTaskAzIds: image.azs.map((az) => az.id),
    onFinish: () => {
      image.status = "active";
      // A VMA (aCloud) file is a whole VM, vmtools included when its source had them; the simulator assumes
      // it had (the golden-VM flow). ISO files carry no installed guest.
      image.is_vmtools_installed = image.disk_format === "aCloud" ? 1 : 0;
      image.size_mb = Math.ceil(sizeBytes / BYTES_PER_MIB);
      image.virtual_size_mb = Math.max(image.virtual_size_mb, image.size_mb);
      for (const az of image.azs) {
        az.is_available = 1;
      }
    },
    onFailure: (_atMs, reason) => {
      image.status = "error";
      image.message = reason;
    },
  });
  image.task_id = task.task_id;
  return task.task_id;
}

/** `POST /janus/20240725/images/{image_id}/export`: prepares an active aCloud (VMA) image for download. */
const exportImage: Handler = (ctx) => {
  const image = findImage(ctx.world, callerOf(ctx), ctx.params.image_id ?? "");
  if (image.disk_format !== "aCloud") {
    throw new SimHttpError(
      400,
      `only built-in (aCloud/VMA) images can be exported; image ${image.id} is ${image.disk_format}`,
    );
  }
  if (image.status !== "active" || image.content === undefined) {
    throw new SimHttpError(409, `image ${image.id} is not active (status ${image.status})`);
  }
  const task = startTask(ctx, {
    action: "export_image",
    object: { id: image.id, name: image.name, type: "image" },
    azId: image.azs[0]?.id ?? "",
    onFinish: () => {
      image.exported = true;
    },
  });
  return ok(ctx.envelope, { task_id: task.task_id }, 201);
};

/**
 * `GET /janus/20240725/images/{image_id}/download`: the exported file, whole (200) or from an offset (206), with a
 * strong `ETag`; an `If-Range` that is not that ETag gets the whole file (RFC 9110).
 */
const downloadImage: Handler = (ctx) => {
  const image = findImage(ctx.world, callerOf(ctx), ctx.params.image_id ?? "");
  const content = image.content;
  if (!image.exported || content === undefined) {
    throw new SimHttpError(409, `image ${image.id} has not been exported; export it first, then download`);
  }
  const total = content.sizeBytes;
  // An image's bytes never change once it exists, so its id and size name them.
  const etag = `"vma-${image.id}-${total}"`;
  const ifRange = ctx.request.headers.get("if-range");
  const range = ifRange === null || ifRange === etag ? parseRange(ctx.request.headers.get("range"), total) : undefined;
  if (range === "unsatisfiable") {
    return fail(ctx.envelope, 416, `the range is outside the file (${total} bytes)`, {
      "content-range": `bytes */${total}`,
    });
  }
  const [start, end] = range ?? [0, total];
  const body =
    content.kind === "file"
      ? fileBytes(content.path, start, end)
      : generatedBytes(ctx.world.options.seed, image.id, start, end);
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "content-length": String(end - start),
    "accept-ranges": "bytes",
    etag,
    "content-disposition": `attachment; filename="${image.id}.vma"`,
  };
  if (range) {
    headers["content-range"] = `bytes ${start}-${end - 1}/${total}`;
  }
  return new Response(body, { status: range ? 206 : 200, headers });
};

/** One `bytes=N-` or `bytes=N-M` range as [start, end); undefined for none; "unsatisfiable" when outside. */
export function parseRange(header: string | null, total: number): [number, number] | "unsatisfiable" | undefined {
  if (header === null) {
    return undefined;
  }
  const match = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!match) {
    throw new SimHttpError(400, "Range must be a single range such as bytes=1024-");
  }
  const start = Number(match[1]);
  const last = match[2] === "" ? total - 1 : Math.min(Number(match[2]), total - 1);
  if (start >= total || last < start) {
    return "unsatisfiable";
  }
  return [start, last + 1];
}

/** Handlers of image transfers. */
export const imageTransferHandlers: Readonly<Record<string, Handler>> = {
  uploadImage,
  exportImage,
  downloadImage,
};

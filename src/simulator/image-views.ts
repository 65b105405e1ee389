import type { Image } from "../generated/schema.js";
import type { Caller, SimImage } from "./model.js";
import { SimHttpError } from "./responses.js";
import type { World } from "./world.js";

/** An image as the list shows it. */
export function imageView(image: SimImage): Image {
  return {
    id: image.id,
    name: image.name,
    description: image.description,
    status: image.status,
    image_type: image.image_type,
    visibility: image.visibility,
    disk_format: image.disk_format,
    os_type: image.os_type,
    owner_id: image.owner_id,
    size_mb: image.size_mb,
    virtual_size_mb: image.virtual_size_mb,
    is_vmtools_installed: image.is_vmtools_installed,
    category: "",
    message: image.message,
    task_id: image.task_id,
    azs: image.azs.map((az) => ({ ...az })),
    disks: [{ id: "ide0", size_mb: image.virtual_size_mb, preallocate: "off", storage_id: "" }],
  };
}

/** True when the caller may see the image: admins see all, tenants public images and their own. */
export function imageVisibleTo(caller: Caller, image: SimImage): boolean {
  return caller.roleType === "admin" || image.image_type === "public" || image.owner_id === caller.projectId;
}

/** The image with this id that the caller may see; 404 otherwise. */
export function findImage(world: World, caller: Caller, id: string): SimImage {
  const image = world.images.get(id);
  if (!image || !imageVisibleTo(caller, image)) {
    throw new SimHttpError(404, `image ${id} does not exist`);
  }
  return image;
}

/** Checks that every listed pool exists; 400 naming the first unknown one. */
export function checkPools(world: World, azIds: readonly string[]): void {
  const unknown = azIds.find((id) => !world.inventory.azs.some((az) => az.id === id));
  if (unknown !== undefined) {
    throw new SimHttpError(400, `resource pool ${unknown} does not exist`);
  }
}

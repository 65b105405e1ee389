import type { Az, Host, Image, Project, Server, StorageTag, Task, User } from "../generated/schema.js";
import { backupState, type ScpSimulatorBackupState } from "./backup-state.js";
import type { ActiveFault } from "./fault-types.js";
import { imageView } from "./image-views.js";
import type { ScpSimulatorNetwork } from "./model.js";
import { serverItem } from "./server-views.js";
import { taskView } from "./tasks.js";
import type { World } from "./world.js";

/** A VM in a snapshot: the list view plus what only the simulator knows. */
export interface ServerState extends Server {
  /** Deleted without `force`: in the recycle bin, absent from every list. */
  readonly recycled: boolean;
  /** The guest gets vmtools once it runs. */
  readonly vmtoolsCapable: boolean;
}

/** An image in a snapshot: the list view plus its bytes. */
export interface ImageState extends Image {
  /** An export finished; downloads are allowed. */
  readonly exported: boolean;
  /** Length of the image's file, once it has one. */
  readonly contentBytes: number | undefined;
  /** The uploaded file, when the image was uploaded. */
  readonly upload: { readonly sizeBytes: number; readonly sha256: string } | undefined;
}

/** A storage tag with the pool it belongs to. */
export interface StorageTagState extends StorageTag {
  /** Its pool. */
  readonly az_id: string;
}

/** A read-only copy of the simulator's state at one moment. */
export interface ScpSimulatorState extends ScpSimulatorBackupState {
  /** The release the simulator acts as. */
  readonly scpVersion: string;
  /** Resource pools. */
  readonly azs: readonly Az[];
  /** Physical hosts. */
  readonly hosts: readonly Host[];
  /** Storage tags. */
  readonly storageTags: readonly StorageTagState[];
  /** VPC subnets. */
  readonly networks: readonly ScpSimulatorNetwork[];
  /** Projects (tenants). */
  readonly projects: readonly Project[];
  /** Users. */
  readonly users: readonly User[];
  /** Every VM, including those in the recycle bin. */
  readonly servers: readonly ServerState[];
  /** Every image. */
  readonly images: readonly ImageState[];
  /** Every task, oldest first. */
  readonly tasks: readonly Task[];
  /** Commands run in each guest, by VM id, in order. */
  readonly guestCommands: Readonly<Record<string, readonly string[]>>;
  /** Requests received per `"METHOD /path/template"` (the concrete path when no operation matched). */
  readonly requestCounts: Readonly<Record<string, number>>;
  /** `X-Client-Token` values remembered now. */
  readonly idempotencyTokens: readonly string[];
  /** Installed fault rules. */
  readonly faults: readonly ActiveFault[];
}

/** Takes a snapshot (after applying everything due by now). */
export function snapshot(world: World): ScpSimulatorState {
  const nowMs = world.advance();
  const { inventory } = world;
  return {
    scpVersion: world.scpVersion(),
    azs: structuredClone(inventory.azs),
    hosts: structuredClone(inventory.hosts),
    storageTags: structuredClone(inventory.storageTags),
    networks: structuredClone(inventory.networks),
    projects: structuredClone(inventory.projects),
    users: structuredClone(inventory.users),
    servers: [...world.servers.values()].map((s) => ({
      ...serverItem(world, s, nowMs),
      recycled: s.recycled,
      vmtoolsCapable: s.vmtoolsCapable,
    })),
    images: [...world.images.values()].map((image) => ({
      ...imageView(image),
      exported: image.exported,
      contentBytes: image.content?.sizeBytes,
      upload:
        image.content?.kind === "file"
          ? { sizeBytes: image.content.sizeBytes, sha256: image.content.sha256 }
          : undefined,
    })),
    tasks: world.tasks.all().map((t) => taskView(t, nowMs)),
    guestCommands: Object.fromEntries([...world.guestCommands].map(([id, cmds]) => [id, [...cmds]])),
    requestCounts: Object.fromEntries(world.requestCounts),
    idempotencyTokens: world.idempotency.tokens(nowMs),
    faults: world.faults.list(),
    ...backupState(world, nowMs),
  };
}

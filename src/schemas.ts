import { z } from "zod";
import {
  type AuthenticateResult,
  type Az,
  type BackupResource,
  type BackupResourceSupports,
  backupResourceStatusValues,
  type CbtInfo,
  type ChangedAreas,
  type CreateBackupResourceResult,
  type CreateImageResult,
  type CreateServerFromConfigResult,
  type CreateServerResult,
  type CreateSnapshotResult,
  type HotAddDisksResult,
  type Image,
  imageStatusValues,
  imageTypeValues,
  type Project,
  type PublicKey,
  powerStateValues,
  type Server,
  type ServerConfig,
  type SnapshotDetail,
  type SnapshotListItem,
  type SystemVersion,
  type Task,
  type TaskStarted,
  type TaskSummary,
  taskStatusValues,
  vtoolInstalledValues,
} from "./generated/schema.js";

/**
 * Ties a partial runtime schema to a generated type: the schema may check only some of `T`'s fields, but each
 * with `T`'s own type, so the two cannot drift. The result is typed as the whole `T`.
 * @internal
 */
export function gate<T>() {
  return <S extends z.ZodType<Partial<T>>>(schema: S): z.ZodType<T> => schema as unknown as z.ZodType<T>;
}

// Fields are optional the way the generated types are (absent, not undefined).
const str = () => z.string().exactOptional();

/** @internal */
export const TaskRefGate = gate<TaskStarted>()(z.looseObject({ task_id: z.string().min(1) }));

/** @internal */
export const TaskGate = gate<Task>()(
  z.looseObject({
    task_id: z.string().min(1),
    status: z.enum(taskStatusValues),
    progress: z.number().exactOptional(),
    description: str(),
  }),
);

/** @internal */
export const TaskSummaryGate = gate<TaskSummary>()(
  z.looseObject({ id: z.string().min(1), status: z.enum(taskStatusValues), object_id: str() }),
);

/** @internal */
export const ServerGate = gate<Server>()(
  z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    description: str(),
    vm_id: str(),
    az_id: str(),
    image_id: str(),
    os_name: str(),
    status: str(),
    power_state: z.enum(powerStateValues).exactOptional(),
    vtool_installed: z.literal(vtoolInstalledValues).exactOptional(),
  }),
);

/** @internal */
export const ServerConfigGate = gate<ServerConfig>()(
  z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    description: str(),
    az_id: str(),
    image_id: str(),
    os_name: str(),
    status: str(),
    vtool_installed: z.literal(vtoolInstalledValues).exactOptional(),
  }),
);

/** @internal */
export const CreateServerResultGate = gate<CreateServerResult>()(
  z.looseObject({ task_id: z.string().min(1), uuids: z.array(z.string()).exactOptional() }),
);

/** @internal */
export const ImageGate = gate<Image>()(
  z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    status: z.enum(imageStatusValues),
    image_type: z.enum(imageTypeValues).exactOptional(),
    owner_id: str(),
    size_mb: z.number().exactOptional(),
    azs: z
      .array(z.looseObject({ id: z.string(), is_available: z.union([z.number(), z.string()]).exactOptional() }))
      .exactOptional(),
  }),
);

/** @internal */
export const CreateImageResultGate = gate<CreateImageResult>()(
  z.looseObject({ id: z.string().min(1), task_id: z.string().min(1) }),
);

/** @internal */
export const AzGate = gate<Az>()(z.looseObject({ id: z.string().min(1), name: z.string() }));

/** @internal */
export const ProjectGate = gate<Project>()(z.looseObject({ id: z.string().min(1), name: z.string() }));

/** @internal */
export const SystemVersionGate = gate<SystemVersion>()(z.looseObject({ build_version: z.string() }));

/** @internal */
export const PublicKeyGate = gate<PublicKey>()(z.looseObject({ public_key: z.string().min(1) }));

/** @internal */
export const AuthenticateResultGate = gate<AuthenticateResult>()(
  z.looseObject({
    access: z.looseObject({
      token: z.looseObject({
        // The token goes into a header: a control character in it would split the header (and leak into errors).
        id: z.string().regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
        issued_at: str(),
        expires: str(),
        tenant: z.looseObject({ id: str() }).exactOptional(),
      }),
    }),
  }),
);

const count = () => z.number().int().nonnegative();

/** @internal */
export const CreateSnapshotResultGate = gate<CreateSnapshotResult>()(
  z.looseObject({ task_id: z.string().min(1), resource_id: z.string().min(1) }),
);

/** @internal */
export const SnapshotListItemGate = gate<SnapshotListItem>()(
  z.looseObject({ id: z.string().min(1), name: z.string(), description: str(), type: str(), quiesced: z.number() }),
);

/** @internal */
export const SnapshotDetailGate = gate<SnapshotDetail>()(
  z.looseObject({
    id: z.string().min(1),
    description: str(),
    checkpoint_id: z.string().regex(/^\d+$/, "must be a decimal number"),
    vmconf: z.looseObject({
      hardware_option: z
        .looseObject({
          disks: z
            .array(
              z.looseObject({
                id: z.union([z.string(), z.number()]).exactOptional(),
                size_mb: count().exactOptional(),
              }),
            )
            .exactOptional(),
        })
        .exactOptional(),
    }),
  }),
);

/** @internal */
export const CbtInfoGate = gate<CbtInfo>()(
  z.looseObject({
    server_id: z.string(),
    is_enabled: z.boolean(),
    disks: z.array(z.looseObject({ id: z.string().min(1), is_enabled: z.boolean().exactOptional() })),
  }),
);

/** @internal */
export const ChangedAreasGate = gate<ChangedAreas>()(
  z.looseObject({
    start_offset: count(),
    length: count(),
    changed_area: z.array(z.looseObject({ start: count(), length: count() })),
  }),
);

/** @internal */
export const CreateBackupResourceResultGate = gate<CreateBackupResourceResult>()(
  z.looseObject({ task_id: z.string().min(1), resource_id: z.string().min(1), host_id: str() }),
);

/** @internal */
export const BackupResourceGate = gate<BackupResource>()(
  z.looseObject({
    server_id: z.string(),
    status: z.enum(backupResourceStatusValues),
    remain_time: z.number(),
    host_id: str(),
  }),
);

/** @internal */
export const BackupResourceSupportsGate = gate<BackupResourceSupports>()(
  z.looseObject({ versions: z.array(z.string()) }),
);

/** @internal */
export const HotAddDisksResultGate = gate<HotAddDisksResult>()(
  z.looseObject({
    task_id: z.string().min(1),
    disks: z.array(
      z.looseObject({
        id: z.string().min(1),
        serial: z.string().min(1),
        server_id: z.string(),
        disk_id: z.string(),
        snapshot_id: str(),
      }),
    ),
  }),
);

/** @internal */
export const CreateServerFromConfigResultGate = gate<CreateServerFromConfigResult>()(
  z.looseObject({ task_id: z.string().min(1), uuid: z.string().min(1) }),
);

/** Anything at all; for payloads the SDK passes through without branching on them. @internal */
export const AnyGate = z.unknown();

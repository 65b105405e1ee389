import { z } from "zod";
import {
  type AuthenticateResult,
  type Az,
  type CreateImageResult,
  type CreateServerResult,
  type Image,
  imageStatusValues,
  imageTypeValues,
  type Project,
  type PublicKey,
  powerStateValues,
  type Server,
  type ServerConfig,
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

/** Anything at all; for payloads the SDK passes through without branching on them. @internal */
export const AnyGate = z.unknown();

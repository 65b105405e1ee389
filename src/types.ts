// Friendly names for the generated wire types users meet; data keeps SCP's snake_case.
import type { components } from "./generated/schema.js";

type Schemas = components["schemas"];

/** A resource pool (availability zone). */
export type Az = Schemas["Az"];
/** A physical host. */
export type Host = Schemas["Host"];
/** A storage tag a tenant has quota on. */
export type StorageTag = Schemas["StorageTag"];
/** A tenant (project); `role_type` admin is the platform administrator's. */
export type Project = Schemas["Project"];
/** A platform user. */
export type User = Schemas["User"];
/** A tenant's role. */
export type RoleType = Schemas["RoleType"];
/** The platform's version, cluster and region. */
export type PlatformInfo = Schemas["PlatformInfo"];
/** A VM as the list shows it, with power state, numeric `vm_id` and vmtools state. */
export type Server = Schemas["Server"];
/** A VM's configuration, including `os_name`. */
export type ServerConfig = Schemas["ServerConfig"];
/** A VM's power state. */
export type PowerState = Schemas["PowerState"];
/** The body of a VM create request. */
export type CreateServerRequest = Schemas["CreateServerRequest"];
/** The fields of a VM edit; send only those to change. */
export type UpdateServerRequest = Schemas["UpdateServerRequest"];
/** A disk of a VM create request. */
export type DiskRequest = Schemas["DiskRequest"];
/** A NIC of a VM create request. */
export type NetworkRequest = Schemas["NetworkRequest"];
/** An image. */
export type Image = Schemas["Image"];
/** An image's status. */
export type ImageStatus = Schemas["ImageStatus"];
/** An image's type (private, public, …). */
export type ImageType = Schemas["ImageType"];
/** The body of an image create request. */
export type CreateImageRequest = Schemas["CreateImageRequest"];
/** The body of a request to make a VMA image from a VM. */
export type CreateImageFromServerRequest = Schemas["CreateImageFromServerRequest"];
/** The fields of an image edit. */
export type UpdateImageRequest = Schemas["UpdateImageRequest"];
/** An asynchronous task. */
export type Task = Schemas["Task"];
/** A task's status. */
export type TaskStatus = Schemas["TaskStatus"];
/** A task as the task list shows it. */
export type TaskSummary = Schemas["TaskSummary"];

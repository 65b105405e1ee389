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
/** A disk of a VM's configuration; on a backup proxy, hot-added disks carry their source. */
export type ServerConfigDisk = Schemas["ServerConfigDisk"];
/** A VM's snapshot as the list shows it, with `quiesced`. */
export type SnapshotListItem = Schemas["SnapshotListItem"];
/** A snapshot with its CBT checkpoint and the VM configuration it froze. */
export type SnapshotDetail = Schemas["SnapshotDetail"];
/** A VM's configuration as a snapshot froze it (what a restore to a new VM sends back). */
export type VmConfig = Schemas["VmConfig"];
/** A disk of a frozen VM configuration. */
export type VmConfigDisk = Schemas["VmConfigDisk"];
/** The body of a request to create a VM from a frozen configuration. */
export type CreateServerFromConfigRequest = Schemas["CreateServerFromConfigRequest"];
/** A VM's changed block tracking state, per disk. */
export type CbtInfo = Schemas["CbtInfo"];
/** One answer of a changed-areas read: the part of the disk covered and the areas in it. */
export type ChangedAreasPage = Schemas["ChangedAreas"];
/** A backup resource (the platform's lock on a VM for a backup or a restore). */
export type BackupResource = Schemas["BackupResource"];
/** What data paths the platform offers for a VM. */
export type BackupResourceSupports = Schemas["BackupResourceSupports"];
/** Why a disk is hot-added: `backup` (a linked clone of a snapshot's disk) or `restore` (the real disk). */
export type HotAddApplication = Schemas["HotAddApplication"];
/** The body of a hot-add request. */
export type HotAddDisksRequest = Schemas["HotAddDisksRequest"];

import { z } from "zod";
import { WaitDurationSchema } from "../tasks/schedule.js";
import { ScpIdSchema } from "../validate.js";
import type { ImageProgress } from "./image-files.js";
import { type StepOptions, StepOptionsSchema } from "./step-helpers.js";

/** What to export. */
export interface ExportProxyImageInput {
  /** The golden proxy VM (vmtools installed). */
  serverId: string;
  /** Name of the VMA image made from it; one this workflow made earlier from the same VM is reused. */
  imageName: string;
  /** Local file to download the VMA to (created or overwritten; removed if the export fails). */
  file: string;
  /** OS type code of the image. @defaultValue the VM's os_type, or "l2664" */
  osType?: string;
}

/** How to export. */
export interface ExportProxyImageOptions extends StepOptions {
  /** Stop a running VM for the export and start it again afterwards. @defaultValue false */
  stopSource?: boolean;
  /** Download progress (phase `download`), ending with an event at 100%. */
  onProgress?: (event: ImageProgress) => void;
  /** Remove the image and file this run created when a later step fails. @defaultValue true */
  cleanupOnError?: boolean;
  /** Longest time that removal (and restarting the golden VM) may take. @defaultValue 600000 */
  cleanupMaxWaitMs?: number;
}

/** The exported image and the downloaded file. */
export interface ExportProxyImageResult {
  /** The VMA image made from the VM (left in place). */
  sourceImageId: string;
  /** The file written. */
  file: string;
  /** Its size. */
  sizeBytes: number;
  /** Its hex SHA-256. */
  sha256: string;
}

/** @internal */
export const ExportInput = z.strictObject({
  serverId: ScpIdSchema,
  imageName: z.string().trim().min(1).max(128),
  file: z.string().min(1),
  osType: z.string().min(1).optional(),
});

/** @internal */
export const ExportOptions = StepOptionsSchema.extend({
  stopSource: z.boolean().optional(),
  onProgress: z.function().optional(),
  cleanupOnError: z.boolean().optional(),
  cleanupMaxWaitMs: WaitDurationSchema.optional(),
});

/** Export input, checked. @internal */
export type Export = z.output<typeof ExportInput>;

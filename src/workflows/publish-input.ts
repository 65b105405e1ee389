import { z } from "zod";
import type { ScpClient } from "../client.js";
import { WaitDurationSchema } from "../tasks/schedule.js";
import { ClientSchema, ScpIdSchema } from "../validate.js";
import type { ImageProgress } from "./image-files.js";
import type { StepOptions } from "./step-helpers.js";
import { StepOptionsSchema } from "./step-helpers.js";

/** What to publish. */
export interface PublishProxyImageInput {
  /** The golden proxy VM. */
  serverId: string;
  /** Name of the published image (the intermediate VMA image on the source is named `<imageName>-src`). */
  imageName: string;
  /** Pools of the target platform to publish to. */
  azIds: readonly string[];
  /** OS type code. */
  osType?: string;
  /** Publish to another SCP; the source otherwise. */
  targetClient?: ScpClient;
  /** Directory for the temporary VMA file (created if missing; must be writable). @defaultValue the OS temp directory */
  workDir?: string;
  /** Keep the VMA file and return its path. @defaultValue false */
  keepFile?: boolean;
}

/** How to publish. */
export interface PublishProxyImageOptions extends StepOptions {
  /** Stop a running golden VM for the export and start it again afterwards. @defaultValue false */
  stopSource?: boolean;
  /** Progress of the download from the source (phase `download`) and the upload to the target (`upload`), each ending at 100%. */
  onProgress?: (event: ImageProgress) => void;
  /** Remove what a failed step of this run made (the intermediate image made by a finished export stays, for a re-run). @defaultValue true */
  cleanupOnError?: boolean;
  /** Longest time that removal may take. @defaultValue 600000 */
  cleanupMaxWaitMs?: number;
}

/** The published image. */
export interface PublishProxyImageResult {
  /** The VMA image made on the source; undefined when an existing published image was reused. */
  sourceImageId: string | undefined;
  /** The published private, administrator-owned image. */
  imageId: string;
  /** Its pools. */
  azIds: readonly string[];
  /** Its owner. */
  ownerId: string;
  /** File size (undefined when reused without exporting). */
  sizeBytes: number | undefined;
  /** File SHA-256 (undefined when reused without exporting). */
  sha256: string | undefined;
  /** The kept VMA file, with `keepFile`. */
  file: string | undefined;
  /** True when the target already had the complete image and nothing was exported. */
  reused: boolean;
}

/** @internal */
export const PublishInputSchema = z.strictObject({
  serverId: ScpIdSchema,
  imageName: z.string().trim().min(1).max(120),
  azIds: z.array(ScpIdSchema).min(1, "must name at least one resource pool"),
  osType: z.string().min(1).optional(),
  targetClient: (ClientSchema as z.ZodType<ScpClient>).optional(),
  workDir: z.string().min(1).optional(),
  keepFile: z.boolean().optional(),
});

/** @internal */
export const PublishOptionsSchema = StepOptionsSchema.extend({
  stopSource: z.boolean().optional(),
  onProgress: z.function().optional(),
  cleanupOnError: z.boolean().optional(),
  cleanupMaxWaitMs: WaitDurationSchema.optional(),
});

/** Publish input, checked. @internal */
export type Publish = z.output<typeof PublishInputSchema>;

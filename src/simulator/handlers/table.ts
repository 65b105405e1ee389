import type { Handler } from "../context.js";
import { authHandlers } from "./auth.js";
import { backupResourceHandlers } from "./backup-resources.js";
import { cbtHandlers } from "./cbt.js";
import { hotAddHandlers } from "./hotadd.js";
import { imageFromServerHandlers } from "./image-from-server.js";
import { imageTransferHandlers } from "./image-transfer.js";
import { imageHandlers } from "./images.js";
import { orchestrationHandlers } from "./orchestration.js";
import { platformHandlers } from "./platform.js";
import { serverFromConfigHandlers } from "./server-from-config.js";
import { serverActionHandlers } from "./servers-actions.js";
import { serverCreateHandlers } from "./servers-create.js";
import { serverReadHandlers } from "./servers-read.js";
import { snapshotActionHandlers } from "./snapshot-actions.js";
import { snapshotHandlers } from "./snapshots.js";
import { taskHandlers } from "./tasks.js";

/** Every operation's behaviour, by operationId. */
export const handlers: Readonly<Record<string, Handler>> = {
  ...authHandlers,
  ...platformHandlers,
  ...serverReadHandlers,
  ...serverCreateHandlers,
  ...serverActionHandlers,
  ...imageHandlers,
  ...imageTransferHandlers,
  ...imageFromServerHandlers,
  ...orchestrationHandlers,
  ...taskHandlers,
  ...snapshotHandlers,
  ...snapshotActionHandlers,
  ...cbtHandlers,
  ...backupResourceHandlers,
  ...serverFromConfigHandlers,
  ...hotAddHandlers,
};

/** Operations that answer without credentials (the login itself). */
export const PUBLIC_OPERATIONS: ReadonlySet<string> = new Set([
  "getPublicKey",
  "getPublicKeyV2",
  "authenticate",
  "authenticateV2",
]);

/** Operations whose request body is streamed to the handler instead of buffered. */
export const STREAMED_OPERATIONS: ReadonlySet<string> = new Set(["uploadImage"]);

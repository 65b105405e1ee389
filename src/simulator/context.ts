import type { OperationFacts } from "../generated/operations.js";
import type { AnswerFaults, TaskFaults } from "./fault-types.js";
import type { Caller } from "./model.js";
import type { Envelope } from "./responses.js";
import type { World } from "./world.js";

/** What a handler gets for one request. */
export interface HandlerContext {
  /** The simulated platform. */
  readonly world: World;
  /** The request (its body is already read unless the operation streams it). */
  readonly request: Request;
  /** The parsed URL. */
  readonly url: URL;
  /** The operation matched. */
  readonly op: OperationFacts;
  /** Path parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** The operation's envelope. */
  readonly envelope: Envelope;
  /** Clock time the request is handled at. */
  readonly nowMs: number;
  /** The buffered request body; undefined for streamed uploads. */
  readonly body: Uint8Array | undefined;
  /** The authenticated caller; undefined for the login operations. */
  readonly caller: Caller | undefined;
  /** For streamed bodies: checks the AK/SK signature against the body's SHA-256 once it is known. */
  readonly verifyPayload: (sha256Hex: string) => boolean;
  /** Fault changes for tasks this request starts. */
  readonly taskFaults: () => TaskFaults;
  /** Fault changes to this request's answer (changed areas cut short). */
  readonly answerFaults: () => AnswerFaults;
}

/** One operation's behaviour. */
export type Handler = (ctx: HandlerContext) => Response | Promise<Response>;

/** The caller, for operations that require auth (the pipeline guarantees it). */
export function callerOf(ctx: HandlerContext): Caller {
  if (!ctx.caller) {
    throw new Error(`operation ${ctx.op.operationId} ran without a caller`);
  }
  return ctx.caller;
}

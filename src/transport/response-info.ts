import type { ScpOutcome } from "../errors.js";

/** What the transport knows about the call behind a response. @internal */
export interface ResponseInfo {
  method: string;
  path: string;
  /** Set when a mutating call failed in a way that may still have applied it. */
  outcome?: ScpOutcome;
}

const infos = new WeakMap<Response, ResponseInfo>();

/** Remembers which call produced a response, for error messages built later. @internal */
export function tagResponse(response: Response, info: ResponseInfo): Response {
  infos.set(response, { ...infos.get(response), ...info });
  return response;
}

/** The call behind a response; falls back to the response URL. @internal */
export function responseInfo(response: Response): ResponseInfo {
  return infos.get(response) ?? { method: "?", path: response.url ? new URL(response.url).pathname : "?" };
}

/** Gives a replacement response the tags of the one it replaces. @internal */
export function carryTags(from: Response, to: Response): Response {
  const info = infos.get(from);
  if (info) {
    infos.set(to, info);
  }
  return to;
}

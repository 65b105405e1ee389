import { operations } from "../generated/operations.js";
import { parseRequestOptions } from "../resolve-options.js";
import type { System } from "./platform.js";
import type { RequestOptions } from "./request-options.js";

const MIN_VERSIONS: ReadonlyMap<string, string> = new Map(operations.map((o) => [o.operationId, o.minVersion]));

/** The oldest SCP release that serves an operation of the spec (its `x-scp-min-version`). @internal */
export function minVersionOf(operationId: string): string {
  const version = MIN_VERSIONS.get(operationId);
  if (version === undefined) {
    throw new Error(`no operation ${operationId} in the spec`);
  }
  return version;
}

/**
 * Refuses an operation the platform is too old for, before anything is sent: an
 * {@link ScpUnsupportedVersionError} naming the feature instead of a bare 404. The version is read once a minute.
 * The call's options are checked first: a bad one is refused before the version read, not after it.
 * @throws {@link ScpValidationError} when the call's options are not valid.
 * @internal
 */
export async function requireOperation(
  system: System,
  operationId: string,
  feature: string,
  options?: RequestOptions,
): Promise<void> {
  parseRequestOptions(options);
  await system.requireVersion(minVersionOf(operationId), feature, options?.signal ? { signal: options.signal } : {});
}

import type { Dispatcher } from "undici";
import type { ScpTlsOptions } from "../options.js";
import { tlsConnectOptions } from "./tls-options.js";

/** What decides how the SDK's own requests reach SCP. @internal */
export interface NetworkOptions {
  tls: ScpTlsOptions | undefined;
  dispatcher: Dispatcher | undefined;
  /** An explicit proxy URL, `false` to ignore the environment, or undefined to follow it. */
  proxy: string | false | undefined;
}

const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

function proxyFromEnvironment(): boolean {
  return typeof process !== "undefined" && PROXY_VARIABLES.some((name) => Boolean(process.env[name]));
}

/**
 * Makes the undici dispatcher every request of a client goes through: the caller's own; a proxy agent (an explicit
 * `proxy`, or `HTTPS_PROXY`/`HTTP_PROXY` with `NO_PROXY` from the environment) carrying the TLS settings to SCP;
 * an agent with the TLS settings; or undici's global dispatcher. undici is loaded on first use only.
 * @internal
 */
export async function createDispatcher(options: NetworkOptions): Promise<Dispatcher> {
  if (options.dispatcher) {
    return options.dispatcher;
  }
  // Before the import: loading undici sets a global Agent of undici's defaults when none is set.
  const unset = globalDispatcher() === undefined;
  const undici = await import("undici");
  const tls = tlsConnectOptions(options.tls);
  if (typeof options.proxy === "string") {
    return new undici.ProxyAgent({ uri: options.proxy, requestTls: tls });
  }
  if (options.proxy !== false && proxyFromEnvironment()) {
    // The options reach the ProxyAgents it makes, which take the TLS settings towards SCP as `requestTls`.
    const proxyOptions = { connect: tls, requestTls: tls } as ConstructorParameters<typeof undici.EnvHttpProxyAgent>[0];
    return new undici.EnvHttpProxyAgent(proxyOptions);
  }
  if (options.tls !== undefined) {
    return new undici.Agent({ connect: tls });
  }
  if (globalDispatcher() === undefined) {
    // Emptied since undici was loaded: put back what loading it sets.
    undici.setGlobalDispatcher(new undici.Agent());
  }
  const global = undici.getGlobalDispatcher();
  if (unset) {
    // Made with undici's defaults at the SDK's request: nobody configured it.
    defaultGlobals.add(global);
  }
  return global;
}

/** True when the SDK needs a dispatcher of its own for fetch (else Node's fetch with its defaults will do). @internal */
export function needsDispatcher(options: NetworkOptions): boolean {
  return (
    options.dispatcher !== undefined ||
    typeof options.proxy === "string" ||
    (options.proxy !== false && proxyFromEnvironment()) ||
    (options.tls !== undefined && (options.tls.ca !== undefined || options.tls.insecure === true))
  );
}

/** Where undici (and Node's fetch) keep the global dispatcher. */
const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

/** Global dispatchers undici made with its defaults when the SDK first asked for one. */
const defaultGlobals = new WeakSet<object>();

function globalDispatcher(): object | undefined {
  return (globalThis as Record<symbol, object | undefined>)[GLOBAL_DISPATCHER];
}

/**
 * True when a transfer may go on a connection of the SDK's own (see `sendOnOwnConnection`): its request would
 * otherwise go through an agent of the SDK's with the client's `tls`, or through a global dispatcher that nobody
 * set (none yet, or the one undici made with its defaults for the SDK); never past a caller's dispatcher, fetch,
 * proxy or global dispatcher (which may carry TLS settings of its own).
 * @internal
 */
export function ownConnectionsApply(options: NetworkOptions & { fetch: unknown }): boolean {
  if (options.fetch !== undefined || options.dispatcher !== undefined || typeof options.proxy === "string") {
    return false;
  }
  if (options.proxy !== false && proxyFromEnvironment()) {
    return false;
  }
  const global = globalDispatcher();
  return options.tls !== undefined || global === undefined || defaultGlobals.has(global);
}

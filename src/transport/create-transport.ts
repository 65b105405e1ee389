import type { z } from "zod";
import type { RequestOptions } from "../options.js";
import { type ResolvedOptions, resolveRequest } from "../resolve-options.js";
import { createBaseSend } from "./base-send.js";
import type { Send } from "./call-context.js";
import { createHttpClient, type HttpClient } from "./http-client.js";
import { createObserver, type Observer } from "./observe.js";
import { type CallRun, type Pipeline, pipelineFetch, runCall, type SendCall } from "./run-call.js";
import { createSignatureAuth } from "./signature-auth.js";
import { createTokenLogin } from "./token-login.js";
import { TokenSession } from "./token-session.js";
import { type FetchResult, unwrap, unwrapData } from "./unwrap.js";
import { withAuth } from "./with-auth.js";
import { withRetry } from "./with-retry.js";
import { withTimeout } from "./with-timeout.js";

/** The transport: typed calls that are authenticated, timed, retried, observed and checked. @internal */
export interface Transport {
  /** Typed openapi-fetch client on the full pipeline (the users' escape hatch, `scp.http`). */
  readonly http: HttpClient;
  /** Sends one call and returns its result with the call's record. */
  readonly send: SendCall;
  /** Sends one call and returns its payload checked against `schema`; throws on an empty answer. */
  data<T>(run: CallRun<FetchResult>, schema: z.ZodType<T>, options?: RequestOptions): Promise<T>;
  /** Like `data`, but an empty answer (a 204) gives undefined. */
  maybe<T>(run: CallRun<FetchResult>, schema: z.ZodType<T>, options?: RequestOptions): Promise<T | undefined>;
  /** Where the transport reports what happens (logger, hooks, tracing). */
  readonly observer: Observer;
}

function bind(pipeline: Pipeline): SendCall {
  return (run, options, overrides) => runCall(pipeline, run, resolveRequest(options, pipeline.options), overrides);
}

/**
 * Builds the pipeline `withAuth(withRetry(withTimeout(send)))` and the typed calls on top of it. The
 * login runs on the same pipeline without `withAuth`, through an openapi-fetch client of its own, so middleware
 * users add to `scp.http` never sees a password.
 * @internal
 */
export function createTransport(options: ResolvedOptions): Transport {
  const observer = createObserver(options);
  const unauthenticated: Send = withRetry(withTimeout(createBaseSend(options, observer)), observer);
  const auth =
    options.auth.type === "signature"
      ? createSignatureAuth(options.auth)
      : new TokenSession(
          createTokenLogin(
            bind({ send: unauthenticated, options, observer }),
            createHttpClient(options.baseUrl),
            options.auth,
            observer,
          ),
        );
  const pipeline: Pipeline = { send: withAuth(unauthenticated, auth, observer), options, observer };
  const send = bind(pipeline);
  return {
    http: createHttpClient(options.baseUrl, pipelineFetch(pipeline, resolveRequest(undefined, options))),
    send,
    data: async (run, schema, requestOptions) => unwrapData(await send(run, requestOptions), schema),
    maybe: async (run, schema, requestOptions) => unwrap(await send(run, requestOptions), schema),
    observer,
  };
}

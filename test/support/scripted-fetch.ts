import type { ScpFetch } from "../../src/index.js";

/** One scripted answer: a response, an error to throw, or a function of the request. */
export type Step = Response | Error | ((request: Request) => Response | Promise<Response>);

/** A fetch that answers from a script, one step per call, and records what it was sent. */
export function scriptedFetch(steps: Step[]): ScpFetch & { requests: Request[]; bodies: string[] } {
  const requests: Request[] = [];
  const bodies: string[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    requests.push(request);
    bodies.push(request.body ? await request.clone().text() : "");
    const step = steps[Math.min(requests.length - 1, steps.length - 1)];
    if (step === undefined) {
      throw new Error("script is empty");
    }
    if (step instanceof Error) {
      throw step;
    }
    return typeof step === "function" ? step(request) : step.clone();
  };
  return Object.assign(fetch, { requests, bodies });
}

/** A fetch failure as undici reports it: TypeError("fetch failed") caused by a system error with a code. */
export function networkFailure(code: string): TypeError {
  const cause = Object.assign(new Error(`connect ${code} 127.0.0.1:4430`), { code });
  return new TypeError("fetch failed", { cause });
}

/** A fetch that never answers until its request is aborted; counts its calls. */
export function hangingFetch(): ScpFetch & { calls: number } {
  // Held strongly: a Request's signal follows its init signal through a weak reference, so a Request nobody
  // holds can be collected before the abort reaches it, and the promise would never settle.
  const held: Request[] = [];
  const fetch = Object.assign(
    (request: Request) =>
      new Promise<Response>((_, reject) => {
        fetch.calls++;
        held.push(request);
        request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
      }),
    { calls: 0 },
  );
  return fetch;
}

/** A V1 success envelope. */
export const ok = (data: unknown, status = 200) => Response.json({ code: 0, message: "", data }, { status });

/** A V1 error envelope. */
export const fail = (status: number, message = "failed", headers: Record<string, string> = {}) =>
  Response.json({ code: status, message, data: {} }, { status, headers });

// The secrets scan: every error, log line, hook event and progress event a chaos test produces is searched for the
// credentials the clients hold or sent (secret key, password, encrypted password, token, Authorization value).
import { inspect } from "node:util";
import type { ScpFetch, ScpHooks, ScpLogger } from "../../../src/index.js";

type Fetchish = (request: Request) => Promise<Response>;

/** Everything an error can show: text, stack, inspect with hidden fields, JSON, and each link of its cause chain. */
export function everythingSaid(error: unknown): string {
  const parts: string[] = [String(error), inspect(error, { depth: 30, showHidden: true }), json(error)];
  const seen = new Set<unknown>();
  const walk = (e: unknown, depth: number) => {
    if (!(e instanceof Error) || seen.has(e) || depth > 20) {
      return;
    }
    seen.add(e);
    parts.push(e.message, e.stack ?? "", json(e), inspect(Object.assign({}, e), { depth: 10 }));
    walk(e.cause, depth + 1);
    if (e instanceof AggregateError) {
      for (const inner of e.errors) {
        walk(inner, depth + 1);
      }
    }
  };
  walk(error, 0);
  return parts.join("\n");
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** Collects credentials as they are made or sent, and searches everything the SDK says for them. */
export class SecretScan {
  readonly #secrets = new Map<string, string>();
  /** What was found, as "where: which secret" (never the secret itself). */
  readonly leaks: string[] = [];
  /** Items scanned, by kind. */
  readonly counts = { errors: 0, logLines: 0, hookEvents: 0, progressEvents: 0 };

  /** Adds a credential to look for, with a label to name it by. */
  add(value: string | undefined, label: string): void {
    if (value && value.length >= 6) {
      this.#secrets.set(value, label);
    }
  }

  /** Credentials known so far. */
  get secretCount(): number {
    return this.#secrets.size;
  }

  #search(text: string, where: string): void {
    for (const [secret, label] of this.#secrets) {
      if (text.includes(secret)) {
        this.leaks.push(`${where}: ${label}`);
      }
    }
  }

  /** Scans an error (any thrown value). */
  error(error: unknown, where: string): void {
    this.counts.errors++;
    this.#search(everythingSaid(error), `error at ${where}`);
  }

  #event(kind: "logLines" | "hookEvents" | "progressEvents", value: unknown, where: string): void {
    this.counts[kind]++;
    this.#search(`${inspect(value, { depth: 10, showHidden: true })}\n${json(value)}`, where);
  }

  /** Scans one progress event. */
  progress(event: unknown): void {
    this.#event("progressEvents", event, "progress event");
  }

  /** A logger that records every level into the scan. */
  logger(): Required<ScpLogger> {
    const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
      this.#event("logLines", { level, fields, message }, `${level} log line`);
    return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  }

  /** Hooks that record every event into the scan. */
  hooks(): Required<ScpHooks> {
    const on = (name: string) => (event: unknown) => this.#event("hookEvents", event, `${name} hook`);
    return { onRequest: on("onRequest"), onResponse: on("onResponse"), onRetry: on("onRetry"), onTask: on("onTask") };
  }

  /** Wraps a fetch so every credential sent or received through it is learned: auth headers, logins, tokens. */
  fetch(inner: Fetchish): ScpFetch {
    return async (request) => {
      this.#learnRequest(request);
      if (/\/authenticate$/.test(new URL(request.url).pathname)) {
        await this.#learnLogin(request);
        const response = await inner(request);
        await this.#learnToken(response.clone());
        return response;
      }
      return inner(request);
    };
  }

  #learnRequest(request: Request): void {
    const authorization = request.headers.get("authorization") ?? undefined;
    this.add(authorization, "Authorization value");
    this.add(/^Token (.+)$/.exec(authorization ?? "")?.[1], "token");
    this.add(/Signature=([0-9a-f]+)/.exec(authorization ?? "")?.[1], "request signature");
  }

  async #learnLogin(request: Request): Promise<void> {
    const body = (await request
      .clone()
      .json()
      .catch(() => undefined)) as { auth?: { passwordCredentials?: { password?: string } } } | undefined;
    this.add(body?.auth?.passwordCredentials?.password, "encrypted password");
  }

  async #learnToken(response: Response): Promise<void> {
    const text = await boundedText(response);
    let body: { data?: { access?: { token?: { id?: string } } } } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return;
    }
    this.add(body?.data?.access?.token?.id, "token");
  }
}

/** A login answer's text, read no further than 1 MiB or 1 s (a fuzzed answer may be endless or stall). */
async function boundedText(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) {
    return "";
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<"stalled">((resolve) => {
    timer = setTimeout(() => resolve("stalled"), 1_000);
  });
  try {
    while (size < 1024 * 1024) {
      const read = await Promise.race([reader.read(), stalled]);
      if (read === "stalled" || read.done) {
        break;
      }
      chunks.push(read.value);
      size += read.value.byteLength;
    }
  } catch {
    // A cut answer: what came is what there is.
  } finally {
    clearTimeout(timer);
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString("utf8");
}

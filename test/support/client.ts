import { createScpClient, type ScpClientOptions } from "../../src/index.js";
import { BASE } from "./msw.js";

/** Credentials used by unit tests; the secret is checked for leaks. */
export const TEST_KEYS = { accessKey: "AKTESTSCP0001", secretKey: "sk-TEST-SECRET-do-not-leak-42" } as const;

/** A client for unit tests: signature auth, no retry delays, short timeouts. */
export function testClient(overrides: Partial<ScpClientOptions> = {}) {
  return createScpClient({
    baseUrl: BASE,
    auth: { type: "signature", ...TEST_KEYS },
    retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 2_000,
    ...overrides,
  });
}

// Values the SDK's documented contract refuses, as fast-check arbitraries: each one is wrong by construction, so
// the property "refused with ScpValidationError before any request" must hold for every draw.
import fc from "fast-check";

const ID_OK = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const CONTROL = ["\u0000", "\u0007", "\n", "\r", "\t", "\u001b", "\u007f"];

/** Whole numbers past the longest timer (2^31-1 ms), up to about 2^52. */
const pastTimer = fc.integer({ min: 0, max: 2_147_483_647 }).map((n) => 2_147_483_648 + n * 1000);

/** Values of no primitive type the SDK takes as text. */
export const notString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
  fc.bigInt(),
  fc.constant(Symbol("x")),
  fc.constant(() => "x"),
);

/** Values that are not numbers. */
export const notNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt(),
  fc.constant([1]),
  fc.constant({}),
);

/** Not a boolean (the SDK never reads truthiness). */
export const notBoolean: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, 1, "true", "false", "yes", null),
  fc.constant({}),
);

/** Not an object (an options or input object was expected). */
export const notObject: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(Symbol("o")),
  fc.bigInt(),
);

/** A text with at least one control character, inside it (not at either end, where a header value is trimmed). */
export const withControl: fc.Arbitrary<string> = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,4}$/), fc.constantFrom(...CONTROL), fc.stringMatching(/^[a-z0-9]{1,4}$/))
  .map(([a, c, b]) => `${a}${c}${b}`);

/** Not an SCP id: wrong type, empty, or a character no id has (path separators, spaces, controls, non-ASCII). */
export const badId: fc.Arbitrary<unknown> = fc.oneof(
  notString,
  fc.constant(""),
  fc
    .tuple(
      fc.string({ maxLength: 4 }),
      fc.constantFrom("/", " ", "?", "#", "%", "&", "\\", "é", "\u0000", "\n", "{", "}"),
      fc.string({ maxLength: 4 }),
    )
    .map(([a, c, b]) => `${a}${c}${b}`)
    .filter((s) => !ID_OK.test(s)),
  fc.constantFrom(".", "..", "-a", "_a", ":a"),
);

/** Not a duration of whole milliseconds from 1 to 2^31-1 (what a timer can wait). */
export const badDuration: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, -5, 0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.integer({ min: -1_000_000, max: 0 }),
  pastTimer,
  fc.double({ min: 1, max: 1e6, noNaN: true }).filter((d) => !Number.isInteger(d)),
  notNumber,
);

/**
 * Not a call's time limit or retry delay: like {@link badDuration} but for the values past the longest timer,
 * which a client takes as "as long as a timer can wait".
 */
export const badTimeout: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, -5, 0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.integer({ min: -1_000_000, max: 0 }),
  fc.double({ min: 1, max: 1e6, noNaN: true }).filter((d) => !Number.isInteger(d)),
  notNumber,
);

/** Not an AbortSignal. */
export const badSignal: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("stop", 1, true),
  fc.constant({ aborted: false }),
  fc.constant(new EventTarget()),
  fc.constant(new AbortController()),
);

/** Not an `X-Client-Token`: empty, too long, spaces or controls, or not text. */
export const badClientToken: fc.Arbitrary<unknown> = fc.oneof(
  notString.filter((v) => typeof v !== "string"),
  fc.constant(""),
  withControl,
  fc.string({ minLength: 129, maxLength: 200 }).map((s) => `${"t".repeat(129)}${s}`),
  fc.constantFrom("a b", "token\r\nX-Evil: 1", "ä"),
);

/** A retry policy the client refuses. */
export const badRetry: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(true, "no", 0, null),
  fc.record({ retries: fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 11 }), fc.constant(1.5), notNumber) }),
  fc.record({ minDelayMs: fc.constantFrom(-1, 0.5, Number.NaN) }),
  fc.record({ maxDelayMs: fc.oneof(fc.constantFrom(-1, 2.5, Number.POSITIVE_INFINITY), notNumber) }),
  fc.record({ maxRetryAfterMs: fc.constantFrom(-3, 1.25) }),
  fc.constant({ retires: 2 }),
);

/** One call's options, refused: not an object, or one field wrong. */
export const badRequestOptions: fc.Arbitrary<unknown> = fc.oneof(
  notObject,
  fc.record({ signal: badSignal }),
  fc.record({ clientToken: badClientToken }),
  fc.record({ timeoutMs: badTimeout }),
  fc.record({ retry: badRetry }),
);

/** A list query refused: not an object, a nested or non-finite value, a control character, bad paging. */
export const badQuery: fc.Arbitrary<unknown> = fc.oneof(
  fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(["a"])),
  fc.record({ name: fc.oneof(fc.constant({ nested: "x" }), fc.constant(["a", "b"]), withControl) }),
  fc.record({ az_id: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY) }),
  fc.record({ page_size: fc.oneof(fc.constantFrom(0, 101, -1, 1.5, "10", 1e9), fc.integer({ max: 0 })) }),
  fc.record({ page_num: fc.oneof(fc.constantFrom(-1, 0.5, "1"), fc.integer({ max: -1 })) }),
);

/** A copy of `valid` with one field wrong (each field with its own bad values), a required field missing, or an
 * unknown field (for strict objects); or not an object at all. */
export function badObject(
  valid: Record<string, unknown>,
  fields: Record<string, fc.Arbitrary<unknown>>,
  options: { required?: readonly string[]; strict?: boolean } = {},
): fc.Arbitrary<unknown> {
  const choices: fc.Arbitrary<unknown>[] = [notObject];
  for (const [key, bad] of Object.entries(fields)) {
    choices.push(bad.map((value) => ({ ...valid, [key]: value })));
  }
  for (const key of options.required ?? []) {
    choices.push(fc.constant(Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key))));
  }
  if (options.strict) {
    // Keys the object does not know (a key it knows is probed with its own bad values above).
    const unknown = ["timeoutMs", "extra", "signa1"].filter((key) => !(key in fields));
    choices.push(fc.constantFrom(...unknown).map((key) => ({ ...valid, [key]: 1 })));
  }
  return fc.oneof(...choices);
}

/** Argument lists equal to `valid` but for one position, drawn from that position's bad values. */
export function badArgs(valid: readonly unknown[], bad: readonly (fc.Arbitrary<unknown> | undefined)[]) {
  const choices = bad.flatMap((arbitrary, i) =>
    arbitrary ? [arbitrary.map((value) => valid.map((v, j) => (j === i ? value : v)))] : [],
  );
  return fc.oneof(...choices);
}

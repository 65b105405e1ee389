import Table from "cli-table3";
import picocolors from "picocolors";

/** Colour functions (no-ops when colour is off). */
export type Paint = ReturnType<typeof picocolors.createColors>;

/** Where a run writes, and what it knows of the terminal. */
export interface Streams {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

/** Whether to colour a stream: only a terminal, unless NO_COLOR (any value) or TERM=dumb says no. */
function colourFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, wanted: boolean): boolean {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return wanted && stream.isTTY === true && !noColor && env.TERM !== "dumb";
}

/**
 * Everything a command prints goes through here. With `json`, stdout gets exactly one JSON document and progress is
 * not drawn; otherwise stdout gets the human result and stderr the progress (drawn live only on a terminal).
 * Every text passes through `redact`, so a secret given to the run never reaches the screen or a log.
 */
export class Output {
  /** Colours for stdout. */
  readonly paint: Paint;
  /** Colours for stderr. */
  readonly paintErr: Paint;
  /** True when progress may be drawn live (a terminal on stderr, and not `--json`). */
  readonly live: boolean;
  readonly #streams: Streams;
  #secrets: readonly string[] = [];

  constructor(
    readonly json: boolean,
    options: { color: boolean },
    streams: Streams = { stdout: process.stdout, stderr: process.stderr, env: process.env },
  ) {
    this.#streams = streams;
    this.paint = picocolors.createColors(!json && colourFor(streams.stdout, streams.env, options.color));
    this.paintErr = picocolors.createColors(colourFor(streams.stderr, streams.env, options.color));
    this.live = !json && streams.stderr.isTTY === true;
  }

  /** The stream progress is drawn on. */
  get progressStream(): NodeJS.WriteStream {
    return this.#streams.stderr;
  }

  /** Remembers secrets to blank out of everything printed from now on. */
  redactAlso(secrets: readonly (string | undefined)[]): void {
    this.#secrets = [...this.#secrets, ...secrets.filter((s): s is string => s !== undefined && s.length > 0)];
  }

  /** Blanks every known secret out of a text. */
  redact(text: string): string {
    return this.#secrets.reduce((clean, secret) => clean.split(secret).join("[redacted]"), text);
  }

  /** Prints a command's result: the value as JSON, or the human lines. */
  result(value: unknown, human: (paint: Paint) => readonly string[]): void {
    if (this.json) {
      this.document(value);
    } else {
      this.say(human);
    }
  }

  /** Prints lines for people on stdout while a command runs (a held session's details); nothing with `--json`. */
  say(human: (paint: Paint) => readonly string[]): void {
    if (!this.json) {
      this.#write(this.#streams.stdout, `${human(this.paint).join("\n")}\n`);
    }
  }

  /** Prints one JSON document on stdout. */
  document(value: unknown): void {
    this.#write(this.#streams.stdout, `${JSON.stringify(value, null, 2)}\n`);
  }

  /** Prints a line for people on stderr (notes, warnings, progress without a terminal); nothing with `--json`. */
  note(text: string): void {
    if (!this.json) {
      this.#write(this.#streams.stderr, `${text}\n`);
    }
  }

  /** Prints a warning on stderr, in either mode. */
  warn(text: string): void {
    this.error(`${this.paintErr.yellow("warning:")} ${text}`);
  }

  /** Prints an error line on stderr, in either mode. */
  error(text: string): void {
    this.#write(this.#streams.stderr, `${text}\n`);
  }

  #write(stream: NodeJS.WriteStream, text: string): void {
    stream.write(this.redact(text));
  }
}

/** Aligned columns under a header, without borders (easy to read and to grep). */
export function table(paint: Paint, head: readonly string[], rows: readonly (readonly string[])[]): string {
  const t = new Table({
    head: head.map((h) => paint.bold(h)),
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "  ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  t.push(...rows.map((r) => [...r]));
  return t
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

import { type Command, CommanderError } from "commander";
import { createScpClient, type ScpClient } from "../../index.js";
import { clientOptions, type GlobalFlags, SECRET_FLAGS } from "./connection.js";
import { EXIT, exitCodeOf } from "./exit-codes.js";
import { FleetView } from "./fleet-view.js";
import { Interrupt } from "./interrupt.js";
import { Output, type Paint } from "./output.js";
import { reportFailure } from "./report.js";
import { type LiveView, TransferBar } from "./transfer-bar.js";

/** Secret values on the command line, found before parsing so that even a usage error cannot echo them. */
function secretsIn(argv: readonly string[]): string[] {
  const found: string[] = [];
  argv.forEach((arg, i) => {
    for (const { flag } of SECRET_FLAGS) {
      if (arg === flag && argv[i + 1] !== undefined) {
        found.push(argv[i + 1] as string);
      } else if (arg.startsWith(`${flag}=`)) {
        found.push(arg.slice(flag.length + 1));
      }
    }
  });
  return found;
}

/**
 * One run of scp-proxy: its output, its interrupt (the `AbortSignal` every command passes on), the client made from
 * the global flags, and the live progress view. Commands get it; `main` asks it to report how the run ended.
 */
export class Session {
  #output: Output;
  readonly #interrupt: Interrupt;
  readonly #env: NodeJS.ProcessEnv;
  readonly #secrets: readonly (string | undefined)[];
  #flags: GlobalFlags = {};
  #view: LiveView | undefined;
  #exitCode: number = EXIT.ok;

  constructor(argv: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
    // Until the flags are parsed, these two are read from argv as they stand.
    this.#output = new Output(argv.includes("--json"), { color: !argv.includes("--no-color") });
    this.#secrets = [...secretsIn(argv), ...SECRET_FLAGS.map((s) => env[s.env])];
    this.#output.redactAlso(this.#secrets);
    this.#interrupt = new Interrupt((text, last) => {
      this.#view?.stop();
      this.#output.error(text);
      if (last && this.#output.json) {
        this.#output.document({ error: { name: "Interrupted", message: text, exitCode: last.exitCode } });
      }
    });
  }

  /** The output of this run. */
  get out(): Output {
    return this.#output;
  }

  /** Aborted by Ctrl-C or SIGTERM: pass it to every call and workflow. */
  get signal(): AbortSignal {
    return this.#interrupt.signal;
  }

  /** Takes the parsed global flags (commander's preAction hook calls this). */
  configure(command: Command): void {
    const flags = command.optsWithGlobals<GlobalFlags>();
    this.#output = new Output(flags.json === true, { color: flags.color !== false });
    this.#output.redactAlso([...this.#secrets, flags.secretKey, flags.password]);
    this.#flags = flags;
    for (const { flag, key } of SECRET_FLAGS) {
      if (command.getOptionValueSourceWithGlobals(key) === "cli") {
        this.#output.warn(`${flag} on the command line can be seen by other users (ps); use the environment`);
      }
    }
  }

  /** Whether an SCP address was given (by flag or environment). */
  get connectionGiven(): boolean {
    return (this.#flags.url ?? "") !== "";
  }

  /** A client for the SCP the flags name. @throws CliInputError when the address or credentials are missing. */
  async client(): Promise<ScpClient> {
    return createScpClient(await clientOptions(this.#flags, this.#env));
  }

  /** The transfer progress bar for an image command (stopped by {@link end}). */
  transferBar(): TransferBar {
    const bar = new TransferBar(this.#output);
    this.#view = bar;
    return bar;
  }

  /** The per-proxy step view for a fleet command (stopped by {@link end}). */
  fleetView(): FleetView {
    const view = new FleetView(this.#output);
    this.#view = view;
    return view;
  }

  /**
   * Prints the command's result, once its progress view is closed (so nothing redraws over it). A result that tells
   * of a partial failure (what a session could not remove) passes the exit code the run then ends with.
   */
  result(value: unknown, human: (paint: Paint) => readonly string[], exitCode: number = EXIT.ok): void {
    this.#view?.stop();
    this.#output.result(value, human);
    this.#exitCode = exitCode;
  }

  /** Ends the run: stops progress, reports a failure, and returns the exit code. */
  end(error?: unknown): number {
    this.#view?.stop();
    this.#interrupt.dispose();
    if (error === undefined) {
      return this.#exitCode;
    }
    if (error instanceof CommanderError) {
      // commander printed the problem (or the help) already.
      if (error.exitCode !== 0 && this.#output.json) {
        this.#output.document({ error: { name: "UsageError", message: error.message, exitCode: EXIT.badInput } });
      }
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    const code = this.#interrupt.exitCode ?? exitCodeOf(error);
    reportFailure(this.#output, error, code);
    return code;
  }
}
